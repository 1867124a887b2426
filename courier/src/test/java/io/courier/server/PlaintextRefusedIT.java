package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.ConnectionException;
import io.courier.client.RpcClient;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A port that requires TLS: {@code allowPlaintext(false)} refuses every clear protocol and serves the TLS ones. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class PlaintextRefusedIT {

  private RpcServer server;

  @BeforeEach
  void start() {
    server = Transports.serve(RpcServer.builder())
        .host("127.0.0.1")
        .port(0)
        .allowPlaintext(false)
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transports.class)
  void onlyTheTlsTransportsAreServed(Transports transport) throws Exception {
    try (RpcClient client = transport.target(RpcClient.builder(), server.port())
        .callTimeout(Duration.ofSeconds(5))
        .maxAttempts(1)
        .build()) {
      if (transport.secure()) {
        assertThat(client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(5);
      } else {
        assertThatThrownBy(() -> client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(ConnectionException.class);
      }
    }
  }

  @Test
  void clearConnectionIsClosedAtOnceWithoutAnAnswer() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(2000);
      long start = System.nanoTime();
      socket.getOutputStream().write("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}\n"
          .getBytes(StandardCharsets.UTF_8));
      InputStream in = socket.getInputStream();
      assertThat(in.read()).as("nothing but the close").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void requiringTlsWithoutTlsIsRefusedAtBuild() {
    assertThatThrownBy(() -> RpcServer.builder().allowPlaintext(false).method("x", args -> null).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs tls(");
  }
}
