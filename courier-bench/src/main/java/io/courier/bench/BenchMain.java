package io.courier.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The launcher: runs every target's server and load client, each in a JVM of its own, one target at a time,
 * then prints the results table and writes it to {@code docs/benchmarks.md} and to a CSV.
 *
 * <pre>
 * mvn -B -q -DskipTests install &amp;&amp; java -jar courier-bench/target/courier-bench.jar --quick
 * </pre>
 *
 * <p>{@code --transports} measures {@code add} at 16 in flight on Courier over TCP, HTTP/1.1 and WebSocket, each
 * in the clear and inside TLS (certificates made once per run by {@link BenchPki}), and on gRPC + JSON, and
 * writes only the page's Transports section. {@code --peers} measures {@code add} from the server to the client
 * beside the client to the server, and one subscription's items per second on Courier beside gRPC's server
 * streaming, and writes only the page's Peers and streams section. {@code --cluster} measures the client
 * balancing over several servers ({@link ClusterRun}): {@code add} at 16 and 128 in flight through a static list
 * of three servers beside one server called directly, the two alternating window by window, then kills one of
 * the three under load ({@link Failover}) several times and times how the calls avoid it; it writes only the
 * page's Several servers section. Run with {@code --help} for the options.
 */
public final class BenchMain {

  static final String JAR_COMMAND = "java -jar courier-bench/target/courier-bench.jar";
  static final List<String> SERVER_FLAGS = List.of("-XX:+UseG1GC", "-Xmx2g");
  static final List<String> CLIENT_FLAGS = List.of("-XX:+UseG1GC", "-Xmx4g");
  /** Other work on the CPUs, as a fraction, above which a target's figures get a warning. */
  private static final double BUSY_WARNING = 0.15;
  /** File descriptors the idle row needs beyond the connections themselves. */
  private static final int SPARE_FILE_DESCRIPTORS = 1024;

  private final Options options;
  private final String classPath = System.getProperty("java.class.path");

