package io.courier.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measurement core every target shares: a closed loop that keeps a fixed number of calls in flight, each
 * ended call starting the next one in its slot, for a warm-up window and then for measured windows read one
 * after the other without pausing the load.
 *
 * <p>Latency runs from just before {@link Driver#call} to the completion, so it includes whatever the client
 * library does on both ends. Only calls with the right result count as calls and have their latency recorded;
 * failed or wrong ones count as errors. Not thread-safe: one loop runs one cell once.
 */
final class LoadLoop {

  /** Longest latency the histogram holds; longer ones are recorded as this. */
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** How long slots may take to finish their last call after the last window. */
  private static final Duration DRAIN = Duration.ofSeconds(30);

  private final String target;
  private final Driver driver;
  private final Cell cell;
  private final Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
  private final LongAdder calls = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final CountDownLatch slotsStopped;
  private volatile boolean running = true;

  private Histogram recycled;
  private long lastCalls;
  private long lastErrors;
  private long lastNanos;

  private LoadLoop(String target, Driver driver, Cell cell) {
    this.target = target;
    this.driver = driver;
    this.cell = cell;
    this.slotsStopped = new CountDownLatch(cell.inFlight());
  }

  /**
   * Runs {@code cell} on {@code driver}: {@code warmup} unmeasured, then {@code repetitions} windows of
   * {@code window} each. Returns one sample per window (none when {@code repetitions} is 0).
   */
  static List<Sample> run(String target, Driver driver, Cell cell, Duration warmup, Duration window,
      int repetitions) throws InterruptedException {
    return new LoadLoop(target, driver, cell).run(warmup, window, repetitions);
  }

  private List<Sample> run(Duration warmup, Duration window, int repetitions) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    lastNanos = System.nanoTime();
    for (int slot = 0; slot < cell.inFlight(); slot++) {
      if (driver.blocking()) {
        int s = slot;
        Thread t = new Thread(() -> blockingSlot(s), "bench-slot-" + slot);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      } else {
        start(slot);
      }
    }
    List<Sample> samples = new ArrayList<>();
    try {
      sleep(warmup);
      snapshot(0);
      for (int rep = 1; rep <= repetitions; rep++) {
        sleep(window);
        samples.add(snapshot(rep));
      }
    } finally {
      running = false;
    }
    if (!slotsStopped.await(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
      long stuck = slotsStopped.getCount();
      System.err.printf("%s %s: %d calls still unfinished %d s after the last window; counted as errors%n",
          target, cell.spec(), stuck, DRAIN.toSeconds());
      if (!samples.isEmpty()) {
        Sample last = samples.remove(samples.size() - 1);
        samples.add(new Sample(last.target(), last.cell(), last.repetition(), last.calls(), last.errors() + stuck,
            last.nanos(), last.p50(), last.p99(), last.p999(), last.max()));
      }
      threads.forEach(Thread::interrupt);
    }
    return samples;
  }

  private static void sleep(Duration d) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(d.toNanos());
  }

  /** Ends the current window: what was recorded since the previous snapshot. */
  private Sample snapshot(int repetition) {
    long now = System.nanoTime();
    Histogram h = recorder.getIntervalHistogram(recycled);
    long c = calls.sum();
    long e = errors.sum();
    Sample s = new Sample(target, cell, repetition, c - lastCalls, e - lastErrors, now - lastNanos,
        h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    recycled = h;
    lastCalls = c;
    lastErrors = e;
    lastNanos = now;
    return s;
  }

  /** Starts the next call of an asynchronous slot. */
  private void start(int slot) {
    long t0 = System.nanoTime();
    try {
      driver.call(cell.workload(), slot, ok -> ended(slot, t0, ok));
    } catch (RuntimeException e) {
      ended(slot, t0, false);
    }
  }

  private void ended(int slot, long t0, boolean ok) {
    record(t0, ok);
    if (!running) {
      slotsStopped.countDown();
    } else if (ok) {
      start(slot);
    } else {
      // A call that fails at once would otherwise recurse; the failure path goes through another thread.
      ForkJoinPool.commonPool().execute(() -> start(slot));
    }
  }

  private void blockingSlot(int slot) {
    try {
      while (running) {
        long t0 = System.nanoTime();
        boolean[] result = new boolean[1];
        try {
          driver.call(cell.workload(), slot, ok -> result[0] = ok);
        } catch (RuntimeException e) {
          result[0] = false;
        }
        record(t0, result[0]);
      }
    } finally {
      slotsStopped.countDown();
    }
  }

  private void record(long t0, boolean ok) {
    if (ok) {
      recorder.recordValue(Math.min(System.nanoTime() - t0, HIGHEST_NANOS));
      calls.increment();
    } else {
      errors.increment();
    }
  }
}
