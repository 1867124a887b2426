package io.courier.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingServer;

/**
 * The {@code --cluster} run, in two parts, each taking the targets as a parameter: a target of one server
 * ({@link Target#COURIER}) and targets of several ({@link Target#COURIER_LIST}, and a {@code zk://} one to come).
 * The {@code --observability} run is its first part alone, over targets of one server each.
 *
 * <p>The balancer's overhead: every target's servers are started at once (each server in a JVM of its own) and a
 * load client per target ({@link LoadClientMain} in {@code --commands} mode), which runs each cell unmeasured for
 * the plan's JIT warm-up times its number of servers; then the launcher has them measure window by window,
 * alternating the targets within each repetition (in turn, then the other way round), so that the machine's
 * swings fall on all of them alike; each window follows a warm-up window of its own on the same client. Only the
 * target being measured is loaded; the others' connections stay idle.
 *
 * <p>Kill to avoid: for each target of several servers, {@link Failover} trials in this process, each killing one
 * of its servers under load and starting a new one in its place for the next trial. Not thread-safe.
 */
final class ClusterRun {

  /** Kills per target and {@link Failover.Variant}, unless {@code --kills} says otherwise. */
  static final int KILLS = 5;
  /** Calls made before a kill: the client's connections are open and at pace. */
  static final Duration BEFORE_KILL = Duration.ofSeconds(2);
  /** Calls made after a kill: past the killed server's first reconnect attempt (1 s ± 20 % by default) and more. */
  static final Duration AFTER_KILL = Duration.ofSeconds(3);
  /** How much longer than its windows a command to a load client may take. */
  private static final long COMMAND_SLACK_MILLIS = 60_000;
  private static final String HOST = "127.0.0.1";

  private final Plan plan;
  private final List<Target> targets;
  private final int kills;
  private final String classPath;
  /** The baseline build's jar, whose server a {@link Target#baseline()} target runs; null without one. */
  private final Path baselineJar;
  private final Path logs;
  private final Report report;
  /** Started by {@link #registry()}; null until a target needs it. */
  private TestingServer zooKeeper;

  ClusterRun(Plan plan, List<Target> targets, int kills, String classPath, Path baselineJar, Path logs,
      Report report) {
    this.plan = plan;
    this.targets = List.copyOf(targets);
    this.kills = kills;
    this.classPath = classPath;
    this.baselineJar = baselineJar;
    this.logs = logs;
    this.report = report;
  }

