package io.courier.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The subscriber's side of the {@link Workload#STREAM} workload, the same for every target: the demand policy,
 * the check of every item and the count read in windows.
 *
 * <p>Demand: {@value #INITIAL} items are requested when the subscription starts, and {@value #TOP_UP} more
 * each time {@value #TOP_UP} have been consumed, so between {@value #TOP_UP} and {@value #INITIAL} items are
 * asked for and not yet received at every moment. An item is right when it is the next int of the stream
 * (0, 1, 2, …); a wrong item, a failure or an end of the endless stream counts as an error. Items arrive one
 * at a time (a subscriber's signals never overlap), on any thread; the windows are read on another.
 * Thread-safe for that use.
 */
final class StreamMeter {

  /** Items requested when the subscription starts. */
  static final int INITIAL = 256;
  /** Items requested each time as many have been consumed. */
  static final int TOP_UP = 128;

  private final AtomicLong items = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  /** Written by the item thread only (signals are serialized, with happens-before between them). */
  private int expected;
  private int sinceRequest;
  private volatile boolean stopped;

  /**
   * Takes one item; returns true when the subscriber should now request {@value #TOP_UP} more.
   */
  boolean item(int value) {
    if (value == expected) {
      items.lazySet(items.get() + 1);
    } else {
      errors.incrementAndGet();
    }
    expected = value + 1;
    if (++sinceRequest == TOP_UP) {
      sinceRequest = 0;
      return true;
    }
    return false;
  }

  /** The stream failed or ended, which it never should while it is measured. */
  void ended() {
    if (!stopped) {
      errors.incrementAndGet();
    }
  }

  /**
   * Reads the windows of one cell while the subscription runs: {@code warmup} unmeasured, then
   * {@code repetitions} windows of {@code window}; then stops counting ends as errors, for the caller to
   * cancel the subscription. Latency is not measured: the samples' percentiles are 0.
   */
  List<Sample> measure(String target, Cell cell, Duration warmup, Duration window, int repetitions)
      throws InterruptedException {
    List<Sample> samples = new ArrayList<>();
    try {
      TimeUnit.NANOSECONDS.sleep(warmup.toNanos());
      long lastItems = items.get();
      long lastErrors = errors.get();
      long last = System.nanoTime();
      for (int rep = 1; rep <= repetitions; rep++) {
        TimeUnit.NANOSECONDS.sleep(window.toNanos());
        long now = System.nanoTime();
        long i = items.get();
        long e = errors.get();
        samples.add(new Sample(target, cell, rep, i - lastItems, e - lastErrors, now - last, 0, 0, 0, 0));
        lastItems = i;
        lastErrors = e;
        last = now;
      }
    } finally {
      stopped = true;
    }
    return samples;
  }
}
