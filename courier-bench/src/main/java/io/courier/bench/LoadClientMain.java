package io.courier.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The load client, run by the launcher in a JVM of its own for each target so that no target's JIT profile
 * or garbage affects another's. It prints only protocol lines on stdout; progress and logs go to stderr.
 *
 * <p>Load: {@code --target ID --port P --cells add@1,add@16 --jit-ms N --warmup-ms N --window-ms N --reps N}
 * runs every cell once unmeasured (JIT warm-up, last cell first), then measures each cell and prints a
 * {@link Sample} line per window, or {@code FAILED <cell> <reason>}. A TLS target also gets {@code --tls DIR},
 * the run's certificates ({@link BenchPki}).
 *
 * <p>Idle: {@code --target ID --port P --idle N} opens N connections, makes one call on each, prints
 * {@code HOLDING N}, and holds them until a line (or the end) arrives on stdin; or prints
 * {@code FAILED idle <reason>}.
 */
public final class LoadClientMain {

  private LoadClientMain() {}

  public static void main(String[] args) throws Exception {
    Target target = null;
    String host = "127.0.0.1";
    int port = -1;
    List<Cell> cells = new ArrayList<>();
    Duration jit = Duration.ZERO;
    Duration warmup = Duration.ofSeconds(1);
    Duration window = Duration.ofSeconds(2);
    int reps = 3;
    int idle = 0;
    Path tlsDir = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--target" -> target = Target.byId(value);
        case "--host" -> host = value;
        case "--port" -> port = Integer.parseInt(value);
        case "--cells" -> Arrays.stream(value.split(",")).map(Cell::parse).forEach(cells::add);
        case "--jit-ms" -> jit = Duration.ofMillis(Long.parseLong(value));
        case "--warmup-ms" -> warmup = Duration.ofMillis(Long.parseLong(value));
        case "--window-ms" -> window = Duration.ofMillis(Long.parseLong(value));
        case "--reps" -> reps = Integer.parseInt(value);
        case "--idle" -> idle = Integer.parseInt(value);
        case "--tls" -> tlsDir = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option: " + args[i]);
      }
      i++;
    }
    if (target == null || port < 0) {
      throw new IllegalArgumentException("--target and --port are required");
    }
    int status = idle > 0 ? holdIdle(target, host, port, idle) : load(target, host, port, tlsDir, cells, jit,
        warmup, window, reps);
    System.out.flush();
    System.exit(status); // gRPC and Netty may leave non-daemon threads behind
  }

  private static int load(Target target, String host, int port, Path tlsDir, List<Cell> cells, Duration jit,
      Duration warmup, Duration window, int reps) throws InterruptedException {
    if (!jit.isZero()) {
      // Last to first, so that the first cell measured is the last one warmed. Run first to last, the largest
      // echoes came just before the first cell measured (add at 1 in flight), which then ran at half its pace
      // for several seconds in the wake of their garbage and recompilations.
      List<Cell> lastFirst = new ArrayList<>(cells);
      Collections.reverse(lastFirst);
      for (Cell cell : lastFirst) {
        try (Driver driver = target.client(host, port, tlsDir, cell)) {
          driver.measure(target.id(), cell, jit, Duration.ZERO, 0);
        } catch (Exception e) {
          System.err.println("JIT warm-up of " + cell + " failed: " + e);
        }
      }
    }
    for (Cell cell : cells) {
      try (Driver driver = target.client(host, port, tlsDir, cell)) {
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