  void run() throws InterruptedException {
    try {
      BenchMain.warnIfBusy(report, "the balancing");
      balance();
      for (Target target : targets) {
        if (target.cluster() && kills > 0) {
          BenchMain.warnIfBusy(report, "kill to avoid on " + target.label());
          killToAvoid(target);
        }
      }
    } finally {
      if (zooKeeper != null) {
        try {
          zooKeeper.close();
        } catch (IOException e) {
          System.out.println("  stopping the run's ZooKeeper failed: " + e);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- balancing

  /** One target's servers and load client, and what it measured. */
  private final class Side implements AutoCloseable {
    final Target target;
    final List<ServerProcess> servers = new ArrayList<>();
    final Map<Cell, List<Sample>> samples = new LinkedHashMap<>();
    final Map<Cell, String> failures = new LinkedHashMap<>();
    Jvm client;

    Side(Target target) {
      this.target = target;
    }

    void start() throws Exception {
      servers.addAll(startServers(target, target.servers(), "server"));
      List<String> args = new ArrayList<>(List.of("--target", target.id(), "--host", HOST, "--port", ports(servers),
          "--commands"));
      if (target.registered()) {
        args.addAll(List.of("--registry", registry()));
      }
      client = Jvm.start(target.id() + " client", classPath, BenchMain.CLIENT_FLAGS, LoadClientMain.class, args,
          logs.resolve(target.id() + "-client.log"));
    }

    /** Has the load client run {@code cell} once: {@code reps} windows after {@code warmup}. */
    void run(Cell cell, Duration warmup, Duration window, int reps) {
      if (failures.containsKey(cell)) {
        return;
      }
      try {
        client.send("run " + cell.spec() + " " + warmup.toMillis() + " " + window.toMillis() + " " + reps);
        long deadline = System.currentTimeMillis() + warmup.plus(window.multipliedBy(reps)).toMillis()
            + COMMAND_SLACK_MILLIS;
        while (true) {
          String line = client.nextLine(Math.max(1, deadline - System.currentTimeMillis()));
          if (line == null || line.equals(Jvm.END)) {
            throw new IllegalStateException("the load client " + (line == null ? "did not answer in time"
                : "ended") + "; see " + client.log());
          }
          if (line.equals(LoadClientMain.DONE + cell.spec())) {
            return;
          }
          if (line.startsWith(Sample.PREFIX)) {
            Sample s = Sample.parse(line);
            samples.computeIfAbsent(cell, c -> new ArrayList<>()).add(s);
            System.out.println("  " + s.describe());
          } else if (line.startsWith("FAILED ")) {
            throw new IllegalStateException(line.substring("FAILED ".length()) + "; see " + client.log());
          }
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        String reason = "failed: " + LoadClientMain.oneLine(e);
        System.out.println("  " + target.id() + " " + cell + ": " + reason);
        failures.put(cell, reason);
      }
    }

    /** The side's rows, one per cell, once every repetition was run. */
    void report() {
      for (Cell cell : plan.cells()) {
        List<Sample> got = samples.getOrDefault(cell, List.of());
        report.add(got.size() == plan.repetitions() && !failures.containsKey(cell) ? new Row(target, cell, got, null)
            : Row.failed(target, cell, failures.getOrDefault(cell, "measured " + got.size() + " of "
                + plan.repetitions() + " times; see " + logs.resolve(target.id() + "-client.log"))));
      }
    }

    @Override
    public void close() {
      if (client != null) {
        client.close();
      }
      servers.forEach(ServerProcess::close);
    }
  }

  /**
   * Measures every cell on every target: a JIT warm-up of each (cells last to first, as the load client does),
   * then the repetitions, each running every cell on every target, alternating their order.
   */
  private void balance() throws InterruptedException {
    List<Side> sides = new ArrayList<>();
    try {
      for (Target target : targets) {
        Side side = new Side(target);
        sides.add(side);
        System.out.println("== " + target.label() + ": starting " + target.servers() + " server"
            + (target.servers() == 1 ? "" : "s") + " and its load client");
        try {
          side.start();
        } catch (Exception e) {
          String reason = "not run: " + LoadClientMain.oneLine(e);
          System.out.println(target.label() + ": " + reason);
          plan.cells().forEach(c -> side.failures.put(c, reason));
        }
      }
      System.out.println("== JIT warm-up");
      List<Cell> lastFirst = new ArrayList<>(plan.cells());
      Collections.reverse(lastFirst);
      for (Cell cell : lastFirst) {
        for (Side side : sides) {
          // Each server of a list gets a share of the calls: as long again per server gives each as many.
          side.run(cell, plan.jitWarmup().multipliedBy(side.target.servers()), Duration.ZERO, 0);
        }
      }
      for (int rep = 1; rep <= plan.repetitions(); rep++) {
        System.out.println("== repetition " + rep + " of " + plan.repetitions());
        List<Side> order = new ArrayList<>(sides);
        if (rep % 2 == 0) {
          Collections.reverse(order);
        }
        for (Cell cell : plan.cells()) {
          for (Side side : order) {
            side.run(cell, plan.warmup(), plan.window(), 1);
          }
        }
      }
    } finally {
      sides.forEach(Side::close);
    }
    sides.forEach(Side::report);
  }

  // ------------------------------------------------------------------------------------------ kill to avoid

  /**
   * Runs the kill trials of {@code target}: {@link #kills} per variant, the variants taking turns, each trial
   * killing the next server in turn, which is replaced before the next trial.
   */
  private void killToAvoid(Target target) throws InterruptedException {
    System.out.println("== " + target.label() + ": kill to avoid, " + kills + " kills per variant");
    Map<Failover.Variant, List<Failover.Trial>> trials = new LinkedHashMap<>();
    for (Failover.Variant v : Failover.Variant.values()) {
      trials.put(v, new ArrayList<>());
    }
    String failure = null;
    List<ServerProcess> servers = new ArrayList<>();
    try {
      servers.addAll(startServers(target, target.servers(), "kill-server"));
      // This process's calls have not run before: compile them before the first trial.
      Failover.run(uri(target, servers), Failover.Variant.PLAIN, plan.jitWarmup().plus(plan.warmup()),
          Duration.ZERO, -1, () -> { });
      int trial = 0;
      for (int k = 1; k <= kills; k++) {
        List<Failover.Variant> order = new ArrayList<>(trials.keySet());
        if (k % 2 == 0) {
          Collections.reverse(order);
        }
        for (Failover.Variant variant : order) {
          int victim = trial++ % servers.size();
          ServerProcess killed = servers.get(victim);
          Failover.Trial t = Failover.run(uri(target, servers), variant, BEFORE_KILL, AFTER_KILL, victim,
              killed::kill);
          trials.get(variant).add(t);
          System.out.printf("  kill %d, %s, server %d: first new call answered %s after; last failure or retry "
              + "%s after; failed %d (%d sent: %s); retries %d; answered %s; failed before the kill %d%n", k,
              variant.label(), victim + 1, t.firstAnswer() < 0 ? "never" : Format.latency(t.firstAnswer()),
              Format.latency(t.lastTrouble()), t.failed(), t.failedSent(), t.describeErrors(), t.retries(),
              Format.count(t.answered()), t.failedBefore());
          killed.close();
          servers.set(victim, startServers(target, 1, "kill-server-new-" + trial).get(0));
        }
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        throw (InterruptedException) e;
      }
      failure = "failed: " + LoadClientMain.oneLine(e);
      System.out.println("  " + failure);
    } finally {
      servers.forEach(ServerProcess::close);
    }
    for (Map.Entry<Failover.Variant, List<Failover.Trial>> e : trials.entrySet()) {
      String reason = failure != null ? failure : e.getValue().size() < kills ? "ran " + e.getValue().size()
          + " of " + kills + " kills" : null;
      report.add(new KillRow(target, e.getKey(), e.getValue(), reason));
    }
  }

  /** Starts {@code count} of {@code target}'s servers, each logging to {@code <target>-<name>[-i].log}. */
  private List<ServerProcess> startServers(Target target, int count, String name) throws Exception {
    List<ServerProcess> servers = new ArrayList<>();
    try {
      for (int i = 1; i <= count; i++) {
        String log = target.id() + "-" + name + (count == 1 ? "" : "-" + i) + ".log";
        List<String> extra = target.registered() ? List.of("--zk", registry()) : List.of();
        servers.add(ServerProcess.start(target, extra, target.baseline() ? baselineJar.toString() : classPath,
            BenchMain.SERVER_FLAGS, logs.resolve(log)));
      }
    } catch (Exception e) {
      servers.forEach(ServerProcess::close);
      throw e;
    }
    return servers;
  }

  private static String ports(List<ServerProcess> servers) {
    return servers.stream().map(s -> Integer.toString(s.port())).collect(Collectors.joining(","));
  }

  /** The client's target for {@code servers}: {@code tcp://127.0.0.1:p1,127.0.0.1:p2,…}. */
  private String uri(Target target, List<ServerProcess> servers) throws Exception {
    return target.registered() ? CourierTarget.zkUri(registry())
        : CourierTarget.uri(target.courierScheme(), HOST, servers.stream().map(ServerProcess::port).toList());
  }

  /**
   * The ZooKeeper the {@link Target#registered()} targets' servers register in, started in this process on first
   * use and stopped at the end of the run.
   */
  private String registry() throws Exception {
    if (zooKeeper == null) {
      zooKeeper = new TestingServer(true);
    }
    return zooKeeper.getConnectString();
  }
}
