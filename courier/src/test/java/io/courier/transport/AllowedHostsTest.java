package io.courier.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.transport.AllowedHosts.Verdict;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Host rule on its own, without sockets; HostCheckIT has it on the wire. Addresses other than loopback are
 * only ever header text here, from the IPv6 documentation prefix 2001:db8::/32.
 */
class AllowedHostsTest {

  private static final AllowedHosts LOOPBACK = AllowedHosts.forServer("127.0.0.1", Set.of(), Set.of("box"));
  private static final AllowedHosts WILDCARD = AllowedHosts.forServer("0.0.0.0", Set.of(), Set.of("box"));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1:7070|ACCEPTED",
      "127.0.0.1|ACCEPTED",
      "127.9.8.7:1|ACCEPTED",
      "localhost:7070|ACCEPTED",
      "LocalHost|ACCEPTED",
      "localhost.:7070|ACCEPTED",
      "[::1]:7070|ACCEPTED",
      "[::1]|ACCEPTED",
      "[0:0:0:0:0:0:0:1]:7070|ACCEPTED",
      "[::ffff:127.0.0.1]:7070|ACCEPTED",
      "evil.example:7070|MISDIRECTED",
      "evil.example|MISDIRECTED",
      "localhost.evil.example|MISDIRECTED",
      "127.0.0.1.evil.example|MISDIRECTED",
      "127.1|MISDIRECTED",
      "[2001:db8::5]:7070|MISDIRECTED",
      "[::2]:7070|MISDIRECTED",
      "box|MISDIRECTED",
      "''|MALFORMED",
      "::1|MALFORMED",
      "[::1|MALFORMED",
      "[::1]x|MALFORMED",
      "[evil.example]|MALFORMED",
      "localhost:70a|MALFORMED",
      "localhost:123456|MALFORMED",
      "a b|MALFORMED",
      "user@localhost|MALFORMED",
      "localhost/x|MALFORMED",
  })
  void loopbackServerAcceptsOnlyLoopbackHosts(String host, Verdict expected) {
    assertThat(LOOPBACK.check(host)).as(host).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "[2001:db8::5]:7070|ACCEPTED",
      "127.0.0.1:7070|ACCEPTED",
      "[2001:db8::1]|ACCEPTED",
      "localhost|ACCEPTED",
      "box:7070|ACCEPTED",
      "BOX.|ACCEPTED",
      "evil.example:7070|MISDIRECTED",
      "box.evil.example|MISDIRECTED",
      "''|MALFORMED",
  })
  void wildcardServerAcceptsAddressesAndTheMachinesNames(String host, Verdict expected) {
    assertThat(WILDCARD.check(host)).as(host).isEqualTo(expected);
  }

  @Test
  void serverBoundToANameAcceptsThatName() {
    AllowedHosts rules = AllowedHosts.forServer("api.internal", Set.of(), Set.of());

    assertThat(rules.check("api.internal:7070")).isEqualTo(Verdict.ACCEPTED);
    assertThat(rules.check("evil.example:7070")).isEqualTo(Verdict.MISDIRECTED);
  }

  @Test
  void localhostAndIpv6LoopbackBindingsAreLoopback() {
    for (String bind : new String[] {"localhost", "::1", "[::1]", "127.0.0.2"}) {
      AllowedHosts rules = AllowedHosts.forServer(bind, Set.of(), Set.of("box"));
      assertThat(rules.check("[2001:db8::5]")).as(bind).isEqualTo(Verdict.MISDIRECTED);
      assertThat(rules.check("box")).as(bind).isEqualTo(Verdict.MISDIRECTED);
      assertThat(rules.check("[::1]:1")).as(bind).isEqualTo(Verdict.ACCEPTED);
    }
    assertThat(AllowedHosts.isLoopbackBinding("0.0.0.0")).isFalse();
    assertThat(AllowedHosts.isLoopbackBinding("::")).isFalse();
  }

  @Test
  void configuredNamesAreAddedToTheDefaults() {
    AllowedHosts rules = AllowedHosts.forServer("127.0.0.1", Set.of("App.Test", "[::2]"), Set.of());

    assertThat(rules.check("app.test:7070")).isEqualTo(Verdict.ACCEPTED);
    assertThat(rules.check("[::2]:7070")).isEqualTo(Verdict.ACCEPTED);
    assertThat(rules.check("localhost:7070")).isEqualTo(Verdict.ACCEPTED);
    assertThat(rules.check("sub.app.test")).isEqualTo(Verdict.MISDIRECTED);
  }

  @Test
  void starAcceptsAnyWellFormedHost() {
    AllowedHosts rules = AllowedHosts.forServer("127.0.0.1", Set.of("*"), Set.of());

    assertThat(rules.check("evil.example:7070")).isEqualTo(Verdict.ACCEPTED);
    assertThat(rules.check("a b")).isEqualTo(Verdict.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://app.test", "app.test:7070", "[::1]:7070", "app.test/", "", "[::1"})
  void builderNamesWithSchemePortOrJunkAreRefused(String name) {
    assertThatThrownBy(() -> AllowedHosts.requireHostName(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowed host");
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "app.test", "2001:db8::5", "::1", "[::1]", "LOCALHOST."})
  void builderNamesAreAccepted(String name) {
    AllowedHosts.requireHostName(name);
    assertThat(AllowedHosts.forServer("api.internal", Set.of(name), Set.of()).check("app.test"))
        .isEqualTo(name.equals("*") || name.equals("app.test") ? Verdict.ACCEPTED : Verdict.MISDIRECTED);
  }
}
