package io.courier.examples.tutorial;

import io.courier.client.Dialect;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The tutorial's scenario end to end: a server with {@code test} registered, and a client that calls
 * {@code test("测试项", kw1="1")} and prints what came back.
 */
public final class TutorialDemo {

  private TutorialDemo() {}

  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs the scenario, printing as the tutorial's client does. */
  public static void run(PrintStream out) {
    RpcServer server = RpcServer.builder()
        .host("127.0.0.1")
        .method("test", TutorialFunctions::test)
        .build()
        .start();
    try (RpcClient client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + server.port())
        .dialect(Dialect.SEED)
        .callTimeout(Duration.ofSeconds(5))
        .build()) {
      // The tutorial calls c.test("测试项", kw1="1"): one positional and one keyword argument. JSON-RPC carries
      // params either by position or by name, so this client speaks the tutorial's own dialect, which the
      // server understands on the same port.
      String res = client.callArgs("test", String.class, List.of("测试项"), Map.of("kw1", "1")).join();
      out.println("远程调用的返回值 res = " + res);
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }
}
