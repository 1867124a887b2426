package io.courier.examples.load;

import io.courier.client.RpcClient;
import io.courier.examples.demo.DemoServer;
import io.courier.server.RpcServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simple closed-loop load of {@code add(a, b)} calls (or, with {@code --echo BYTES}, {@code echo} of a
 * string that long) on one connection, with a fixed number of calls in
 * flight: each completed call starts the next. It prints calls per second for each concurrency level. This is a
 * quick look, not the benchmark module: the server runs in the same JVM unless {@code --target} names one.
 *
 * <pre>
 * java -cp courier-cli/target/courier-cli.jar io.courier.examples.load.AddLoadLoop [--seconds 5]
 *     [--target tcp://host:port] [--inflight 1,16,128] [--echo BYTES]
 * </pre>
 */
public final class AddLoadLoop {

  private AddLoadLoop() {}

  public static void main(String[] args) throws Exception {
    int seconds = 5;
    String target = null;
    int[] levels = {1, 16, 128};
    int echoBytes = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--target" -> target = args[++i];
        case "--inflight" -> levels = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--echo" -> echoBytes = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    RpcServer server = null;
    if (target == null) {
      server = DemoServer.builder().host("127.0.0.1").port(0).build().start();
      target = "tcp://127.0.0.1:" + server.port();
    }
    try (RpcClient client = RpcClient.builder().target(target).build()) {
      String payload = echoBytes > 0 ? "x".repeat(echoBytes) : null;
      run(client, 16, 2, payload); // JIT warm-up, not reported
      System.out.println("in_flight,calls,seconds,calls_per_second,errors");
      for (int level : levels) {
        Result r = run(client, level, seconds, payload);
        System.out.printf("%d,%d,%.2f,%.0f,%d%n", level, r.calls, r.seconds, r.calls / r.seconds, r.errors);
      }
    } finally {
      if (server != null) {
        server.stop(Duration.ofSeconds(1));
      }
    }
  }

  private record Result(long calls, double seconds, long errors) {}

  private static Result run(RpcClient client, int inFlight, int seconds, String payload)
      throws InterruptedException {
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(inFlight);
    for (int i = 0; i < inFlight; i++) {
      next(client, i, end, calls, errors, done, payload);
    }
    done.await();
    return new Result(calls.get(), (System.nanoTime() - start) / 1e9, errors.get());
  }

  /** Starts one call; its completion starts the next until the window ends. */
  private static void next(RpcClient client, long a, long end, AtomicLong calls, AtomicLong errors,
      CountDownLatch done, String payload) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    CompletableFuture<?> f = payload == null
        ? client.call("add", Long.class, a, 1).thenApply(sum -> sum == a + 1 ? sum : null)
        : client.call("echo", String.class, payload).thenApply(s -> payload.equals(s) ? s : null);
    f.whenComplete((result, failure) -> {
      if (failure != null || result == null) {
        errors.incrementAndGet();
      }
      calls.incrementAndGet();
      next(client, a, end, calls, errors, done, payload);
    });
  }
}
