package io.courier.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load client, run by the launcher in a JVM of its own for each target so that no target's JIT profile
 * or garbage affects another's. It prints only protocol lines on stdout; progress and logs go to stderr.
 *
 * <p>Load: {@code --target ID --port P --cells add@1,add@16 --jit-ms N --warmup-ms N --window-ms N --reps N}
 * runs every cell once unmeasured (JIT warm-up, last cell first), then measures each cell and prints a
 * {@link Sample} line per window, or {@code FAILED <cell> <reason>}. A TLS target also gets {@code --tls DIR},
 * the run's certificates ({@link BenchPki}).
 *
 * <p>Commands: {@code --target ID --port P --commands} measures what the launcher asks for on stdin, so that it
 * can alternate targets window by window: each line {@code run CELL WARMUP_MS WINDOW_MS REPS} runs the cell (on
 * the client it opened for that cell the first time, kept until stdin ends) and prints its {@link Sample}
 * lines, none for 0 repetitions (a JIT warm-up), then {@code DONE CELL}; or {@code FAILED CELL <reason>}.
 *
 * <p>Idle: {@code --target ID --port P --idle N} opens N connections, makes one call on each, prints
 * {@code HOLDING N}, and holds them until a line (or the end) arrives on stdin; or prints
 * {@code FAILED idle <reason>}.
 *
 * <p>A target of several servers ({@link Target#servers()}) is given their ports as {@code --port P1,P2,P3}.
 */
public final class LoadClientMain {

  /** What ends the output of one command in {@code --commands} mode, before the cell. */
  static final String DONE = "DONE ";

  private LoadClientMain() {}

  public static void main(String[] args) throws Exception {
    Target target = null;
    String host = "127.0.0.1";
    List<Integer> ports = List.of();
    List<Cell> cells = new ArrayList<>();
    Duration jit = Duration.ZERO;
    Duration warmup = Duration.ofSeconds(1);
    Duration window = Duration.ofSeconds(2);
    int reps = 3;
    int idle = 0;
    Path tlsDir = null;
    String registry = null;
    boolean commands = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--commands")) { // the one option without a value
        commands = true;
        continue;
      }
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--target" -> target = Target.byId(value);
        case "--host" -> host = value;
        case "--port" -> ports = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
        case "--cells" -> Arrays.stream(value.split(",")).map(Cell::parse).forEach(cells::add);
        case "--jit-ms" -> jit = Duration.ofMillis(Long.parseLong(value));
        case "--warmup-ms" -> warmup = Duration.ofMillis(Long.parseLong(value));
        case "--window-ms" -> window = Duration.ofMillis(Long.parseLong(value));
        case "--reps" -> reps = Integer.parseInt(value);
        case "--idle" -> idle = Integer.parseInt(value);
        case "--tls" -> tlsDir = Path.of(value);
        case "--registry" -> registry = value;
        default -> throw new IllegalArgumentException("unknown option: " + args[i]);
      }
      i++;
    }
    if (target == null || ports.isEmpty()) {
      throw new IllegalArgumentException("--target and --port are required");
    }
    int status = idle > 0 ? holdIdle(target, host, ports.get(0), idle)
        : commands ? commands(target, host, ports, tlsDir, registry)
        : load(target, host, ports, tlsDir, registry, cells, jit, warmup, window, reps);
    System.out.flush();
    System.exit(status); // gRPC and Netty may leave non-daemon threads behind
  }

  private static int load(Target target, String host, List<Integer> ports, Path tlsDir, String registry,
      List<Cell> cells,
      Duration jit,
      Duration warmup, Duration window, int reps) throws InterruptedException {
    if (!jit.isZero()) {
      // Last to first, so that the first cell measured is the last one warmed. Run first to last, the largest
      // echoes came just before the first cell measured (add at 1 in flight), which then ran at half its pace
      // for several seconds in the wake of their garbage and recompilations.
      List<Cell> lastFirst = new ArrayList<>(cells);
      Collections.reverse(lastFirst);
      for (Cell cell : lastFirst) {
        try (Driver driver = target.client(host, ports, tlsDir, cell, registry)) {
          driver.measure(target.id(), cell, jit, Duration.ZERO, 0);
        } catch (Exception e) {
          System.err.println("JIT warm-up of " + cell + " failed: " + e);
        }
      }
    }
    for (Cell cell : cells) {
      try (Driver driver = target.client(host, ports, tlsDir, cell, registry)) {
        for (Sample s : driver.measure(target.id(), cell, warmup, window, reps)) {
          System.out.println(s.toLine());
          System.out.flush();
          System.err.println(s.describe());
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        e.printStackTrace();
        System.out.println("FAILED " + cell.spec() + " " + oneLine(e));
        System.out.flush();
      }
    }
    return 0;
  }

  /** Runs the cells the launcher asks for on stdin, one a line, until it ends; see the class comment. */
  private static int commands(Target target, String host, List<Integer> ports, Path tlsDir, String registry)
      throws Exception {
    Map<Cell, Driver> drivers = new HashMap<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.trim().split(" ");
        if (f.length != 5 || !f[0].equals("run")) {
          System.err.println("unknown command: " + line + " (expected: run CELL WARMUP_MS WINDOW_MS REPS)");
          continue;
        }
        Cell cell = Cell.parse(f[1]);
        try {
          Driver driver = drivers.get(cell);
          if (driver == null) {
            driver = target.client(host, ports, tlsDir, cell, registry);
            drivers.put(cell, driver);
          }
          for (Sample s : driver.measure(target.id(), cell, Duration.ofMillis(Long.parseLong(f[2])),
              Duration.ofMillis(Long.parseLong(f[3])), Integer.parseInt(f[4]))) {
            System.out.println(s.toLine());
            System.err.println(s.describe());
          }
          System.out.println(DONE + cell.spec());
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception e) {
          e.printStackTrace();
          System.out.println("FAILED " + cell.spec() + " " + oneLine(e));
        }
        System.out.flush();
      }
    } finally {
      drivers.values().forEach(Driver::close);
    }
    return 0;
  }

  private static int holdIdle(Target target, String host, int port, int count) throws Exception {
    AutoCloseable held;
    try {
      held = target.holdIdle(host, port, count);
    } catch (Exception e) {
      e.printStackTrace();
      System.out.println("FAILED idle " + oneLine(e));
      return 1;
    }
    System.out.println("HOLDING " + count);
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    held.close();
    return 0;
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? "" : ": " + e.getMessage();
    return (e.getClass().getSimpleName() + message).replaceAll("\\s+", " ");
  }
}
