package io.courier.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerAddressTest {

  @Test
  void aSingleServersUriNamesItsHostPortAndProtocol() {
    assertThat(ServerAddress.parse("tcp://127.0.0.1:7070")).isEqualTo(new ServerAddress("127.0.0.1", 7070, null));
    assertThat(ServerAddress.parse("tls://localhost:7443")).isEqualTo(new ServerAddress("localhost", 7443, null));
    assertThat(ServerAddress.parse("http://127.0.0.1:8080/rpc"))
        .isEqualTo(new ServerAddress("127.0.0.1", 8080, "http"));
    assertThat(ServerAddress.parse("HTTPS://localhost:8443/rpc"))
        .isEqualTo(new ServerAddress("localhost", 8443, "http"));
    assertThat(ServerAddress.parse("ws://127.0.0.1:8080/ws"))
        .isEqualTo(new ServerAddress("127.0.0.1", 8080, "websocket"));
    assertThat(ServerAddress.parse("wss://localhost:8443/ws"))
        .isEqualTo(new ServerAddress("localhost", 8443, "websocket"));
  }

  @Test
  void aBareHostAndPortIsRawTcp() {
    assertThat(ServerAddress.parse("127.0.0.1:7070")).isEqualTo(new ServerAddress("127.0.0.1", 7070, null));
  }

  @Test
  void anIpv6LiteralIsRecordedWithoutBrackets() {
    assertThat(ServerAddress.parse("tcp://[::1]:7070")).isEqualTo(new ServerAddress("::1", 7070, null));
  }

  @Test
  void targetsThatNameNoSingleServerGiveNone() {
    assertThat(ServerAddress.parse("tcp://127.0.0.1:7070,127.0.0.1:7071")).isNull();
    assertThat(ServerAddress.parse("zk://127.0.0.1:2181/calc")).as("the registry, not the server").isNull();
    assertThat(ServerAddress.parse("[java, -jar, server.jar]")).isNull();
    assertThat(ServerAddress.parse("tcp://127.0.0.1")).isNull();
    assertThat(ServerAddress.parse("not a target")).isNull();
    assertThat(ServerAddress.parse("")).isNull();
    assertThat(ServerAddress.parse(null)).isNull();
  }
}
