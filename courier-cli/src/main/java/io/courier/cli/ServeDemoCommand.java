package io.courier.cli;

import io.courier.examples.demo.DemoServer;
import io.courier.server.RpcServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code courier serve-demo --port P [--host H]}: serves the demo methods until the process is stopped. It
 * prints the address it listens on as its first line of output; SIGTERM (or Ctrl-C) stops it gracefully.
 */
final class ServeDemoCommand {

  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final String host;
  private final int port;

  private ServeDemoCommand(String host, int port) {
    this.host = host;
    this.port = port;
  }

  static ServeDemoCommand fromArgs(List<String> args) {
    String host = "127.0.0.1";
    Integer port = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--port" -> port = parsePort(value(args, ++i, arg));
        case "--host" -> host = value(args, i = i + 1, arg);
        default -> throw new Main.UsageException("serve-demo: unknown option " + arg);
      }
    }
    if (port == null) {
      throw new Main.UsageException("serve-demo: --port is required");
    }
    return new ServeDemoCommand(host, port);
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new Main.UsageException("serve-demo: " + option + " needs a value");
    }
    return args.get(index);
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new Main.UsageException("serve-demo: --port " + text + " (expected: 0-65535)");
    }
  }

  int run(PrintStream out) {
    RpcServer server = DemoServer.builder().host(host).port(port).build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(STOP_GRACE);
      stopped.countDown();
    }, "courier-shutdown"));
    out.println("Courier demo server listening on " + server.localAddress().getHostString() + ":"
        + server.port());
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
