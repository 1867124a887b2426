package io.courier.cli;

import io.courier.client.RpcClient;
import io.courier.examples.demo.DemoServer;
import io.courier.examples.demo.DemoService;
import io.courier.server.RpcServer;
import io.courier.zookeeper.ZooKeeperRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.test.TestingServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code courier cluster-demo [--phase-seconds N]}: discovery and balancing with nothing to install. It starts a
 * ZooKeeper in this process (Curator's {@code TestingServer}), three demo servers that register with it as
 * {@code demo}, and a client of {@code zk://.../demo} that calls {@code node()} without pause while each server's
 * share is printed every second. Then it stops one server gracefully (its share goes to the others and no call
 * fails) and starts it again (it gets calls back). It exits 0 when no call failed, the stopped server got none
 * while stopped and got calls again once back; else 1.
 */
@Command(name = "cluster-demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Three demo servers found through an in-process ZooKeeper, balanced.",
    synopsisHeading = "usage: ",
    description = {"An in-process ZooKeeper, three demo servers registered in it and a client of "
        + "zk://.../demo calling node() while each server's share is printed; one server stops gracefully and "
        + "comes back. Exits 0 when no call failed."})
final class ClusterDemoCommand implements Callable<Integer> {

  static final String SERVICE = "demo";
  private static final int CALLERS = 4;
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  @Option(names = "--phase-seconds", paramLabel = "N", defaultValue = "3",
      description = "How long each phase lasts, in seconds (1-600; default ${DEFAULT-VALUE}).")
  private int phaseSeconds;

  @Spec
  private CommandSpec spec;

  @ParentCommand
  private Main main;

  /** Calls answered per server in the current second, and in the current phase. */
  private final Map<String, LongAdder> second = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> phase = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  @Override
  public Integer call() throws Exception {
    if (phaseSeconds < 1 || phaseSeconds > 600) {
      throw Main.usage(spec, "--phase-seconds " + phaseSeconds + " (expected: 1-600)");
    }
    return run(main.out);
  }

  private int run(PrintStream out) throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      String connect = zk.getConnectString();
      out.println("ZooKeeper running in this process at " + connect);
      List<RpcServer> servers = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          servers.add(startServer(connect, 0));
        }
        List<String> nodes = servers.stream().map(ClusterDemoCommand::node).toList();
        out.println("Three demo servers registered as \"" + SERVICE + "\": " + String.join(", ", nodes));
        String target = "zk://" + connect + "/" + SERVICE;
        try (RpcClient client = RpcClient.builder().target(target).build()) {
          out.println("Client of " + target + " calling node() from " + CALLERS + " threads");
          return drive(client.create(DemoService.class), connect, servers, out) ? 0 : 1;
        }
      } finally {
        servers.forEach(s -> s.stop(Duration.ZERO));
      }
    }
  }

  /** The three phases, with the load running throughout; returns whether the demo showed what it should. */
  private boolean drive(DemoService demo, String zk, List<RpcServer> servers, PrintStream out)
      throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> callers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      Thread caller = new Thread(() -> call(demo, running), "cluster-demo-caller-" + i);
      caller.setDaemon(true);
      caller.start();
      callers.add(caller);
    }
    String stopped = node(servers.get(0));
    try {
      Map<String, Long> all = phase("1. three servers", out);
      out.println("Stopping " + stopped + " gracefully: it leaves ZooKeeper first, then drains");
      servers.get(0).stop(STOP_GRACE);
      phase.clear();
      Map<String, Long> two = phase("2. " + stopped + " stopped", out);
      int port = servers.get(0).port();
      out.println("Starting " + stopped + " again");
      servers.set(0, startServer(zk, port));
      phase.clear();
      Map<String, Long> back = phase("3. " + stopped + " back", out);

      boolean noFailures = failures.get() == 0;
      boolean leftWhileStopped = two.getOrDefault(stopped, 0L) == 0;
      String restarted = node(servers.get(0));
      boolean gotCallsBack = back.getOrDefault(restarted, 0L) > 0;
      out.println();
      out.println("Summary: " + calls.get() + " calls, " + failures.get() + " failed"
          + (firstFailure.get() == null ? "" : " (first: " + firstFailure.get() + ")"));
      out.println("  phase 1, three servers:  " + shares(all));
      out.println("  phase 2, one stopped:    " + shares(two));
      out.println("  phase 3, all three back: " + shares(back));
      out.println((noFailures ? "  ok " : "  FAILED ") + "no call failed");
      out.println((leftWhileStopped ? "  ok " : "  FAILED ") + stopped + " got no call while stopped");
      out.println((gotCallsBack ? "  ok " : "  FAILED ") + restarted + " got calls again once back");
      return noFailures && leftWhileStopped && gotCallsBack;
    } finally {
      running.set(false);
      for (Thread caller : callers) {
        caller.join(TimeUnit.SECONDS.toMillis(10));
      }
    }
  }

  /** Starts a demo server on 127.0.0.1 ({@code port} 0 for any) that registers with {@code zk}. */
  private static RpcServer startServer(String zk, int port) {
    return DemoServer.builder()
        .host("127.0.0.1")
        .port(port)
        .listener(ZooKeeperRegistry.builder().connectString(zk).serviceName(SERVICE).build())
        .build()
        .start();
  }

  private void call(DemoService demo, AtomicBoolean running) {
    while (running.get()) {
      try {
        String node = demo.node();
        second.computeIfAbsent(node, n -> new LongAdder()).increment();
        phase.computeIfAbsent(node, n -> new LongAdder()).increment();
        calls.incrementAndGet();
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, e.toString());
      }
    }
  }

  /** Prints each server's share every second for a phase; returns the phase's calls per server. */
  private Map<String, Long> phase(String name, PrintStream out) throws InterruptedException {
    out.println();
    out.println("Phase " + name);
    for (int s = 1; s <= phaseSeconds; s++) {
      second.clear();
      Thread.sleep(1000);
      out.println("  " + s + " s: " + shares(snapshot(second)) + "   failed so far: " + failures.get());
    }
    return snapshot(phase);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((node, n) -> copy.put(node, n.sum()));
    return copy;
  }

  private static String shares(Map<String, Long> counts) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return "no calls";
    }
    StringBuilder line = new StringBuilder();
    counts.forEach((node, n) -> line.append(String.format("%s %3d%%  ", node, Math.round(100.0 * n / total))));
    return line.append("(").append(total).append(" calls)").toString();
  }

  private static String node(RpcServer server) {
    return server.localAddress().getHostString() + ":" + server.port();
  }
}
