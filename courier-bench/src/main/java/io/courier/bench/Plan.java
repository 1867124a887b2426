package io.courier.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one run measures and for how long: the cells, the windows and the scale rows. The modes are presets; the
 * launcher's options may override the windows. Immutable.
 *
 * @param mode {@code smoke}, {@code quick}, {@code full}, {@code transports}, {@code peers}, {@code cluster},
 *     {@code observability} or {@code spring}
 * @param cells the combinations measured for every target, in order
 * @param jitWarmup how long each cell runs once, unmeasured, before any cell is measured (JIT warm-up)
 * @param warmup the unmeasured window at the start of each measured cell
 * @param window one measured window
 * @param repetitions measured windows per cell; the report gives their median and spread
 * @param manyConnections the scale row's connection count (16 {@code add} calls in flight spread over them),
 *     or 0 for none
 * @param idleConnections idle connections held open while the server's heap and threads are read, or 0 for
 *     none
 */
record Plan(String mode, List<Cell> cells, Duration jitWarmup, Duration warmup, Duration window, int repetitions,
    int manyConnections, int idleConnections) {

  static final int[] IN_FLIGHT = {1, 16, 128};
  static final int SCALE_IN_FLIGHT = 16;
  /** What {@link #transports()} measures, and all that {@link #smoke()} measures of the transport targets. */
  static final Cell TRANSPORT_CELL = Cell.of(Workload.ADD, 16);
  static final Duration TRANSPORTS_WARMUP = Duration.ofSeconds(8);
  /** What {@link #peers()} measures: the calls both ways round, and one subscription. */
  static final List<Cell> PEERS_CELLS = List.of(Cell.of(Workload.ADD, 16), Cell.of(Workload.ADD, 128),
      Cell.of(Workload.STREAM, 1));
  /** What {@link #cluster()} measures, on one server and through a list of several. */
  static final List<Cell> CLUSTER_CELLS = List.of(Cell.of(Workload.ADD, 16), Cell.of(Workload.ADD, 128));
  /** {@link #cluster()}'s JIT warm-up per cell, for each server of a target: a list of 3 gets three times as long. */
  static final Duration CLUSTER_JIT_WARMUP = Duration.ofSeconds(3);

  Plan {
    cells = List.copyOf(cells);
    if (repetitions < 1) {
      throw new IllegalArgumentException("repetitions: " + repetitions + " (expected: >= 1)");
    }
  }

  /**
   * A few hundred milliseconds per cell, one repetition, a reduced matrix and small scale rows: for CI. The
   * stream cell is measured on the targets that {@linkplain Target#supports support} it.
   */
  static Plan smoke() {
    List<Cell> cells = List.of(Cell.of(Workload.ADD, 1), Cell.of(Workload.ADD, 16),
        Cell.of(Workload.echo(64 * 1024), 16), Cell.of(Workload.STREAM, 1));
    return new Plan("smoke", cells, Duration.ofMillis(150), Duration.ofMillis(200), Duration.ofMillis(200), 1,
        50, 200);
  }

  /** {@code add} at 1, 16 and 128 in flight and {@code echo} of 64 KiB at 16, with 2-second windows. */
  static Plan quick() {
    List<Cell> cells = new ArrayList<>();
    for (int n : IN_FLIGHT) {
      cells.add(Cell.of(Workload.ADD, n));
    }
    cells.add(Cell.of(Workload.echo(64 * 1024), 16));
    return new Plan("quick", cells, Duration.ofMillis(750), Duration.ofSeconds(1), Duration.ofSeconds(2), 3, 0, 0);
  }

  /**
   * {@code add} at 16 in flight only, for comparing transports: the JIT warm-up and measured windows of
   * {@link #quick()}, but an 8-second warm-up window, since on 2 cores a connection (TLS and HTTP ones most)
   * takes several seconds to reach its pace while client and server hold both cores, and {@code --quick}'s
   * add@16 gets that time from the cells run before it.
   */
  static Plan transports() {
    Plan quick = quick();
    return new Plan("transports", List.of(TRANSPORT_CELL), quick.jitWarmup(), TRANSPORTS_WARMUP,
        quick.window(), quick.repetitions(), 0, 0);
  }

  /**
   * {@code add} at 16 and 128 in flight and one subscription ({@link #PEERS_CELLS}), with the windows of
   * {@link #quick()}: Courier calling both ways round and streaming, beside gRPC.
   */
  static Plan peers() {
    Plan quick = quick();
    return new Plan("peers", PEERS_CELLS, quick.jitWarmup(), quick.warmup(), quick.window(), quick.repetitions(),
        0, 0);
  }

  /**
   * {@code add} at 16 and 128 in flight ({@link #CLUSTER_CELLS}) on one server and through a list of several, with
   * the warm-up and measured windows of {@link #quick()} but 5 repetitions: the two are compared to within a few
   * per cent on a machine whose pace swings by more than that from one window to the next, so the launcher
   * alternates them window by window, each window after a warm-up window of its own, and more windows steady the
   * medians. The JIT warm-up is {@link #CLUSTER_JIT_WARMUP} per cell and server (see {@link ClusterRun}): with
   * {@code --quick}'s 750 ms, four servers and two clients compiled on 2 cores through the first repetitions,
   * one server's pace climbing fourfold and the list's tenfold from the first to the last.
   */
  static Plan cluster() {
    Plan quick = quick();
    return new Plan("cluster", CLUSTER_CELLS, CLUSTER_JIT_WARMUP, quick.warmup(), quick.window(), 5, 0, 0);
  }

  /** Every workload at every in-flight level, 3-second windows, and both scale rows. */
  static Plan full() {
    List<Cell> cells = new ArrayList<>();
    for (Workload w : List.of(Workload.ADD, Workload.echo(1024), Workload.echo(64 * 1024),
        Workload.echo(1024 * 1024))) {
      for (int n : IN_FLIGHT) {
        cells.add(Cell.of(w, n));
      }
    }
    return new Plan("full", cells, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(3), 3,
        1_000, 10_000);
  }

  /**
   * {@code add} at 16 and 128 in flight ({@link #CLUSTER_CELLS}) with metrics and tracing on and off, alternating
   * window by window as {@link #cluster()} does: the two differ by a few per cent at most, less than the machine's
   * swings between separate runs.
   */
  static Plan observability() {
    return alternatingLike("observability");
  }

  /**
   * {@code add} at 16 and 128 in flight ({@link #CLUSTER_CELLS}) on a bare server and through the Spring Boot
   * starter, alternating window by window as {@link #cluster()} does.
   */
  static Plan spring() {
    return alternatingLike("spring");
  }

  /** {@link #cluster()}'s cells and windows, without its scale rows, under another mode's name. */
  private static Plan alternatingLike(String mode) {
    Plan cluster = cluster();
    return new Plan(mode, CLUSTER_CELLS, cluster.jitWarmup(), cluster.warmup(), cluster.window(),
        cluster.repetitions(), 0, 0);
  }

  static Plan forMode(String mode) {
    return switch (mode) {
      case "smoke" -> smoke();
      case "quick" -> quick();
      case "full" -> full();
      case "transports" -> transports();
      case "peers" -> peers();
      case "cluster" -> cluster();
      case "observability" -> observability();
      case "spring" -> spring();
      default -> throw new IllegalArgumentException("mode: " + mode
          + " (expected: smoke, quick, full, transports, peers, cluster, observability or spring)");
    };
  }

  boolean isTransports() {
    return mode.equals("transports");
  }

  boolean isPeers() {
    return mode.equals("peers");
  }

  boolean isCluster() {
    return mode.equals("cluster");
  }

  boolean isObservability() {
    return mode.equals("observability");
  }

  boolean isSpring() {
    return mode.equals("spring");
  }

  /** Whether the targets take turns window by window ({@link ClusterRun}) rather than one after another. */
  boolean alternates() {
    return isCluster() || isObservability() || isSpring();
  }

  /**
   * The cells measured for every target. The scale row, when there is one, comes right after the
   * one-connection cell it is compared with ({@code add} at {@value #SCALE_IN_FLIGHT} in flight), or last when
   * the plan has no such cell, so that both are measured with the same code compiled. Measured last, after the
   * 1 MiB echoes, it ran while the server's JIT recompiled the call path (dozens of methods made not entrant,
   * about 200 compilations queued), and its windows climbed from half pace to full within the cell.
   */
  List<Cell> allCells() {
    if (manyConnections == 0) {
      return cells;
    }
    Cell scale = new Cell(Workload.ADD, SCALE_IN_FLIGHT, manyConnections);
    List<Cell> all = new ArrayList<>(cells);
    int reference = all.indexOf(Cell.of(Workload.ADD, SCALE_IN_FLIGHT));
    all.add(reference < 0 ? all.size() : reference + 1, scale);
    return List.copyOf(all);
  }

  Plan withWindows(Duration jitWarmup, Duration warmup, Duration window, int repetitions) {
    return new Plan(mode, cells, jitWarmup, warmup, window, repetitions, manyConnections, idleConnections);
  }

  Plan withScale(int manyConnections, int idleConnections) {
    return new Plan(mode, cells, jitWarmup, warmup, window, repetitions, manyConnections, idleConnections);
  }

  /**
   * The cells measured for {@code target}: {@link #allCells()}; for a target without scale rows (see
   * {@link Target#hasScaleRows()}) the plan's cells less the scale row, and in smoke mode only
   * {@link #TRANSPORT_CELL}, which keeps CI's run short. In every case only the workloads the target
   * {@linkplain Target#supports supports}.
   */
  List<Cell> cellsFor(Target target) {
    List<Cell> mine = target.hasScaleRows() ? allCells()
        : mode.equals("smoke") ? cells.stream().filter(TRANSPORT_CELL::equals).toList() : cells;
    return mine.stream().filter(c -> target.supports(c.workload())).toList();
  }

  /** A rough lower bound of the time one target takes, for the progress line. */
  Duration estimatePerTarget() {
    List<Cell> all = allCells();
    return jitWarmup.multipliedBy(all.size())
        .plus(warmup.plus(window.multipliedBy(repetitions)).multipliedBy(all.size()));
  }
}
