package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.Endpoint;
import java.net.URI;
import org.junit.jupiter.api.Test;

class TargetTest {

  private static Target parse(String uri) {
    return Target.parse(URI.create(uri));
  }

  @Test
  void schemeChoosesTransportAndTls() {
    assertThat(parse("tcp://h:1")).isEqualTo(new Target(Target.Transport.TCP, false, Endpoint.of("h", 1), null));
    assertThat(parse("tls://h:1")).isEqualTo(new Target(Target.Transport.TCP, true, Endpoint.of("h", 1), null));
    assertThat(parse("http://h:1/rpc")).isEqualTo(new Target(Target.Transport.HTTP, false, Endpoint.of("h", 1), "/rpc"));
    assertThat(parse("https://h:1/api")).isEqualTo(new Target(Target.Transport.HTTP, true, Endpoint.of("h", 1), "/api"));
    assertThat(parse("ws://h:1/ws")).isEqualTo(new Target(Target.Transport.WS, false, Endpoint.of("h", 1), "/ws"));
    assertThat(parse("WSS://h:1/socket")).isEqualTo(new Target(Target.Transport.WS, true, Endpoint.of("h", 1), "/socket"));
  }

  @Test
  void httpAndWebSocketPathsDefaultToTheServersPaths() {
    assertThat(parse("http://h:1").path()).isEqualTo("/rpc");
    assertThat(parse("wss://h:1").path()).isEqualTo("/ws");
  }

  @Test
  void printsAsTheUriItCameFrom() {
    assertThat(parse("https://h:8443/rpc")).hasToString("https://h:8443/rpc");
    assertThat(parse("tls://h:7443")).hasToString("tls://h:7443");
  }

  @Test
  void ipv6LiteralLosesItsBracketsInTheEndpointAndKeepsThemInTheUri() {
    Target target = parse("http://[::1]:7070/rpc");

    assertThat(target.endpoint()).isEqualTo(Endpoint.of("::1", 7070));
    assertThat(target.endpoint()).hasToString("[::1]:7070"); // the Host header an HTTP client sends
    assertThat(parse("ws://[::1]:7070/ws")).hasToString("ws://[::1]:7070/ws");
  }

  @Test
  void unknownSchemeIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(() -> parse("udp://h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tcp, tls, http, https, ws or wss");
  }

  @Test
  void missingPortIsRefused() {
    assertThatThrownBy(() -> parse("http://h/rpc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("with a port");
  }

  @Test
  void tcpTargetWithAPathIsRefused() {
    assertThatThrownBy(() -> parse("tcp://h:1/rpc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no path");
  }

  @Test
  void bearerTokenOverPlaintextIsRefusedUnlessAllowed() {
    assertThatThrownBy(() -> RpcClient.builder().target("http://h:1/rpc").bearerToken("secret-1").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Refusing to send a bearer token over http://")
        .hasMessageNotContaining("secret-1");
    RpcClient.builder().target("http://h:1/rpc").bearerToken("secret-1").allowPlaintextToken(true).build().close();
  }

  @Test
  void seedDialectIsRefusedOverOtherTransports() {
    assertThatThrownBy(() -> RpcClient.builder().target("ws://h:1/ws").dialect(Dialect.SEED).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tcp:// only");
  }
}
