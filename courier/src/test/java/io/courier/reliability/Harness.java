package io.courier.reliability;

import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server on {@link Api} and the clients, sockets and proxies a battery test opens, closed in reverse order
 * when the test ends, whatever it left running.
 */
final class Harness implements AutoCloseable {

  final Api.Impl impl = new Api.Impl();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Duration serverGrace;
  private RpcServer server;

  Harness(Duration serverGrace) {
    this.serverGrace = serverGrace;
  }

  /** Starts a server on 127.0.0.1 serving {@link Api}, configured further by {@code config}. */
  RpcServer start(Consumer<RpcServerBuilder> config) {
    RpcServerBuilder b = RpcServer.builder().host("127.0.0.1").port(0).service(Api.class, impl);
    config.accept(b);
    server = b.build().start();
    return server;
  }

  /** Builds a client of {@code port}, closed with the harness. */
  RpcClient client(int port, Duration callTimeout, Consumer<RpcClientBuilder> config) {
    RpcClientBuilder b = RpcClient.builder().target("tcp://127.0.0.1:" + port).callTimeout(callTimeout);
    config.accept(b);
    return closeLater(b.build());
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  @Override
  public void close() {
    impl.gate.countDown();
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // best effort: the test's own assertions already ran
      }
    }
    if (server != null) {
      server.stop(serverGrace);
    }
  }
}
