package io.courier.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The results of one run and the three forms they are written in: the markdown tables printed on stdout, the
 * whole {@code docs/benchmarks.md} page (tables plus the command, date, machine and method), and CSV files (one
 * line per row, and one per measured window). A {@code --transports} run writes only the page's Transports
 * section, between {@link #TRANSPORTS_BEGIN} and {@link #TRANSPORTS_END}, a {@code --peers} run only its Peers
 * and streams section, a {@code --cluster} run only its Several servers section, an {@code --observability} run
 * only its Metrics and tracing section, a {@code --spring} run only its Spring Boot section, and the other runs
 * keep those
 * sections as they find them. Such a run also refreshes the
 * page's "How to run" and "How it measures", which describe the bench as built, not a run. Not thread-safe.
 */
final class Report {

  static final String BUILD_AND_RUN =
      "mvn -B -q -DskipTests install && java -jar courier-bench/target/courier-bench.jar --quick";
  static final String TRANSPORTS_BEGIN = "<!-- transports: begin; written by courier-bench --transports -->";
  static final String TRANSPORTS_END = "<!-- transports: end -->";
  static final String BASELINE_BEGIN = "<!-- before and after: begin; written by courier-bench --baseline-jar -->";
  static final String BASELINE_END = "<!-- before and after: end -->";
  static final String PEERS_BEGIN = "<!-- peers: begin; written by courier-bench --peers -->";
  static final String PEERS_END = "<!-- peers: end -->";
  static final String CLUSTER_BEGIN = "<!-- cluster: begin; written by courier-bench --cluster -->";
  static final String CLUSTER_END = "<!-- cluster: end -->";
  static final String OBSERVABILITY_BEGIN =
      "<!-- observability: begin; written by courier-bench --observability -->";
  static final String OBSERVABILITY_END = "<!-- observability: end -->";
  static final String SPRING_BEGIN = "<!-- spring: begin; written by courier-bench --spring -->";
  static final String SPRING_END = "<!-- spring: end -->";
  private static final String HOW_TO_RUN = "## How to run";
  private static final String THIS_RUN = "## This run";
  private static final String HOW_IT_MEASURES = "## How it measures";

  private final Plan plan;
  private final Machine machine;
  private final String command;
  private final ZonedDateTime date;
  private final List<Row> rows = new ArrayList<>();
  private final List<IdleRow> idleRows = new ArrayList<>();
  private final List<KillRow> killRows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private Duration took = Duration.ZERO;

  Report(Plan plan, Machine machine, String command, ZonedDateTime date) {
    this.plan = plan;
    this.machine = machine;
    this.command = command;
    this.date = date;
  }

  void add(Row row) {
    rows.add(row);
    if (row.failure() != null) {
      note(row.target().label() + ", " + row.cell().spec() + ": " + row.failure());
    }
  }

  void add(IdleRow row) {
    idleRows.add(row);
  }

  void add(KillRow row) {
    killRows.add(row);
    if (row.failure() != null) {
      note(row.target().label() + ", kill to avoid, add " + row.variant().label() + ": " + row.failure());
    }
  }

  void note(String note) {
    notes.add(note);
  }

  void took(Duration took) {
    this.took = took;
  }

  /** Rows in the plan's cell order, targets in their declared order within a cell. */
  List<Row> rows() {
    List<Cell> order = plan.allCells();
    return rows.stream()
        .sorted(Comparator.<Row>comparingInt(r -> order.indexOf(r.cell())).thenComparing(Row::target))
        .toList();
  }

  List<IdleRow> idleRows() {
    return List.copyOf(idleRows);
  }

  List<KillRow> killRows() {
    return List.copyOf(killRows);
  }

  /** This row's calls per second over the reference target's for the same cell, when both were measured. */
  OptionalDouble ratio(Row row) {
    return ratio(row, Target.REFERENCE);
  }

  /** This row's calls per second over {@code base}'s for the same cell, when both were measured. */
  OptionalDouble ratio(Row row, Target base) {
    if (!row.measured()) {
      return OptionalDouble.empty();
    }
    return rows.stream()
        .filter(r -> r.target() == base && r.cell().equals(row.cell()) && r.measured()
            && r.callsPerSecond() > 0)
        .mapToDouble(r -> row.callsPerSecond() / r.callsPerSecond())
        .findFirst();
  }

  // ------------------------------------------------------------------------------------------------ markdown

  String resultsTable() {
    StringBuilder b = new StringBuilder();
    b.append("| workload | in flight | connections | target | calls/s | spread (min–max) | p50 | p99 | p99.9 "
        + "| errors | vs ").append(Target.REFERENCE.label()).append(" |\n");
    b.append("|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Row r : rows()) {
      Cell c = r.cell();
      b.append("| ").append(c.workload().label())
          .append(" | ").append(c.inFlight())
          .append(" | ").append(Format.count(c.connections()))
          .append(" | ").append(r.target().label());
      if (r.measured()) {
        appendFigures(b, r);
        b.append(" | ").append(ratioText(ratio(r))).append(" |\n");
      } else {
        b.append(" | not measured (see notes) | | | | | | |\n");
      }
    }
    return b.toString();
  }

  String idleTable() {
    StringBuilder b = new StringBuilder();
    b.append("| target | idle connections | server heap after GC: before → held | heap per connection "
        + "| server threads: before → held | note |\n");
    b.append("|---|--:|--:|--:|--:|---|\n");
    for (IdleRow r : idleRows) {
      b.append("| ").append(r.target().label()).append(" | ").append(Format.count(r.connections()));
      if (r.measured()) {
        b.append(" | ").append(mib(r.before().heapAfterGc())).append(" → ").append(mib(r.held().heapAfterGc()))
            .append(" | ").append(Format.count(r.bytesPerConnection())).append(" B")
            .append(" | ").append(r.before().threads()).append(" → ").append(r.held().threads())
            .append(" | ").append(r.note() == null ? "" : r.note()).append(" |\n");
      } else {
        b.append(" | — | — | — | ").append(r.note()).append(" |\n");
      }
    }
    return b.toString();
  }

  /** The columns every results table shares: calls/s, their spread, p50, p99, p99.9 and errors. */
  private static void appendFigures(StringBuilder b, Row r) {
    b.append(" | ").append(Format.count(r.callsPerSecond()))
        .append(" | ").append(Format.count(r.minCallsPerSecond())).append("–")
        .append(Format.count(r.maxCallsPerSecond()))
        .append(" | ").append(latency(r, r.p50()))
        .append(" | ").append(latency(r, r.p99()))
        .append(" | ").append(latency(r, r.p999()))
        .append(" | ").append(r.errors());
  }

  /** A latency figure, or a dash for the stream workload, which measures none. */
  private static String latency(Row r, double nanos) {
    return r.cell().workload().isStream() ? "—" : Format.latency(nanos);
  }

  private static String ratioText(OptionalDouble ratio) {
    return ratio.isPresent() ? Format.ratio(ratio.getAsDouble()) : "—";
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  /** The transports table: each row's transport, TLS or not, and ratios to Courier over TCP and to the reference. */
  String transportsTable() {
    StringBuilder b = new StringBuilder();
    b.append("| target | transport | TLS | calls/s | spread (min–max) | p50 | p99 | p99.9 | errors ")
        .append("| vs Courier, TCP | vs ").append(Target.REFERENCE.label()).append(" |\n");
    b.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Row r : rows()) {
      b.append("| ").append(r.target().label())
          .append(" | ").append(r.target().transport())
          .append(" | ").append(r.target().tls() ? "yes" : "no");
      if (r.measured()) {
        appendFigures(b, r);
        b.append(" | ").append(ratioText(ratio(r, Target.COURIER)))
            .append(" | ").append(ratioText(ratio(r))).append(" |\n");
      } else {
        b.append(" | not measured (see notes) | | | | | | | |\n");
      }
    }
    return b.toString();
  }

  /**
   * The peers tables: {@code add} both ways round, each row's calls/s over Courier's (client to server) at the
   * same in-flight level; then the stream workload, each row's items/s over gRPC + JSON's.
   */
  String peersTable() {
    StringBuilder b = new StringBuilder();
    b.append("| workload | in flight | target | calls/s | spread (min–max) | p50 | p99 | p99.9 | errors ")
        .append("| vs Courier |\n");
    b.append("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Row r : rows()) {
      if (r.cell().workload().isStream()) {
        continue;
      }
      b.append("| ").append(r.cell().workload().label())
          .append(" | ").append(r.cell().inFlight())
          .append(" | ").append(r.target().label());
      if (r.measured()) {
        appendFigures(b, r);
        b.append(" | ").append(ratioText(ratio(r, Target.COURIER))).append(" |\n");
      } else {
        b.append(" | not measured (see notes) | | | | | | |\n");
      }
    }
    b.append("\n| workload | subscriptions | target | items/s | spread (min–max) | errors | vs ")
        .append(Target.REFERENCE.label()).append(" |\n");
    b.append("|---|--:|---|--:|--:|--:|--:|\n");
    for (Row r : rows()) {
      if (!r.cell().workload().isStream()) {
        continue;
      }
      b.append("| ").append(r.cell().workload().label())
          .append(" | ").append(r.cell().inFlight())
          .append(" | ").append(r.target().label());
      if (r.measured()) {
        b.append(" | ").append(Format.count(r.callsPerSecond()))
            .append(" | ").append(Format.count(r.minCallsPerSecond())).append("–")
            .append(Format.count(r.maxCallsPerSecond()))
            .append(" | ").append(r.errors())
            .append(" | ").append(ratioText(ratio(r))).append(" |\n");
      } else {
        b.append(" | not measured (see notes) | | | |\n");
      }
    }
    return b.toString();
  }

  /** The tables as printed at the end of a run. */
  String tables() {
    StringBuilder b = new StringBuilder(plan.isTransports() ? transportsTable()
        : plan.isPeers() ? peersTable() : plan.isCluster() ? clusterTables()
        : plan.isObservability() || plan.isSpring() ? alternatingTable() : resultsTable());
    if (!idleRows.isEmpty()) {
      b.append('\n').append(idleTable());
    }
    if (!notes.isEmpty()) {
      b.append('\n');
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    return b.toString();
  }

  /** The whole {@code docs/benchmarks.md} page. */
  String markdown() {
    String windows = windows();
    StringBuilder b = new StringBuilder();
    b.append("# Benchmarks\n\n")
        .append("Courier against gRPC-java, jsonrpc4j and a raw Netty echo server, measured by the `courier-bench` ")
        .append("module. This page is written by the bench; run it again to refresh it.\n\n")
        .append(howToRun())
        .append("## This run\n\n")
        .append(runFacts())
        .append("- mode: ").append(plan.mode()).append(": ").append(windows).append("; it took ")
        .append(minutes(took)).append('\n')
        .append("- figures: calls/s is the median of the measured windows, spread their minimum and maximum; ")
        .append("each latency percentile is the median of the windows' percentiles\n\n")
        .append("## Results\n\n")
        .append(resultsTable());
    if (!idleRows.isEmpty()) {
      b.append("\n### Idle connections\n\n").append(idleTable());
    }
    if (!notes.isEmpty()) {
      b.append("\n### Notes\n\n");
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    b.append('\n').append(howItMeasures());
    return b.toString();
  }

  /** The page's "How to run" section, heading included, ending with a blank line. */
  static String howToRun() {
    StringBuilder b = new StringBuilder();
    b.append(HOW_TO_RUN).append("\n\n")
        .append("From the repository root, build everything and run the quick mode (under 3 minutes on 2 cores):\n\n")
        .append("```sh\n").append(BUILD_AND_RUN).append("\n```\n\n")
        .append("`--full` (the default) measures every workload at every in-flight level with both scale rows ")
        .append("(about 20 minutes on 2 cores); `--smoke` is the one-minute run CI makes (`BenchSmokeIT`, in ")
        .append("`mvn verify`). `--scale` adds the scale rows to `--quick`; `--targets courier,grpc-json` limits ")
        .append("the targets; `--jit-ms`, `--warmup-ms`, `--window-ms` and `--reps` change the windows. ")
        .append("Each run prints its ")
        .append("table, writes this page (`--markdown FILE`, or `--no-markdown`) and a CSV ")
        .append("(`--csv FILE`, default `courier-bench/target/bench-results.csv`, with every window in ")
        .append("`bench-results-samples.csv` beside it); the servers' and clients' logs go to ")
        .append("`courier-bench/target/bench-logs/`. `--transports` measures Courier over each of its transports ")
        .append("and writes only the [Transports](#transports) section, which the other runs keep. ")
        .append("`--baseline-jar JAR --targets courier,courier-baseline,courier-io,courier-io-baseline` measures ")
        .append("the Courier server of another build (its `courier-bench.jar`) beside this one's in one run and ")
        .append("writes only the [Before and after](#before-and-after) section, which the other runs keep too. ")
        .append("`--peers` measures Courier calling from the server to the client beside the client calling the ")
        .append("server, and a subscription's items per second beside gRPC's server streaming, and writes only ")
        .append("the [Peers and streams](#peers-and-streams) section, which the other runs keep as well. ")
        .append("`--cluster` (about 5 minutes) measures the client balancing over a static list of three servers ")
        .append("and over the same found through ZooKeeper, beside one server called directly, and how its ")
        .append("calls avoid a server killed under load ")
        .append("(`--kills N` times for each way of declaring `add`, default ").append(ClusterRun.KILLS)
        .append("), and writes only the [Several servers](#several-servers) section, which the other runs keep ")
        .append("too. `--observability` (about 2 minutes) measures Courier with metrics and tracing on beside ")
        .append("both off (with `--baseline-jar JAR`, also the server of that build) and writes only the ")
        .append("[Metrics and tracing](#metrics-and-tracing) section. `--spring` (about 2 minutes) measures ")
        .append("`add` served by a Spring Boot application through `courier-spring-boot-starter` beside the same ")
        .append("service on a bare `RpcServer`, and writes only the [Spring Boot](#spring-boot) section.\n\n");
    return b.toString();
  }

  /** The page's "How it measures" section, heading included, the last of the page. */
  static String howItMeasures() {
    StringBuilder b = new StringBuilder();
    b.append(HOW_IT_MEASURES).append("\n\n")
        .append("- Every server runs in a JVM of its own (`java -cp courier-bench.jar io.courier.bench.<Target> ")
        .append("--port P`), and so does the load client of each target; all on 127.0.0.1, one target at a time. ")
        .append("Client and server share the machine's cores, so the figures compare the targets with each ")
        .append("other on this machine; they are not the capacity of a server on a machine of its own. Before ")
        .append("each target the bench samples the CPUs for half a second and adds a note when other work was ")
        .append("running. At 1 call in flight a call is mostly threads waking each other across cores, which on ")
        .append("a virtual machine can differ several times over from one run to the next (an idle virtual CPU ")
        .append("is slow to wake): compare rows of the same run, and mind the spread.\n")
        .append("- Workload, the same for every target and checked on every call (a wrong result is an error): ")
        .append("`add(a, b)` of two ints, and `echo(s)` of an ASCII string of 1 KiB, 64 KiB or 1 MiB. A closed ")
        .append("loop keeps 1, 16 or 128 calls in flight: each ended call starts the next. Latency is from the ")
        .append("call to its completion as the client library delivers it (HdrHistogram).\n")
        .append("- **Courier**: `RpcServer` with its defaults (methods on its worker pool); one `RpcClient` ")
        .append("(one connection, every call in flight on it) through a proxy returning `CompletableFuture`, ")
        .append("completed on the client's default callback executor. `courier-tls`, `courier-http`, ")
        .append("`courier-https`, `courier-ws` and `courier-wss` run the same server (with TLS for the secure ")
        .append("ones) and the same client with a `tls://`, `http://`, `https://`, `ws://` or `wss://` target; ")
        .append("`--transports` measures them (see [Transports](#transports)); they have no scale or idle rows. ")
        .append("**Courier, I/O thread**: the settings a user picks for methods that never block, the service ")
        .append("class marked `@NonBlocking` (methods run on the I/O thread that read the call) and the client's ")
        .append("`callbackExecutor(Runnable::run)` (futures completed on its I/O thread).\n")
        .append("- **gRPC + JSON / gRPC + binary**: gRPC-java (Netty, shaded) unary calls through hand-written ")
        .append("method descriptors, no protoc; messages as JSON through Jackson (`{\"a\":1,\"b\":2}` → ")
        .append("`{\"value\":3}`, the same JSON work) or in a compact binary form (8 bytes for two ints, UTF-8 ")
        .append("for strings). `directExecutor()` on server and channel, plaintext, no deadline: gRPC's fastest ")
        .append("setting, the counterpart of Courier, I/O thread. **gRPC + JSON, thread pool** (`--full`) keeps ")
        .append("gRPC's default executors instead (methods and callbacks on its cached thread pool), the ")
        .append("counterpart of Courier's defaults. One channel, `ClientCalls.asyncUnaryCall`. gRPC, Courier and ")
        .append("the bench's lean client pick Netty's native epoll transport where available; the echo server ")
        .append("uses Netty's NIO.\n")
        .append("- **jsonrpc4j** 1.6: its socket `StreamServer` around a `JsonRpcBasicServer` (what `StreamServer` ")
        .append("takes; `JsonRpcServer` only adds servlet handling), with `TCP_NODELAY` set on accepted sockets: ")
        .append("`StreamServer` leaves Nagle's algorithm on and writes each reply's newline separately, which ")
        .append("otherwise costs a 40 ms delayed ACK per call. It answers one call at a time per connection, so ")
        .append("the client opens one socket per call in flight, each running a blocking request/response loop of ")
        .append("newline-terminated requests on a thread of its own.\n")
        .append("- **Netty echo**: the transport's ceiling. A Netty server set up as Courier's echoes each ")
        .append("newline-terminated line without parsing it; a lean Netty client pipelines the bytes of the same ")
        .append("JSON-RPC request on one connection, flushing once per burst, and checks that the ")
        .append("same bytes come back.\n")
        .append("- Scale rows (`--full`, or `--quick --scale`): ").append(Plan.SCALE_IN_FLIGHT)
        .append(" `add` calls in flight spread over ").append(Format.count(Plan.full().manyConnections()))
        .append(" connections (a call takes a connection with nothing in flight, or, for gRPC, the next channel ")
        .append("in turn; every connection is opened and has made one call before the loop starts), measured right ")
        .append("after the one-connection `add` at ").append(Plan.SCALE_IN_FLIGHT)
        .append(" in flight it is compared with. For Courier ")
        .append("these connections are driven by a lean Netty client of the bench's own (one I/O thread for all) ")
        .append("sending the same JSON-RPC requests, because each `RpcClient` owns an I/O thread and a timer ")
        .append("thread. Idle connections: the server's heap after `System.gc()` and its threads, read by the ")
        .append("server process itself, before and while a client holds ")
        .append(Format.count(Plan.full().idleConnections()))
        .append(" connections, each having made one call; the heap difference is divided by the connections.\n")
        .append("- **Courier, server to client** (`courier-peer`, in `--peers` and `--smoke`): the same server. ")
        .append("The load client's `RpcClient` serves the bench service with Courier's defaults ")
        .append("(`service(BenchService.class, impl)`: methods on the client's worker pool) and calls the server's ")
        .append("`").append(CourierTarget.DRIVE).append("`, whose method runs the same closed loop in the server ")
        .append("process against its caller, through `RpcContext.current().peer().create(AsyncBench.class)` ")
        .append("(futures completed on the server's default callback executor, the common pool), for the cell's ")
        .append("warm-up and windows, and returns each window's figures. Calls/s and latency are measured on the ")
        .append("server, which makes the calls. Each end keeps Courier's defaults, as in the Courier row, so the ")
        .append("ratio of the two compares the same machinery turned around. No scale or idle rows.\n")
        .append("- **Stream of ints** (`--peers`, `--smoke`): one subscription per row to an endless stream of ")
        .append("ints 0, 1, 2, …, each item checked (a wrong one is an error); the figure is items received per ")
        .append("second, with no latency. The subscriber requests ").append(StreamMeter.INITIAL)
        .append(" items when it subscribes and ").append(StreamMeter.TOP_UP).append(" more each time it has ")
        .append("consumed ").append(StreamMeter.TOP_UP).append(" (so between ").append(StreamMeter.TOP_UP)
        .append(" and ").append(StreamMeter.INITIAL).append(" are asked for and not received), on every ")
        .append("target. Courier: a server method returning a `Flow.Publisher<Integer>` that emits as it is asked, ")
        .append("subscribed with `RpcClient.subscribe`; demand travels as `$/demand`, items come as `$/items` ")
        .append("notifications (up to 64 per message). **Courier** keeps the defaults (the method that returns ")
        .append("the publisher on the worker pool, items delivered on the client's callback executor); **Courier, ")
        .append("I/O thread** marks the method `@NonBlocking` and sets `callbackExecutor(Runnable::run)`. ")
        .append("**gRPC + JSON / + binary**: a server-streaming method through a hand-written descriptor, each ")
        .append("int as its JSON number or its 4 bytes, `directExecutor()` on both ends; the server emits while ")
        .append("`ServerCallStreamObserver.isReady()` and resumes in its on-ready handler (gRPC's flow control: ")
        .append("HTTP/2 windows and its outbound buffer threshold), and the client turns automatic inbound flow ")
        .append("control off (`disableAutoRequestWithInitial(").append(StreamMeter.INITIAL).append(")`) and ")
        .append("calls `request(").append(StreamMeter.TOP_UP).append(")` by the same policy.\n")
        .append("- **Several servers** (`--cluster`): the balancing rows run ").append(Target.LIST_SERVERS)
        .append(" Courier servers with their defaults, each in a JVM of its own, called by one `RpcClient` with ")
        .append("the target `tcp://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` and its defaults (round robin, a ")
        .append("connection to each server), and a fourth server called directly (`tcp://127.0.0.1:p`), each ")
        .append("client in a load client JVM of its own, through the same proxy and closed loop as the Courier ")
        .append("row. Each load client first runs each cell unmeasured for ").append(millis(Plan.CLUSTER_JIT_WARMUP))
        .append(" per server of its target (longer than `--quick`'s JIT warm-up: four servers and two clients ")
        .append("compile on these cores at once, and each server of the list gets a third of the calls). ")
        .append("The zk:// row's three servers register in a ZooKeeper the launcher runs in its process ")
        .append("(Curator's `TestingServer`), and its client's target is `zk://127.0.0.1:z/bench`; the three-names ")
        .append("rows call one more server. ")
        .append("Every load client and server runs for the whole of the rows, and the launcher ")
        .append("has the load clients measure one window at a time, the targets in turn ")
        .append("within each repetition (the other way round in the next), each window after a warm-up window ")
        .append("of its own on the same client and connections, so that the machine's swings fall on both ")
        .append("alike. Kill to avoid: in the launcher's own process, a client of three fresh servers keeps ")
        .append(Failover.IN_FLIGHT).append(" `add` calls in flight for ").append(millis(ClusterRun.BEFORE_KILL))
        .append(", then one server is killed with `Process.destroyForcibly()` (SIGKILL: no goodbye, the kernel ")
        .append("closes its sockets) and calls go on for ").append(millis(ClusterRun.AFTER_KILL))
        .append("; the killed server is replaced by a new one before the next kill, and each kill takes the ")
        .append("next server in turn. Every call's start, end and error are noted on the launcher's clock, and ")
        .append("`RpcClient.retries()` is read as each call ends, to see when calls were sent again. `add` is ")
        .append("called as the bench service declares it (not idempotent), and, in turns with it, through an ")
        .append("interface that marks the same server method `@Idempotent` on the client's side only.\n")
        .append("- Ratios: each row's calls/s over ").append(Target.REFERENCE.label())
        .append("'s for the same workload, in-flight level and connections; in the Peers and streams section, ")
        .append("the calls' over Courier's (client to server) and the streams' items/s over ")
        .append(Target.REFERENCE.label()).append("'s; in the Several servers section, the calls' over those ")
        .append("of one server called directly.\n");
    return b.toString();
  }

  /**
   * The page to write over {@code existing} (the page as it is, or null): for a {@code --transports} run the
   * existing page with its Transports section replaced or added, for a {@code --peers} run the same with its
   * Peers and streams section, for a {@code --cluster} run with its Several servers section, for a run with
   * baseline targets the same with its Before and after section,
   * each also with its "How to run" and "How it measures" as this build describes them; for the others the
   * whole new page, with the existing page's four sections kept.
   */
  String page(String existing) {
    String base = existing != null ? existing : "# Benchmarks\n\nWritten by the `courier-bench` module; run "
        + "`" + BenchMain.JAR_COMMAND + " --quick` for the other sections.\n";
    if (plan.isTransports()) {
      return withMethod(withSection(base, transportsSection(), TRANSPORTS_BEGIN, TRANSPORTS_END));
    }
    if (plan.isPeers()) {
      return withMethod(withSection(base, peersSection(), PEERS_BEGIN, PEERS_END));
    }
    if (plan.isCluster()) {
      return withMethod(withSection(base, clusterSection(), CLUSTER_BEGIN, CLUSTER_END));
    }
    if (plan.isObservability()) {
      return withMethod(withSection(base, observabilitySection(), OBSERVABILITY_BEGIN, OBSERVABILITY_END));
    }
    if (plan.isSpring()) {
      return withMethod(withSection(base, springSection(), SPRING_BEGIN, SPRING_END));
    }
    if (hasBaseline()) {
      return withMethod(withSection(base, baselineSection(), BASELINE_BEGIN, BASELINE_END));
    }
    String page = markdown();
    for (String[] markers : List.of(new String[] {TRANSPORTS_BEGIN, TRANSPORTS_END},
        new String[] {PEERS_BEGIN, PEERS_END}, new String[] {BASELINE_BEGIN, BASELINE_END},
        new String[] {CLUSTER_BEGIN, CLUSTER_END}, new String[] {OBSERVABILITY_BEGIN, OBSERVABILITY_END},
        new String[] {SPRING_BEGIN, SPRING_END})) {
      String kept = existing == null ? null : sectionOf(existing, markers[0], markers[1]);
      if (kept != null) {
        page = withSection(page, kept, markers[0], markers[1]);
      }
    }
    return page;
  }

  /**
   * {@code page} with its "How to run" (up to "This run") and its "How it measures" (to the end) replaced by
   * this build's; either is left alone when the page has no such heading.
   */
  static String withMethod(String page) {
    int run = page.indexOf(HOW_TO_RUN + "\n");
    int thisRun = page.indexOf(THIS_RUN + "\n", Math.max(run, 0));
    if (run >= 0 && thisRun >= 0) {
      page = page.substring(0, run) + howToRun() + page.substring(thisRun);
    }
    int measures = page.indexOf("\n" + HOW_IT_MEASURES + "\n");
    if (measures >= 0) {
      page = page.substring(0, measures + 1) + howItMeasures();
    }
    return page;
  }

  /** The delimited section of {@code page}, markers included, or null. */
  static String sectionOf(String page, String beginMarker, String endMarker) {
    int begin = page.indexOf(beginMarker);
    int end = page.indexOf(endMarker, Math.max(begin, 0));
    return begin < 0 || end < 0 ? null : page.substring(begin, end + endMarker.length());
  }

  /** {@code page} with its delimited section replaced by {@code section}, or else the section put in before
   * "How it measures", or else at the end. */
  static String withSection(String page, String section, String beginMarker, String endMarker) {
    String old = sectionOf(page, beginMarker, endMarker);
    if (old != null) {
      return page.replace(old, section);
    }
    int at = page.indexOf("\n" + HOW_IT_MEASURES + "\n");
    if (at >= 0) {
      return page.substring(0, at + 1) + section + "\n\n" + page.substring(at + 1);
    }
    return page + (page.endsWith("\n") ? "\n" : "\n\n") + section + "\n";
  }

  /**
   * The Peers and streams section, markers included, without a final line break: {@code add} from the server
   * to the client beside the client to the server, and one subscription's items per second beside gRPC's
   * server streaming, with the ratios the issue asks for spelled out.
   */
  String peersSection() {
    StringBuilder b = new StringBuilder();
    b.append(PEERS_BEGIN).append("\n")
        .append("## Peers and streams\n\n")
        .append("Every Courier connection is a peer: the server calls methods its client serves, and a server ")
        .append("method returning a `Flow.Publisher` streams to a subscriber with demand-driven backpressure. ")
        .append("Measured in one run: `add` from the server to the client beside the client to the server, on ")
        .append("one connection at ").append(Plan.PEERS_CELLS.get(0).inFlight()).append(" and ")
        .append(Plan.PEERS_CELLS.get(1).inFlight()).append(" calls in flight, and the items per second of one ")
        .append("subscription to a stream of ints beside gRPC's server streaming of the same int. This section ")
        .append("is written by `").append(BenchMain.JAR_COMMAND).append(" --peers` alone; the other runs keep it ")
        .append("as it is. How: see [How it measures](#how-it-measures), the Courier, server to client and the ")
        .append("Stream of ints items.\n\n")
        .append(runFacts())
        .append("- windows: ").append(windows()).append("; it took ").append(minutes(took)).append('\n')
        .append("- figures: as in the Results table: the median of the windows, their spread, and the median of ")
        .append("each latency percentile; a stream has no latency\n");
    List<String> ratios = new ArrayList<>();
    for (Row peer : rows()) {
      if (peer.target() == Target.COURIER_PEER) {
        ratio(peer, Target.COURIER).ifPresent(x -> ratios.add("server to client over client to server at "
            + peer.cell().inFlight() + " in flight: " + Format.ratio(x)));
      }
    }
    for (Row stream : rows()) {
      if (stream.cell().workload().isStream() && stream.target().courierScheme() != null) {
        ratio(stream).ifPresent(x -> ratios.add(stream.target().label() + " stream over "
            + Target.REFERENCE.label() + "'s: " + Format.ratio(x)));
      }
    }
    if (!ratios.isEmpty()) {
      b.append("- ratios: ").append(String.join("; ", ratios)).append('\n');
    }
    b.append('\n').append(peersTable());
    appendNotes(b);
    b.append(PEERS_END);
    return b.toString();
  }

  /**
   * The Several servers tables: calls/s of each target of the balancing rows, with its ratio to one server
   * called directly; then kill to avoid, its medians and maxima per target and way of declaring {@code add}, and
   * each kill. A target added to {@link Target#CLUSTER} gets its rows in both.
   */
  String clusterTables() {
    StringBuilder b = new StringBuilder(alternatingTable());
    if (killRows.isEmpty()) {
      return b.toString();
    }
    b.append("\n| target | `add` | kills | kill → first new call answered: median / max ")
        .append("| kill → last failure or retry: median / max | failed calls per kill: median / max ")
        .append("| of which sent | retries per kill: median / max | errors, all kills |\n");
    b.append("|---|---|--:|--:|--:|--:|--:|--:|---|\n");
    for (KillRow k : killRows) {
      b.append("| ").append(k.target().label()).append(" | ").append(k.variant().label())
          .append(" | ").append(k.trials().size());
      if (!k.measured()) {
        b.append(" | not measured (see notes) | | | | | |\n");
        continue;
      }
      b.append(" | ").append(k.anyUnanswered() ? "none in a kill (see below)"
              : Format.latency(k.median(Failover.Trial::firstAnswer)) + " / "
                  + Format.latency(k.max(Failover.Trial::firstAnswer)))
          .append(" | ").append(Format.latency(k.median(Failover.Trial::lastTrouble))).append(" / ")
          .append(Format.latency(k.max(Failover.Trial::lastTrouble)))
          .append(" | ").append(figure(k.median(Failover.Trial::failed))).append(" / ")
          .append(figure(k.max(Failover.Trial::failed)))
          .append(" | ").append(k.failedSent()).append(" of ").append(k.failed())
          .append(" | ").append(figure(k.median(Failover.Trial::retries))).append(" / ")
          .append(figure(k.max(Failover.Trial::retries)))
          .append(" | ").append(allErrors(k)).append(" |\n");
    }
    b.append("\n| target | `add` | kill | server killed | first new call answered | last failure or retry ")
        .append("| failed (sent) | errors | retries | calls answered after the kill | failed before it |\n");
    b.append("|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|\n");
    for (KillRow k : killRows) {
      int n = 0;
      for (Failover.Trial t : k.trials()) {
        b.append("| ").append(k.target().label()).append(" | ").append(k.variant().label())
            .append(" | ").append(++n)
            .append(" | ").append(t.killed() + 1)
            .append(" | ").append(t.firstAnswer() < 0 ? "none" : Format.latency(t.firstAnswer()))
            .append(" | ").append(t.lastTrouble() == 0 ? "—" : Format.latency(t.lastTrouble()))
            .append(" | ").append(t.failed()).append(" (").append(t.failedSent()).append(")")
            .append(" | ").append(t.describeErrors())
            .append(" | ").append(t.retries())
            .append(" | ").append(Format.count(t.answered()))
            .append(" | ").append(t.failedBefore()).append(" |\n");
      }
    }
    return b.toString();
  }

  /**
   * The rows of a run whose targets took turns window by window ({@code --cluster}'s balancing rows,
   * {@code --observability}): calls/s of each target with its ratio to {@link Target#COURIER}, one server called
   * directly with Courier's defaults.
   */
  String alternatingTable() {
    StringBuilder b = new StringBuilder();
    b.append("| workload | in flight | target | servers | calls/s | spread (min–max) | p50 | p99 | p99.9 | errors ")
        .append("| vs ").append(Target.COURIER.label()).append(" |\n");
    b.append("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Row r : rows()) {
      b.append("| ").append(r.cell().workload().label())
          .append(" | ").append(r.cell().inFlight())
          .append(" | ").append(r.target().label())
          .append(" | ").append(r.target().servers());
      if (r.measured()) {
        appendFigures(b, r);
        b.append(" | ").append(ratioText(ratio(r, Target.COURIER))).append(" |\n");
      } else {
        b.append(" | not measured (see notes) | | | | | | |\n");
      }
    }
    return b.toString();
  }

  /**
   * The Metrics and tracing section, markers included, without a final line break: {@code add} with both on
   * beside both off, and with a baseline build's server when the run had one, each as a ratio to both off.
   */
  String observabilitySection() {
    return alternatingSection(OBSERVABILITY_BEGIN, OBSERVABILITY_END, "Metrics and tracing",
        "What turning on metrics and tracing costs: `add` at " + inFlightLevels() + " calls in flight on Courier "
            + "with both on at both ends (`courier-micrometer`'s listener on a Prometheus registry with its "
            + "defaults, a histogram of durations; `courier-opentelemetry`'s interceptors on an OpenTelemetry SDK "
            + "that samples every call, propagates the W3C trace context in each request and batches its spans to "
            + "an exporter that drops them) beside both off, and the same with one call in " + Target.SAMPLED_ONE_IN
            + " traced (the client samples by trace id; the server follows), the targets taking turns window by "
            + "window. A run given `--baseline-jar` also measures the server of that build, the code before a "
            + "change, with both off and called by this build's client.",
        "--observability",
        "The issue expects both on at 0.9× or more of both off, and both off unchanged from the code before the "
            + "hooks (the baseline row, about 1.0×). Client, server and load share this machine's " + machine.cores()
            + " cores, so every microsecond either end spends per call shows.");
  }

  /**
   * The section of a run whose targets took turns window by window against {@link Target#COURIER}, markers
   * included, without a final line break: what it measures, the run's facts and ratios, what the issue expects,
   * the table and the notes.
   */
  private String alternatingSection(String begin, String end, String heading, String what, String option,
      String expectation) {
    StringBuilder b = new StringBuilder();
    b.append(begin).append("\n")
        .append("## ").append(heading).append("\n\n")
        .append(what).append(" This section is written by `").append(BenchMain.JAR_COMMAND).append(' ')
        .append(option).append("` alone; the other runs keep it as it is.\n\n")
        .append(runFacts())
        .append("- windows: ").append(windows()).append(", the targets taking turns window by window, each ")
        .append("window after a warm-up window of its own; it took ").append(minutes(took)).append('\n');
    appendRatiosToCourier(b);
    b.append('\n').append(expectation).append("\n\n").append(alternatingTable());
    appendNotes(b);
    b.append(end);
    return b.toString();
  }

  /** The in-flight levels the alternating runs measure, as prose: "16 and 128". */
  private static String inFlightLevels() {
    return Plan.CLUSTER_CELLS.get(0).inFlight() + " and " + Plan.CLUSTER_CELLS.get(1).inFlight();
  }

  /** Appends the run's notes under a heading of their own, when it has any. */
  private void appendNotes(StringBuilder b) {
    if (!notes.isEmpty()) {
      b.append("\nNotes:\n\n");
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
  }

  /**
   * Appends, for an alternating run, each target's calls/s over {@link Target#COURIER}'s at each level, of the
   * medians and window by window.
   */
  private void appendRatiosToCourier(StringBuilder b) {
    List<String> ratios = new ArrayList<>();
    for (Row r : rows()) {
      if (r.target() != Target.COURIER) {
        ratio(r, Target.COURIER).ifPresent(x -> ratios.add(r.target().label() + " over " + Target.COURIER.label()
            + " at " + r.cell().inFlight() + " in flight: " + Format.ratio(x) + pairedRatios(r)));
      }
    }
    if (!ratios.isEmpty()) {
      b.append("- ratios (of the medians; in brackets, of the windows measured one after the other in each ")
          .append("repetition, and their median): ").append(String.join("; ", ratios)).append('\n');
    }
  }

  /**
   * The Spring Boot section, markers included, without a final line break: {@code add} served through the
   * starter beside a bare server, as a ratio to the bare server.
   */
  String springSection() {
    return alternatingSection(SPRING_BEGIN, SPRING_END, "Spring Boot",
        "What serving through `courier-spring-boot-starter` costs: `add` at " + inFlightLevels() + " calls in "
            + "flight on a Spring Boot application (`@SpringBootApplication`, the service a `@CourierService` "
            + "bean, the port from `courier.server.*`, the starter's defaults otherwise) beside the same service on "
            + "a bare `RpcServer` with Courier's defaults, both called by the same client, the targets taking turns "
            + "window by window.",
        "--spring",
        "The issue expects the starter at 0.95× or more of the bare server: once started, a call meets the same "
            + "server, so what differs is the application around it (its threads, its heap).");
  }

  /**
   * {@code row}'s calls/s over one server's, window by window: {@code --cluster} measures the two targets' i-th
   * windows next to each other, so these ratios are spared the machine's slower swings. Empty unless both rows
   * have every window.
   */
  private String pairedRatios(Row row) {
    Row direct = rows.stream().filter(r -> r.target() == Target.COURIER && r.cell().equals(row.cell()))
        .findFirst().orElse(null);
    if (direct == null || direct.samples().size() != row.samples().size() || row.samples().size() < 2) {
      return "";
    }
    double[] paired = new double[row.samples().size()];
    for (int i = 0; i < paired.length; i++) {
      double base = direct.samples().get(i).callsPerSecond();
      paired[i] = base > 0 ? row.samples().get(i).callsPerSecond() / base : 0;
    }
    return " (" + Arrays.stream(paired).mapToObj(Format::ratio).collect(Collectors.joining(", "))
        + "; median " + Format.ratio(Row.median(paired)) + ")";
  }

  /** A median or maximum of counts: whole, or with one decimal for the mean of two middles. */
  private static String figure(double value) {
    return value == Math.rint(value) ? Format.count(value) : String.format(Locale.ROOT, "%.1f", value);
  }

  /** The failed calls of every kill of {@code row} by kind, most frequent first. */
  private static String allErrors(KillRow row) {
    Map<String, Integer> all = new TreeMap<>();
    row.trials().forEach(t -> t.errors().forEach((kind, n) -> all.merge(kind, n, Integer::sum)));
    return Failover.describe(all);
  }

  /**
   * The Several servers section, markers included, without a final line break: the balancing rows and kill to
   * avoid, with the ratios the issue asks for spelled out. Rows of another target of several servers (a
   * {@code zk://} one) are appended to its tables as they are measured.
   */
  String clusterSection() {
    StringBuilder b = new StringBuilder();
    b.append(CLUSTER_BEGIN).append("\n")
        .append("## Several servers\n\n")
        .append("A client given several servers of one service balances its calls over them (round robin, its ")
        .append("default) and sends a call that failed unsent, or that a server refused unprocessed, or an ")
        .append("`@Idempotent` call whose connection was lost, to another server. Measured in one run: what ")
        .append("balancing costs, `add` at ").append(Plan.CLUSTER_CELLS.get(0).inFlight()).append(" and ")
        .append(Plan.CLUSTER_CELLS.get(1).inFlight()).append(" calls in flight through a static list of ")
        .append(Target.LIST_SERVERS).append(" servers (`tcp://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`) and ")
        .append("through ZooKeeper (`zk://127.0.0.1:z/bench`, the same three servers registered in a ZooKeeper ")
        .append("run by the launcher) beside one server called directly (`tcp://127.0.0.1:p`); two more rows ")
        .append("take the list apart: one server under three names (`tcp://127.0.0.1:p,localhost:p,LOCALHOST:p`, ")
        .append("which the client counts as three servers with a connection each: the cost of spreading calls ")
        .append("over connections, without more server processes), and the same with every call routed by one ")
        .append("key under consistent hashing (the whole balancer chooses per call, always the same connection: ")
        .append("the cost of choosing). And kill to avoid, one of the ")
        .append(Target.LIST_SERVERS).append(" servers killed while ").append(Failover.IN_FLIGHT)
        .append(" calls are in flight through the list. This section is written by `")
        .append(BenchMain.JAR_COMMAND).append(" --cluster` alone; the other runs keep it as it is. How: see ")
        .append("[How it measures](#how-it-measures), the Several servers item.\n\n")
        .append(runFacts())
        .append("- windows: ").append(windows()).append(" (the JIT warm-up is per server: a list of ")
        .append(Target.LIST_SERVERS).append(" gets ").append(Target.LIST_SERVERS).append(" times as long), the ")
        .append("targets taking turns window by window, each window after a warm-up window of its own; it took ")
        .append(minutes(took)).append('\n');
    if (!killRows.isEmpty()) {
      b.append("- kills: ").append(killRows.get(0).trials().size()).append(" per way of declaring `add`, each ")
          .append("after ").append(millis(ClusterRun.BEFORE_KILL)).append(" of calls and followed by ")
          .append(millis(ClusterRun.AFTER_KILL)).append(" more\n");
    }
    List<String> ratios = new ArrayList<>();
    for (Row r : rows()) {
      if (r.target() != Target.COURIER) {
        ratio(r, Target.COURIER).ifPresent(x -> ratios.add(r.target().label() + " over one server at "
            + r.cell().inFlight() + " in flight: " + Format.ratio(x) + pairedRatios(r)));
      }
    }
    if (!ratios.isEmpty()) {
      b.append("- ratios (of the medians; in brackets, of the windows measured one after the other in each ")
          .append("repetition, and their median): ").append(String.join("; ", ratios)).append('\n');
    }
    b.append("\nAll the servers share this machine's ").append(machine.cores()).append(" cores with each ")
        .append("other and with the load client, so the list of ").append(Target.LIST_SERVERS)
        .append(" is not expected to be faster than one server: its rows measure what choosing a server per ")
        .append("call, and ").append(Target.LIST_SERVERS).append(" servers' connections and threads instead of ")
        .append("one's, cost. The issue expects the list at most 5 % below one server (0.95× or more); the ")
        .append("routing-key row is the cost of choosing alone, the three-names row adds the split over three ")
        .append("connections (fewer calls per read and per write on each), and the list of three servers adds ")
        .append("three server processes taking turns on the same cores.\n\n")
        .append("Kill to avoid, per kill: *first new call answered* is the time from the kill to the end of the ")
        .append("first call started after it that succeeded; *last failure or retry* the time to the last call ")
        .append("that failed, or to the last call seen ending after the client's `retries()` had gone up ")
        .append("(— for neither); *failed* counts the calls that failed after the kill, and *sent* those of ")
        .append("them that failed with a `ConnectionException` whose `wasSent()` is true (written to the ")
        .append("killed server, so they may have run there; the client must not send a call that is not ")
        .append("idempotent again); errors are by code, -32005 being connection lost; *retries* counts the ")
        .append("calls the client sent again (`RpcClient.retries()`) after the kill.\n\n")
        .append(clusterTables());
    appendNotes(b);
    b.append(CLUSTER_END);
    return b.toString();
  }

  /** Whether the run measured a baseline build's server beside this build's. */
  private boolean hasBaseline() {
    return rows.stream().anyMatch(r -> r.target().baseline());
  }

  /**
   * The Before and after section, markers included, without a final line break: each Courier row of this build
   * beside the same row of the baseline build, measured in the same run.
   */
  String baselineSection() {
    StringBuilder b = new StringBuilder();
    b.append(BASELINE_BEGIN).append("\n")
        .append("## Before and after\n\n")
        .append("Courier's server as built now and as built before the latest change (`--baseline-jar`, the ")
        .append("`courier-bench.jar` of the earlier build), measured in one run, one after the other, each ")
        .append("called by this build's client. This section is written by such a run alone; the other runs keep ")
        .append("it as it is.\n\n")
        .append(runFacts())
        .append("- windows: ").append(windows()).append("; it took ").append(minutes(took)).append("\n\n")
        .append("| workload | in flight | target | calls/s now | calls/s before | now / before | p99 now ")
        .append("| p99 before |\n")
        .append("|---|--:|---|--:|--:|--:|--:|--:|\n");
    for (Row now : rows()) {
      Target before = now.target() == Target.COURIER ? Target.COURIER_BASELINE
          : now.target() == Target.COURIER_IO ? Target.COURIER_IO_BASELINE : null;
      Row was = before == null ? null : rows.stream()
          .filter(r -> r.target() == before && r.cell().equals(now.cell())).findFirst().orElse(null);
      if (was == null || !now.measured() || !was.measured()) {
        continue;
      }
      b.append("| ").append(now.cell().workload().label())
          .append(" | ").append(now.cell().inFlight())
          .append(" | ").append(now.target().label())
          .append(" | ").append(Format.count(now.callsPerSecond()))
          .append(" | ").append(Format.count(was.callsPerSecond()))
          .append(" | ").append(ratioText(ratio(now, before)))
          .append(" | ").append(Format.latency(now.p99()))
          .append(" | ").append(Format.latency(was.p99())).append(" |\n");
    }
    appendNotes(b);
    b.append(BASELINE_END);
    return b.toString();
  }

  /** The command, date and machine of the run, as the page's list items. */
  private String runFacts() {
    return "- command: `" + command + "`\n"
        + "- date: " + date.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
        + "- machine: " + machine.describe() + "\n";
  }

  private String windows() {
    return "JIT warm-up " + millis(plan.jitWarmup()) + " per cell, then per cell a "
        + millis(plan.warmup()) + " warm-up window and " + plan.repetitions() + " measured window"
        + (plan.repetitions() == 1 ? "" : "s") + " of " + millis(plan.window());
  }

  /** The Transports section of the page, markers included, without a final line break. */
  String transportsSection() {
    String windows = windows();
    StringBuilder b = new StringBuilder();
    b.append(TRANSPORTS_BEGIN).append("\n")
        .append("## Transports\n\n")
        .append("Calls per second of `add` at ").append(Plan.TRANSPORT_CELL.inFlight())
        .append(" calls in flight (one connection; up to 16 over HTTP/1.1), on Courier over each of its transports, in the clear and ")
        .append("inside TLS, measured in one run, with ").append(Target.REFERENCE.label())
        .append(" (HTTP/2 in the clear) as the reference. This section is written by `")
        .append(BenchMain.JAR_COMMAND).append(" --transports` alone; the other runs keep it as it is.\n\n")
        .append(runFacts())
        .append("- windows: ").append(windows).append("; it took ").append(minutes(took)).append('\n')
        .append("- figures: as in the Results table: the median of the windows, their spread, and the median of ")
        .append("each latency percentile\n\n")
        .append(transportsTable());
    appendNotes(b);
    b.append("\nHow: every Courier row runs the same `RpcServer` with Courier's defaults (the bench service on ")
        .append("its worker pool), which serves raw TCP, HTTP/1.1 and WebSocket on one port; for the TLS rows it ")
        .append("is built with `tls(ServerTls.builder(cert, key).build())`, Courier's default TLS engine (the ")
        .append("JDK's, TLS 1.3 here), with an EC P-256 certificate for 127.0.0.1 issued by a CA the bench makes ")
        .append("for the run. The client is one `RpcClient` per row with its defaults, with the target ")
        .append("`tcp://`, `tls://`, `http://…/rpc`, `https://…/rpc`, `ws://…/ws` or `wss://…/ws`: over TCP ")
        .append("and WebSocket one connection with every call in flight on it (a newline-delimited message or a ")
        .append("text frame per call); over HTTP/1.1 one call per POST, on up to 16 keep-alive connections with ")
        .append("one call in flight on each (HTTP/1.1 answers a connection's requests in order, so the client ")
        .append("does not pipeline). The connections, TLS ")
        .append("handshakes included, are made in the unmeasured warm-up, which is longer than `--quick`'s ")
        .append("because on 2 cores a new connection, TLS and HTTP ones most, takes several seconds to reach its ")
        .append("pace (`--quick`'s add@16 gets that time from the cells run before it). These targets have no ")
        .append("scale or idle rows. Ratios are each row's calls/s over Courier over TCP in the clear and over ")
        .append(Target.REFERENCE.label()).append(".\n")
        .append(TRANSPORTS_END);
    return b.toString();
  }

  private static String millis(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String minutes(Duration d) {
    long s = d.toSeconds();
    return s >= 60 ? s / 60 + " min " + s % 60 + " s" : s + " s";
  }

  // ----------------------------------------------------------------------------------------------------- CSV

  /** One line per row: load rows first, then idle rows. */
  String csv() {
    StringBuilder b = new StringBuilder("mode,kind,target,workload,in_flight,connections,repetitions,status,calls,"
        + "errors,calls_per_s_median,calls_per_s_min,calls_per_s_max,p50_us,p99_us,p999_us,ratio_vs_"
        + Target.REFERENCE.id() + ",server_heap_before,server_heap_held,heap_bytes_per_connection,"
        + "server_threads_before,server_threads_held,note\n");
    for (Row r : rows()) {
      Cell c = r.cell();
      List<Object> f = new ArrayList<>(List.of(plan.mode(), "load", r.target().id(), c.workload().spec(),
          c.inFlight(), c.connections(), r.samples().size(), r.measured() ? "ok" : "failed", r.calls(),
          r.errors()));
      if (r.measured()) {
        f.addAll(List.of(round(r.callsPerSecond()), round(r.minCallsPerSecond()), round(r.maxCallsPerSecond()),
            micros(r.p50()), micros(r.p99()), micros(r.p999()),
            ratio(r).stream().mapToObj(x -> String.format(Locale.ROOT, "%.3f", x)).findFirst().orElse("")));
      } else {
        f.addAll(List.of("", "", "", "", "", "", ""));
      }
      f.addAll(List.of("", "", "", "", "", r.failure() == null ? "" : r.failure()));
      b.append(csvLine(f));
    }
    for (IdleRow r : idleRows) {
      List<Object> f = new ArrayList<>(List.of(plan.mode(), "idle", r.target().id(), "idle", 0, r.connections(),
          1, r.measured() ? "ok" : "failed",
          "", "", "", "", "", "", "", "", ""));
      if (r.measured()) {
        f.addAll(List.of(r.before().heapAfterGc(), r.held().heapAfterGc(), r.bytesPerConnection(),
            r.before().threads(), r.held().threads()));
      } else {
        f.addAll(List.of("", "", "", "", ""));
      }
      f.add(r.note() == null ? "" : r.note());
      b.append(csvLine(f));
    }
    return b.toString();
  }

  /** One line per kill of {@code --cluster}'s kill to avoid; times in microseconds from the kill. */
  String killsCsv() {
    StringBuilder b = new StringBuilder("mode,target,add,kill,server_killed,first_answer_us,last_trouble_us,failed,"
        + "failed_sent,errors,retries,answered_after_kill,failed_before_kill\n");
    for (KillRow k : killRows) {
      int n = 0;
      for (Failover.Trial t : k.trials()) {
        b.append(csvLine(List.of(plan.mode(), k.target().id(), k.variant().name().toLowerCase(Locale.ROOT), ++n,
            t.killed() + 1, t.firstAnswer() < 0 ? "" : micros(t.firstAnswer()), micros(t.lastTrouble()),
            t.failed(), t.failedSent(), t.describeErrors(), t.retries(), t.answered(), t.failedBefore())));
      }
    }
    return b.toString();
  }

  /** One line per measured window. */
  String samplesCsv() {
    StringBuilder b = new StringBuilder("mode,target,cell,repetition,calls,errors,nanos,calls_per_s,p50_ns,p99_ns,"
        + "p999_ns,max_ns\n");
    for (Row r : rows()) {
      for (Sample s : r.samples()) {
        b.append(csvLine(List.of(plan.mode(), s.target(), s.cell().spec(), s.repetition(), s.calls(), s.errors(),
            s.nanos(), round(s.callsPerSecond()), s.p50(), s.p99(), s.p999(), s.max())));
      }
    }
    return b.toString();
  }

  private static String round(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String micros(double nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1000);
  }

  private static String csvLine(List<?> fields) {
    return fields.stream().map(f -> {
      String s = String.valueOf(f);
      return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }).collect(Collectors.joining(",")) + "\n";
  }

  static void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
