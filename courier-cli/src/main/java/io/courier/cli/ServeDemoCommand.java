package io.courier.cli;

import io.courier.Endpoint;
import io.courier.Identity;
import io.courier.examples.demo.DemoServer;
import io.courier.server.BearerTokenAuth;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.server.ServerTls;
import io.courier.zookeeper.ZooKeeperRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code courier serve-demo --port P [--host H] [--zk HOST:PORT[,HOST:PORT...] [--service NAME]] [--tls CERT KEY]
 * [--token TOKEN] [--cors ORIGIN]... [--console]}: serves the demo methods until the process is stopped. It prints
 * the address it listens on as its first line of output (with the web console's URL when {@code --console} is
 * given); SIGTERM (or Ctrl-C) stops it gracefully. With {@code --zk} it registers in that ZooKeeper as {@code NAME}
 * (default {@code demo}), and a graceful stop withdraws it before it refuses calls.
 */
@Command(name = "serve-demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Serve the demo methods until stopped (SIGTERM stops gracefully).",
    synopsisHeading = "usage: ",
    description = {"Serves the demo methods (TCP, HTTP and WebSocket on one port) until stopped; prints the "
        + "address first; SIGTERM stops it gracefully."})
final class ServeDemoCommand implements Callable<Integer> {

  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  // A string, so that a bad port gets our message (with the expected range) rather than a type error.
  @Option(names = "--port", paramLabel = "P", description = "The port to listen on (0-65535; 0 for any). Required.")
  private String port;

  @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1",
      description = "The address to listen on (default ${DEFAULT-VALUE}).")
  private String host;

  @Option(names = "--zk", paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Register in this ZooKeeper (and withdraw on a graceful stop).")
  private String zk;

  @Option(names = "--service", paramLabel = "NAME",
      description = "The name to register as, with --zk (default " + ClusterDemoCommand.SERVICE + ").")
  private String service;

  @Option(names = "--tls", arity = "2", paramLabel = "PEM",
      description = "Serve TLS too, with this certificate chain and unencrypted PKCS#8 key: --tls CERT KEY.")
  private List<Path> tls = new ArrayList<>();

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Require this bearer token of every caller (error -32001 without it).")
  private String token;

  @Option(names = "--cors", paramLabel = "ORIGIN",
      description = "Let browser pages from this origin call over HTTP and WebSocket; repeatable.")
  private List<String> cors = new ArrayList<>();

  @Option(names = "--console",
      description = "Serve the web console at /console: methods, a try-it form, live charts, connections.")
  private boolean console;

  @Spec
  private CommandSpec spec;

  @ParentCommand
  private Main main;

  @Override
  public Integer call() {
    if (port == null) {
      throw Main.usage(spec, "--port is required");
    }
    int portNumber = parsePort(port);
    if (service != null && zk == null) {
      throw Main.usage(spec, "--service needs --zk");
    }
    if (!tls.isEmpty() && tls.size() != 2) {
      throw Main.usage(spec, "--tls takes one certificate chain and one key: --tls CERT KEY, once");
    }
    String name = service != null ? service : ClusterDemoCommand.SERVICE;
    RpcServerBuilder builder = DemoServer.builder().host(host).port(portNumber);
    if (zk != null) {
      builder.listener(ZooKeeperRegistry.builder().connectString(zk).serviceName(name).build());
    }
    if (!tls.isEmpty()) {
      builder.tls(ServerTls.builder(tls.get(0), tls.get(1)).build());
    }
    if (token != null) {
      builder.intercept(BearerTokenAuth.of(Map.of(token, Identity.of("courier-cli"))));
    }
    if (!cors.isEmpty()) {
      builder.corsOrigins(cors.toArray(String[]::new));
    }
    builder.console(console);
    RpcServer server = builder.build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(STOP_GRACE);
      stopped.countDown();
    }, "courier-shutdown"));
    main.out.println("Courier demo server listening on " + server.localAddress().getHostString() + ":"
        + server.port() + (zk == null ? "" : ", registered in ZooKeeper at " + zk + " as " + name)
        + (tls.isEmpty() ? "" : ", TLS with " + tls.get(0))
        + (console ? ", web console at " + consoleUrl(server) : ""));
    main.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Main.OK;
  }

  /** Where a browser finds the console: on a wildcard address, through loopback. */
  private String consoleUrl(RpcServer server) {
    InetAddress bound = server.localAddress().getAddress();
    String name = bound != null && bound.isAnyLocalAddress() ? "127.0.0.1" : server.localAddress().getHostString();
    return (tls.isEmpty() ? "http://" : "https://") + Endpoint.of(name, server.port()) + "/console";
  }

  private int parsePort(String text) {
    try {
      int number = Integer.parseInt(text);
      if (number < 0 || number > 65535) {
        throw new NumberFormatException();
      }
      return number;
    } catch (NumberFormatException e) {
      throw Main.usage(spec, "--port " + text + " (expected: 0-65535)");
    }
  }
}