  private BenchMain(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    // In --cluster this process makes calls itself; its clients' routine lines (each server they call) would
    // bury the progress lines, while their warnings (a lost connection) belong with them.
    System.setProperty("org.slf4j.simpleLogger.log.io.courier", "warn");
    // The zk:// row's ZooKeeper runs in this process; its info lines would bury the progress lines.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.curator", "warn");
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("courier-bench: " + e.getMessage());
      System.err.print(Options.usage());
      System.exit(2);
      return;
    }
    if (options.help) {
      System.out.print(Options.usage());
      return;
    }
    if (options.version) {
      Options.commandLine(new Options()).printVersionHelp(System.out);
      return;
    }
    System.exit(new BenchMain(options).run(String.join(" ", args)));
  }

  /** Runs the plan; returns 0 when every row was measured (errors or not), 1 otherwise. */
  private int run(String args) throws Exception {
    long start = System.nanoTime();
    Machine machine = Machine.probe();
    Plan plan = options.plan;
    Report report = new Report(plan, machine, (JAR_COMMAND + " " + args).trim(),
        ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS));
    int idleConnections = plan.idleConnections();
    long needed = (long) idleConnections + SPARE_FILE_DESCRIPTORS;
    if (idleConnections > 0 && machine.maxFileDescriptors() >= 0 && machine.maxFileDescriptors() < needed) {
      report.note("Idle connections not measured: the open-file limit (`ulimit -n`) is "
          + machine.maxFileDescriptors() + "; " + Format.count(idleConnections) + " connections need at least "
          + needed + ".");
      idleConnections = 0;
    }
    Path logs = options.csv.toAbsolutePath().getParent().resolve("bench-logs");
    Files.createDirectories(logs);
    System.out.printf("courier-bench %s on %s%n", plan.mode(), machine.describe());
    System.out.printf("cells %s; about %d s per target; logs in %s%n", plan.allCells(),
        plan.estimatePerTarget().toSeconds() + 5, logs);
    List<String> noScale = options.targets.stream().filter(t -> !t.hasScaleRows()).map(t -> "`" + t.id() + "`")
        .toList();
    if (!noScale.isEmpty() && (plan.manyConnections() > 0 || idleConnections > 0)) {
      report.note("No scale or idle rows for " + String.join(", ", noScale) + ": the bench drives those rows "
          + "with a raw TCP client of its own.");
    }
    if (plan.alternates()) {
      new ClusterRun(plan, options.targets, options.kills, classPath, options.baselineJar, logs, report).run();
    } else {
      // One CA and server certificate for the run, made before any server starts; handed out as --tls DIR.
      Path pki = options.targets.stream().anyMatch(Target::tls) ? BenchPki.create() : null;
      try {
        measure(plan, report, pki, idleConnections, logs);
      } finally {
        if (pki != null) {
          BenchPki.delete(pki);
        }
      }
    }

    report.took(Duration.ofNanos(System.nanoTime() - start));
    System.out.println();
    System.out.print(report.tables());
    Report.write(options.csv, report.csv());
    Report.write(samplesFile(options.csv), report.samplesCsv());
    if (!report.killRows().isEmpty()) {
      Report.write(siblingFile(options.csv, "-kills"), report.killsCsv());
    }
    System.out.println("\nCSV: " + options.csv);
    if (options.markdown != null) {
      String existing = Files.exists(options.markdown) ? Files.readString(options.markdown) : null;
      Report.write(options.markdown, report.page(existing));
      System.out.println("Page: " + options.markdown + (plan.isTransports() ? " (its Transports section)"
          : plan.isPeers() ? " (its Peers and streams section)"
          : plan.isCluster() ? " (its Several servers section)"
          : plan.isObservability() ? " (its Metrics and tracing section)"
          : plan.isSpring() ? " (its Spring Boot section)" : ""));
    }
    System.out.printf("%s run took %d s%n", plan.mode(), Duration.ofNanos(System.nanoTime() - start).toSeconds());
    boolean complete = report.rows().stream().allMatch(Row::measured)
        && report.idleRows().stream().allMatch(IdleRow::measured)
        && report.killRows().stream().allMatch(KillRow::measured);
    return complete ? 0 : 1;
  }

  /** Measures every target in turn, its server and its load client each in a JVM of its own. */
  private void measure(Plan plan, Report report, Path pki, int idleConnections, Path logs)
      throws Exception {
    for (Target target : options.targets) {
      System.out.println("== " + target.label());
      warnIfBusy(report, target.label());
      List<String> tls = tlsArgs(target, pki);
      String serverClassPath = target.baseline() ? options.baselineJar.toString() : classPath;
      try (ServerProcess server = ServerProcess.start(target, tls, serverClassPath, SERVER_FLAGS,
          logs.resolve(target.id() + "-server.log"))) {
        load(target, server, tls, plan, report, logs);
        if (idleConnections > 0 && target.hasScaleRows()) {
          idle(target, server, idleConnections, report, logs);
        }
      } catch (Exception e) {
        String reason = "not run: " + LoadClientMain.oneLine(e);
        System.out.println(target.label() + ": " + reason);
        for (Cell cell : plan.cellsFor(target)) {
          report.add(Row.failed(target, cell, reason));
        }
      }
    }
  }

  /** Samples the CPUs for half a second and adds a note when other work kept them busy before {@code what}. */
  static void warnIfBusy(Report report, String what) throws InterruptedException {
    OptionalDouble busy = Machine.busy(Duration.ofMillis(500));
    if (busy.isPresent() && busy.getAsDouble() > BUSY_WARNING) {
      String note = String.format(Locale.ROOT, "The CPUs were %.0f%% busy with other work just before %s was "
          + "measured; its figures may be low.", 100 * busy.getAsDouble(), what);
      System.out.println("  warning: " + note);
      report.note(note);
    }
  }

  /** {@code --tls DIR} for a TLS target's server and client, else nothing. */
  private static List<String> tlsArgs(Target target, Path pki) {
    return target.tls() ? List.of("--tls", pki.toString()) : List.of();
  }

  private static Path samplesFile(Path csv) {
    return siblingFile(csv, "-samples");
  }

  /** {@code bench-results.csv} with {@code suffix}: {@code bench-results<suffix>.csv}, beside it. */
  private static Path siblingFile(Path csv, String suffix) {
    String name = csv.getFileName().toString();
    String base = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return csv.resolveSibling(base + suffix + ".csv");
  }

  /** Runs the plan's cells against a started server in a load-client JVM, adding a row per cell. */
  private void load(Target target, ServerProcess server, List<String> tls, Plan plan, Report report, Path logs)
      throws IOException, InterruptedException {
    List<Cell> cells = plan.cellsFor(target);
    List<String> args = new ArrayList<>(List.of("--target", target.id(), "--host", "127.0.0.1",
        "--port", Integer.toString(server.port()),
        "--cells", String.join(",", cells.stream().map(Cell::spec).toList()),
        "--jit-ms", Long.toString(plan.jitWarmup().toMillis()),
        "--warmup-ms", Long.toString(plan.warmup().toMillis()),
        "--window-ms", Long.toString(plan.window().toMillis()),
        "--reps", Integer.toString(plan.repetitions())));
    args.addAll(tls);
    Map<Cell, List<Sample>> samples = new LinkedHashMap<>();
    Map<Cell, String> failures = new LinkedHashMap<>();
    String ended = null;
    long deadline = System.currentTimeMillis() + plan.estimatePerTarget().multipliedBy(2).toMillis() + 180_000;
    try (Jvm client = Jvm.start(target.id() + " client", classPath, CLIENT_FLAGS, LoadClientMain.class, args,
        logs.resolve(target.id() + "-client.log"))) {
      while (true) {
        String line = client.nextLine(Math.max(1, deadline - System.currentTimeMillis()));
        if (line == null) {
          ended = "the load client did not finish in time; see " + client.log();
          break;
        }
        if (line.equals(Jvm.END)) {
          break;
        }
        if (line.startsWith(Sample.PREFIX)) {
          Sample s = Sample.parse(line);
          samples.computeIfAbsent(s.cell(), c -> new ArrayList<>()).add(s);
          System.out.println("  " + s.describe());
        } else if (line.startsWith("FAILED ")) {
          String[] f = line.split(" ", 3);
          failures.put(Cell.parse(f[1]), (f.length > 2 ? f[2] : "failed") + "; see " + client.log());
          System.out.println("  " + line);
        }
      }
      if (ended == null && client.waitFor(10_000) && client.exitValue() != 0) {
        ended = "the load client exited with " + client.exitValue() + "; see " + client.log();
      }
    }
    for (Cell cell : cells) {
      List<Sample> got = samples.get(cell);
      if (got != null && got.size() == plan.repetitions()) {
        report.add(new Row(target, cell, got, null));
      } else {
        report.add(Row.failed(target, cell, failures.getOrDefault(cell,
            ended != null ? ended : "the load client measured it " + (got == null ? 0 : got.size()) + " of "
                + plan.repetitions() + " times; see " + logs.resolve(target.id() + "-client.log"))));
      }
    }
  }

  /** Reads the server's heap and threads before and while an idle client holds {@code count} connections. */
  private void idle(Target target, ServerProcess server, int count, Report report, Path logs) {
    List<String> args = List.of("--target", target.id(), "--host", "127.0.0.1",
        "--port", Integer.toString(server.port()), "--idle", Integer.toString(count));
    try {
      ServerStats before = server.stats();
      try (Jvm client = Jvm.start(target.id() + " idle client", classPath, CLIENT_FLAGS, LoadClientMain.class, args,
          logs.resolve(target.id() + "-idle-client.log"))) {
        client.awaitLine("HOLDING ", 600_000);
        ServerStats held = server.stats();
        client.send("release");
        client.waitFor(60_000);
        IdleRow row = new IdleRow(target, count, before, held, null);
        report.add(row);
        System.out.printf("  idle %s connections: %s B of heap each; server threads %d -> %d%n",
            Format.count(count), Format.count(row.bytesPerConnection()), before.threads(), held.threads());
      }
    } catch (Exception e) {
      String reason = "failed: " + LoadClientMain.oneLine(e);
      System.out.println("  idle: " + reason);
      report.add(IdleRow.failed(target, count, reason));
    }
  }

  /**
   * The command line, parsed by picocli, and what follows from it: the plan, the targets and the files to write.
   * Not thread-safe; made once per run.
   */
  @Command(name = JAR_COMMAND, mixinStandardHelpOptions = true, versionProvider = Version.class,
      sortOptions = false, usageHelpWidth = 112,
      synopsisHeading = "usage: ",
      customSynopsis = {JAR_COMMAND,
          "    [--quick | --full | --smoke | --transports | --peers | --cluster | --observability | --spring]",
          "    [options]"},
      description = {"", "Runs every target's server and load client, each in a JVM of its own, one target at a "
          + "time, then prints the results table and writes it to a page (docs/benchmarks.md) and a CSV."},
      optionListHeading = "%nOptions:%n",
      footer = {"", "Exit status: 0 every row measured (with errors or not), 1 some row not measured, 2 bad usage."})
  static final class Options {
    Plan plan = Plan.full();
    Boolean scale;
    List<Target> targets;
    boolean help;
    boolean version;

    // Not an exclusive group: picocli would refuse a mode given twice, which the hand-written parser took. resolve()
    // refuses two different modes instead.
    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "%nModes (one at most):%n")
    List<Mode> modes = new ArrayList<>();

    @Option(names = "--kills", order = 1, paramLabel = "N",
        description = "--cluster's kills per way of declaring add (default ${DEFAULT-VALUE})")
    int kills = ClusterRun.KILLS;

    @Option(names = "--targets", order = 4, paramLabel = "LIST",
        description = {"Comma-separated, of: courier, courier-io, courier-tls, courier-http, courier-https, "
            + "courier-ws, courier-wss, courier-peer, grpc-json, grpc-json-pool, grpc-binary, jsonrpc4j, netty-echo, "
            + "courier-baseline, courier-io-baseline, courier-list (default: the mode's; the courier-tls ... "
            + "courier-wss ones have no scale or idle rows; courier-list, the list of 3 servers, only with --cluster)"})
    String targetIds;

    @Option(names = "--baseline-jar", order = 5, paramLabel = "JAR",
        description = "The courier-bench.jar of another build, whose Courier server the *-baseline targets run "
            + "(called by this build's client): before and after a change in one run")
    Path baselineJar;

    @Option(names = "--jit-ms", order = 6, paramLabel = "N",
        description = "Unmeasured run of each cell before any is measured (JIT warm-up), in ms "
            + "(default: the mode's)")
    Long jitMs;

    @Option(names = "--warmup-ms", order = 7, paramLabel = "N",
        description = "Warm-up window per cell, in ms (default: the mode's)")
    Long warmupMs;

    @Option(names = "--window-ms", order = 8, paramLabel = "N",
        description = "Measured window, in ms (default: the mode's)")
    Long windowMs;

    @Option(names = "--reps", order = 9, paramLabel = "N",
        description = "Measured windows per cell (default: the mode's)")
    Integer reps;

    @Option(names = "--markdown", order = 10, paramLabel = "FILE",
        description = "The page to write (default docs/benchmarks.md; none in --smoke)")
    Path markdown;

    @Option(names = "--no-markdown", order = 11, description = "Write no page")
    boolean noMarkdown;

    @Option(names = "--csv", order = 12, paramLabel = "FILE",
        description = "The CSV to write (default courier-bench/target/bench-results.csv; bench-smoke.csv, "
            + "bench-transports.csv ... for the other modes)")
    Path csv;

    /** {@code --scale}; the parameter guards against picocli calling a setter with its option's default. */
    @Option(names = "--scale", order = 2,
        description = "Add the scale rows (1,000 connections; 10,000 idle connections) to --quick")
    void scale(boolean on) {
      if (on) {
        scale = true;
      }
    }

    @Option(names = "--no-scale", order = 3, description = "Leave the scale rows out")
    void noScale(boolean on) {
      if (on) {
        scale = false;
      }
    }

    /**
     * Parses {@code args} and applies the mode's defaults.
     *
     * @throws IllegalArgumentException for a command line that cannot be run as given, with what is wrong
     */
    static Options parse(String[] args) {
      Options o = new Options();
      CommandLine commandLine = commandLine(o);
      try {
        commandLine.parseArgs(args);
      } catch (ParameterException e) {
        throw new IllegalArgumentException(message(e), e);
      }
      o.help = commandLine.isUsageHelpRequested();
      o.version = commandLine.isVersionHelpRequested();
      if (!o.help && !o.version) {
        o.resolve();
      }
      return o;
    }

    /** The help, as {@code --help} prints it. */
    static String usage() {
      return commandLine(new Options()).getUsageMessage();
    }

    /** Picocli's command line over {@code options}, set up as both parsing and the help need it. */
    static CommandLine commandLine(Options options) {
      CommandLine commandLine = new CommandLine(options)
          // As the hand-written parser had it: an option given twice takes its last value.
          .setOverwrittenOptionsAllowed(true);
      // The modes first, as the hand-written usage had them; picocli lists a group's options after the others.
      Map<String, IHelpSectionRenderer> sections = commandLine.getHelpSectionMap();
      sections.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING,
          help -> help.optionListGroupSections() + help.optionListHeading());
      sections.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST,
          help -> help.optionListExcludingGroups(help.commandSpec().options().stream()
              .filter(option -> option.group() == null).toList()));
      return commandLine;
    }

    /** Picocli's message, with its guess at what was meant when an option is misspelt. */
    private static String message(ParameterException e) {
      // main prefixes the program's name; picocli's "Error: " on a few messages would only repeat that.
      String message = e.getMessage().startsWith("Error: ") ? e.getMessage().substring(7) : e.getMessage();
      if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
        return message + " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)";
      }
      return message;
    }

    /** The checks and defaults that depend on several options, once picocli has set them. */
    private void resolve() {
      List<String> given = modes.stream().flatMap(m -> m.names().stream()).distinct().toList();
      if (given.size() > 1) {
        throw new IllegalArgumentException("--" + String.join(" and --", given)
            + " exclude each other (one mode at most)");
      }
      Plan p = Plan.forMode(given.isEmpty() ? "full" : given.get(0));
      p = p.withWindows(jitMs == null ? p.jitWarmup() : Duration.ofMillis(jitMs),
          warmupMs == null ? p.warmup() : Duration.ofMillis(warmupMs),
          windowMs == null ? p.window() : Duration.ofMillis(windowMs), reps == null ? p.repetitions() : reps);
      if (Boolean.TRUE.equals(scale) && p.manyConnections() == 0) {
        Plan full = Plan.full();
        p = p.withScale(full.manyConnections(), full.idleConnections());
      } else if (Boolean.FALSE.equals(scale)) {
        p = p.withScale(0, 0);
      }
      plan = p;
      if (baselineJar != null) {
        baselineJar = baselineJar.toAbsolutePath();
      }
      if (targetIds != null) {
        targets = Arrays.stream(targetIds.split(",")).map(Target::byId).toList();
      } else {
        targets = switch (p.mode()) {
          case "smoke" -> Target.SMOKE;
          case "transports" -> Target.TRANSPORTS;
          case "peers" -> Target.PEERS;
          case "cluster" -> Target.CLUSTER;
          case "observability" -> baselineJar == null ? Target.OBSERVABILITY
              : List.of(Target.COURIER, Target.COURIER_OBSERVED, Target.COURIER_OBSERVED_SAMPLED,
                  Target.COURIER_BASELINE);
          case "spring" -> Target.SPRING;
          case "full" -> Target.FULL;
          default -> Target.DEFAULTS;
        };
      }
      if (kills < 0) {
        throw new IllegalArgumentException("--kills: " + kills + " (expected: >= 0)");
      }
      if (!p.isCluster() && targets.stream().anyMatch(Target::cluster)) {
        throw new IllegalArgumentException("the " + Target.COURIER_LIST.id() + " target needs --cluster");
      }
      if (targets.stream().anyMatch(Target::baseline) && baselineJar == null) {
        throw new IllegalArgumentException("the *-baseline targets need --baseline-jar");
      }
      if (baselineJar != null && !Files.isRegularFile(baselineJar)) {
        throw new IllegalArgumentException("--baseline-jar: no such file: " + baselineJar);
      }
      Path root = repositoryRoot();
      boolean smoke = p.mode().equals("smoke");
      if (noMarkdown) {
        markdown = null;
      } else if (markdown == null && !smoke) {
        markdown = root.resolve("docs").resolve("benchmarks.md");
      }
      if (csv == null) {
        csv = root.resolve("courier-bench").resolve("target")
            .resolve(smoke ? "bench-smoke.csv" : p.isTransports() ? "bench-transports.csv"
                : p.isPeers() ? "bench-peers.csv" : p.isCluster() ? "bench-cluster.csv"
                : p.isObservability() ? "bench-observability.csv" : p.isSpring() ? "bench-spring.csv"
                : "bench-results.csv");
      }
    }

    /** The repository root (the directory holding courier-bench/), searched upwards; else the working dir. */
    private static Path repositoryRoot() {
      Path cwd = Path.of("").toAbsolutePath();
      for (Path d = cwd; d != null; d = d.getParent()) {
        if (Files.exists(d.resolve("courier-bench").resolve("pom.xml"))) {
          return cwd.relativize(d);
        }
      }
      return Path.of("");
    }
  }

  /** The modes: presets of cells, windows, targets and the page section written; one at most per run. */
  static final class Mode {

    @Option(names = "--quick", order = 1,
        description = "add at 1, 16 and 128 in flight, echo 64 KiB at 16; 2 s windows (under 3 minutes)")
    boolean quick;

    @Option(names = "--full", order = 2,
        description = "Every workload at 1, 16 and 128 in flight, and the scale rows (the default); also "
            + "gRPC + JSON with its default thread pool (grpc-json-pool)")
    boolean full;

    @Option(names = "--smoke", order = 3,
        description = "200 ms windows, one repetition, a reduced matrix and small scale rows (CI); also add at 16 "
            + "on courier-http, courier-wss and courier-peer, and the stream")
    boolean smoke;

    @Option(names = "--transports", order = 4,
        description = "add at 16 in flight on Courier over TCP, HTTP/1.1 and WebSocket, each in the clear and "
            + "inside TLS, and on gRPC + JSON; --quick's windows after an 8 s warm-up (about 2 minutes); writes "
            + "only the Transports section of the page")
    boolean transports;

    @Option(names = "--peers", order = 5,
        description = "add at 16 and 128 in flight from the server to the client (courier-peer) beside the client "
            + "to the server, and one subscription's items/s on Courier (defaults and I/O thread) beside gRPC "
            + "server streaming; --quick's windows (about 3 minutes); writes only the Peers and streams section "
            + "of the page")
    boolean peers;

    @Option(names = "--cluster", order = 6,
        description = "add at 16 and 128 in flight through a static list of 3 servers beside 1 server called "
            + "directly, alternating window by window (--quick's windows, 5 repetitions, after a 3 s JIT warm-up "
            + "per cell and server); then, 16 calls in flight through the list, one server killed (SIGKILL) and "
            + "the time until calls avoid it, the failed calls and retries, for add as declared and for add "
            + "marked @Idempotent on the client; about 3 minutes; writes only the Several servers section of the "
            + "page")
    boolean cluster;

    @Option(names = "--observability", order = 7,
        description = "add at 16 and 128 in flight with metrics (courier-micrometer) and tracing "
            + "(courier-opentelemetry; every call, or 1 in 10, traced; spans dropped) on, beside both off, "
            + "alternating window by window as --cluster does (about 2 minutes; with --baseline-jar, also the "
            + "baseline build's server); writes only the Metrics and tracing section of the page")
    boolean observability;

    @Option(names = "--spring", order = 8,
        description = "add at 16 and 128 in flight on a Spring Boot application serving it through "
            + "courier-spring-boot-starter, beside the same service on a bare RpcServer, alternating window by "
            + "window as --cluster does (about 2 minutes); writes only the Spring Boot section of the page")
    boolean spring;

    /** The modes given, by their names for {@link Plan#forMode}, in the help's order. */
    List<String> names() {
      List<String> names = new ArrayList<>();
      boolean[] given = {quick, full, smoke, transports, peers, cluster, observability, spring};
      String[] all = {"quick", "full", "smoke", "transports", "peers", "cluster", "observability", "spring"};
      for (int i = 0; i < all.length; i++) {
        if (given[i]) {
          names.add(all[i]);
        }
      }
      return names;
    }
  }

  /** The build's version, written into {@code version.properties} by Maven's resource filtering. */
  static final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = BenchMain.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"courier-bench " + properties.getProperty("version", "(unknown version)")};
    }
  }
}
