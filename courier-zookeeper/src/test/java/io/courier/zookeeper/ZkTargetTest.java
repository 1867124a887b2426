package io.courier.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZkTargetTest {

  @Test
  void parsesServersServiceAndDefaults() {
    ZkTarget target = ZkTarget.parse(URI.create("zk://zk1:2181,zk2/calc"));
    assertThat(target.connectString()).isEqualTo("zk1:2181,zk2:2181");
    assertThat(target.serviceName()).isEqualTo("calc");
    assertThat(target.basePath()).isEqualTo("/courier/services");
    assertThat(target.scheme()).isNull();
    assertThat(target.credentials()).isNull();
    assertThat(target.servicePath()).isEqualTo("/courier/services/calc");
  }

  @Test
  void parsesSchemeBasePathAndCredentials() {
    ZkTarget target = ZkTarget.parse(URI.create("zk://app:s3cret@[::1]:2181/calc?scheme=WSS&basePath=/x/y"));
    assertThat(target.connectString()).isEqualTo("[::1]:2181");
    assertThat(target.credentials()).isEqualTo("app:s3cret");
    assertThat(target.scheme()).isEqualTo("wss");
    assertThat(target.servicePath()).isEqualTo("/x/y/calc");
    assertThat(target.toString()).doesNotContain("s3cret");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "zk:///calc", "zk://zk1:2181", "zk://zk1:2181/", "zk://zk1:2181/a/b", "zk://zk1:99999/calc",
      "zk://zk1:x/calc", "zk://zk1:2181,/calc", "zk://zk1/calc?scheme=udp", "zk://zk1/calc?basePath=rel",
      "zk://zk1/calc?basePath=/a/", "zk://zk1/calc?other=1", "zk://zk1/calc#frag", "zk://user@zk1/calc",
      "zk://zk1/calc%2Fx"})
  void refusesMalformedTargetsSayingWhatIsExpected(String target) {
    assertThatThrownBy(() -> ZkTarget.parse(URI.create(target)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected");
  }

  @Test
  void messagesNeverCarryThePassword() {
    assertThatThrownBy(() -> ZkTarget.parse(URI.create("zk://app:s3cret@zk1:2181/a/b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void providerResolvesZkAndRefusesMalformedTargets() {
    ZooKeeperEndpointGroupProvider provider = new ZooKeeperEndpointGroupProvider();
    assertThat(provider.schemes()).containsExactly("zk");
    assertThatThrownBy(() -> provider.create(URI.create("zk://zk1:2181"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zk://host:2181");
  }
}
