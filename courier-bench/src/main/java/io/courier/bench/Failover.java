package io.courier.bench;

import io.courier.ConnectionException;
import io.courier.Idempotent;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Kill to avoid: one client of several servers keeps {@value #IN_FLIGHT} {@code add} calls in flight, as the load
 * loop does, while one of its servers is killed, and notes every call's start, end and error, and when its
 * {@link RpcClient#retries()} count went up. It runs in the launcher's own process, which kills the server, so
 * that the kill and the calls are timed on one clock. Not thread-safe: one instance runs one trial once.
 */
final class Failover {

  /** Calls kept in flight, as in the load loop's {@code add@16}. */
  static final int IN_FLIGHT = 16;
  /** How long calls may take to end after the trial; more than the client's call timeout. */
  private static final Duration DRAIN = Duration.ofSeconds(30);

  /** How {@code add} is declared to the client, which decides what it may send again. */
  enum Variant {
    /** As in {@link BenchService}: not idempotent, so a call lost with its connection fails. */
    PLAIN("not idempotent"),
    /**
     * The same server method through {@link IdempotentAdd}, marked {@link Idempotent} on the client's side
     * only: a call lost with its connection is sent to another server.
     */
    IDEMPOTENT("`@Idempotent`");

    private final String label;

    Variant(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** {@code add} marked idempotent on the client's side; the server's {@link BenchService} is unchanged. */
  @Idempotent
  public interface IdempotentAdd {
    CompletableFuture<Integer> add(int a, int b);
  }

  /** What makes one call: {@link CourierTarget.AsyncBench#add} or {@link IdempotentAdd#add}. */
  @FunctionalInterface
  private interface Add {
    CompletableFuture<Integer> add(int a, int b);
  }

  /**
   * One kill's outcome, its times in nanoseconds from the kill.
   *
   * @param killed which of the servers was killed, 0-based
   * @param firstAnswer until the first call started after the kill was answered, or -1 when none was
   * @param lastTrouble until the last call failed or the last retry was seen, or 0 when none did
   * @param failed calls that failed after the kill
   * @param failedSent those of them that failed with a {@link ConnectionException} whose
   *     {@link ConnectionException#wasSent()} is true: they may have run on the killed server
   * @param errors the failed calls by kind: an error code, with {@code sent} or {@code unsent} for a
   *     {@link ConnectionException}, or an exception's class, or {@code wrong result}
   * @param retries calls the client sent again after the kill ({@link RpcClient#retries()})
   * @param answered calls answered after the kill, to the end of the trial
   * @param failedBefore calls that failed before the kill: none are expected
   */
  record Trial(int killed, long firstAnswer, long lastTrouble, int failed, int failedSent,
      Map<String, Integer> errors, long retries, long answered, int failedBefore) {

    Trial {
      errors = Map.copyOf(errors);
    }

    /** The errors, most frequent first; see {@link Failover#describe}. */
    String describeErrors() {
      return describe(errors);
    }
  }

  /** Failed calls by kind, most frequent first, as {@code -32005 sent ×5, -32002 ×1}, or {@code none}. */
  static String describe(Map<String, Integer> errors) {
    return errors.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(e -> e.getKey() + " ×" + e.getValue())
        .collect(Collectors.joining(", "))
        .transform(text -> text.isEmpty() ? "none" : text);
  }

  /** A call that did not end with the right sum. */
  private record Failure(long end, String kind, boolean sent) {}

  private final RpcClient client;
  private final Add add;
  private final CountDownLatch slotsStopped = new CountDownLatch(IN_FLIGHT);
  private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final LongAdder answeredAfterKill = new LongAdder();
  /** Nanoseconds from the kill to the end of the first call started after it that succeeded. */
  private final AtomicLong firstAnswerAfterKill = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong retriesSeen = new AtomicLong();
  private final AtomicLong lastRetrySeen = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean running = true;
  private volatile boolean killed;
  private volatile long killedAt;

  private Failover(RpcClient client, Variant variant) {
    this.client = client;
    this.add = variant == Variant.IDEMPOTENT ? client.create(IdempotentAdd.class)::add
        : client.create(CourierTarget.AsyncBench.class)::add;
  }

  /**
   * Runs one trial: a client of {@code target} (the same {@link CourierTarget.Client} the load client uses) makes
   * calls for {@code before}, then {@code kill} kills server {@code victim}, and calls go on for {@code after}.
   */
  static Trial run(String target, Variant variant, Duration before, Duration after, int victim, Runnable kill)
      throws InterruptedException {
    try (CourierTarget.Client client = new CourierTarget.Client(target, null, false)) {
      return new Failover(client.rpc(), variant).run(before, after, victim, kill);
    }
  }

  private Trial run(Duration before, Duration after, int victim, Runnable kill) throws InterruptedException {
    for (int slot = 0; slot < IN_FLIGHT; slot++) {
      start();
    }
    long retriesBefore;
    try {
      TimeUnit.NANOSECONDS.sleep(before.toNanos());
      retriesBefore = client.retries();
      retriesSeen.set(retriesBefore);
      killedAt = System.nanoTime();
      killed = true;
      kill.run();
      TimeUnit.NANOSECONDS.sleep(after.toNanos());
    } finally {
      running = false;
    }
    if (!slotsStopped.await(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(slotsStopped.getCount() + " calls still unfinished " + DRAIN.toSeconds()
          + " s after the trial");
    }
    long at = killedAt;
    int failed = 0;
    int failedSent = 0;
    int failedBefore = 0;
    long lastTrouble = Long.MIN_VALUE;
    Map<String, Integer> errors = new TreeMap<>();
    for (Failure f : failures) {
      if (f.end() - at < 0) {
        failedBefore++;
        continue;
      }
      failed++;
      failedSent += f.sent() ? 1 : 0;
      errors.merge(f.kind(), 1, Integer::sum);
      lastTrouble = Math.max(lastTrouble, f.end() - at);
    }
    long retries = client.retries() - retriesBefore;
    long retrySeen = lastRetrySeen.get();
    if (retries > 0 && retrySeen != Long.MIN_VALUE) {
      lastTrouble = Math.max(lastTrouble, retrySeen - at);
    }
    long first = firstAnswerAfterKill.get();
    return new Trial(victim, first == Long.MAX_VALUE ? -1 : first, Math.max(0, lastTrouble), failed,
        failedSent, errors, retries, answeredAfterKill.sum(), failedBefore);
  }

  /** Starts a slot's next call, or ends the slot once the trial is over. */
  private void start() {
    if (!running) {
      slotsStopped.countDown();
      return;
    }
    int a = JsonRpcLines.operand();
    int b = JsonRpcLines.operand();
    long t0 = System.nanoTime();
    CompletableFuture<Integer> call;
    try {
      call = add.add(a, b);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete((sum, failure) -> ended(t0, a + b, sum, failure));
  }

  private void ended(long t0, int expected, Integer sum, Throwable failure) {
    long t1 = System.nanoTime();
    if (killed) {
      noteRetries(t1);
    }
    if (failure == null && sum != null && sum == expected) {
      if (killed && t0 - killedAt >= 0) {
        answeredAfterKill.increment();
        firstAnswerAfterKill.accumulateAndGet(t1 - killedAt, Math::min);
      }
      start();
      return;
    }
    Throwable cause = unwrap(failure);
    boolean sent = cause instanceof ConnectionException lost && lost.wasSent();
    failures.add(new Failure(t1, kind(cause), sent));
    // A call that fails at once would otherwise recurse; the failure path goes through another thread.
    ForkJoinPool.commonPool().execute(this::start);
  }

  /**
   * Notes when the client's retry count was seen to go up, read as each call ends: calls end tens of thousands
   * of times a second, so the moment is found to within a fraction of a millisecond.
   */
  private void noteRetries(long now) {
    long retries = client.retries();
    long seen = retriesSeen.get();
    if (retries > seen && retriesSeen.compareAndSet(seen, retries)) {
      lastRetrySeen.accumulateAndGet(now, Math::max);
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The kind of a failure, as {@link Trial#errors()} counts it. */
  private static String kind(Throwable cause) {
    if (cause == null) {
      return "wrong result";
    }
    if (cause instanceof ConnectionException lost) {
      return lost.error().code() + (lost.wasSent() ? " sent" : " unsent");
    }
    if (cause instanceof RpcException e) {
      return Integer.toString(e.error().code());
    }
    return cause.getClass().getSimpleName();
  }
}
