package io.courier.cli;

import io.courier.examples.demo.DemoServer;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.zookeeper.ZooKeeperRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code courier serve-demo --port P [--host H] [--zk HOST:PORT[,HOST:PORT...] [--service NAME]]}: serves the demo
 * methods until the process is stopped. It prints the address it listens on as its first line of output; SIGTERM
 * (or Ctrl-C) stops it gracefully. With {@code --zk} it registers in that ZooKeeper as {@code NAME} (default
 * {@code demo}), and a graceful stop withdraws it before it refuses calls.
 */
final class ServeDemoCommand {

  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final String host;
  private final int port;
  /** The ZooKeeper to register with, or null. */
  private final String zk;
  private final String service;

  private ServeDemoCommand(String host, int port, String zk, String service) {
    this.host = host;
    this.port = port;
    this.zk = zk;
    this.service = service;
  }

  static ServeDemoCommand fromArgs(List<String> args) {
    String host = "127.0.0.1";
    Integer port = null;
    String zk = null;
    String service = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--port" -> port = parsePort(value(args, ++i, arg));
        case "--host" -> host = value(args, i = i + 1, arg);
        case "--zk" -> zk = value(args, i = i + 1, arg);
        case "--service" -> service = value(args, i = i + 1, arg);
        default -> throw new Main.UsageException("serve-demo: unknown option " + arg);
      }
    }
    if (port == null) {
      throw new Main.UsageException("serve-demo: --port is required");
    }
    if (service != null && zk == null) {
      throw new Main.UsageException("serve-demo: --service needs --zk");
    }
    return new ServeDemoCommand(host, port, zk, service != null ? service : ClusterDemoCommand.SERVICE);
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
    RpcServerBuilder builder = DemoServer.builder().host(host).port(port);
    if (zk != null) {
      builder.listener(ZooKeeperRegistry.builder().connectString(zk).serviceName(service).build());
    }
    RpcServer server = builder.build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(STOP_GRACE);
      stopped.countDown();
    }, "courier-shutdown"));
    out.println("Courier demo server listening on " + server.localAddress().getHostString() + ":"
        + server.port() + (zk == null ? "" : ", registered in ZooKeeper at " + zk + " as " + service));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
