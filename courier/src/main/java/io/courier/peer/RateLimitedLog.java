package io.courier.peer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning logged at most once per period, with a count of the occurrences it stood for, so that an
 * overload or a flood is reported without the logging itself becoming the next bottleneck. Thread-safe.
 */
public final class RateLimitedLog {

  private final long periodNanos;
  private final AtomicLong nextAt = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Duration period) {
    this.periodNanos = period.toNanos();
  }

  public void warn(Logger log, String message, Object... arguments) {
    long others = admit();
    if (others == 0) {
      log.warn(message, arguments);
    } else if (others > 0) {
      Object[] withCount = java.util.Arrays.copyOf(arguments, arguments.length + 1);
      withCount[arguments.length] = others;
      log.warn(message + " ({} more since the last report)", withCount);
    }
  }

  /**
   * Returns -1 when this occurrence is to be suppressed, otherwise how many were suppressed since the last one
   * that was logged.
   */
  public long admit() {
    long now = System.nanoTime();
    long due = nextAt.get();
    if (now - due < 0 || !nextAt.compareAndSet(due, now + periodNanos)) {
      suppressed.incrementAndGet();
      return -1;
    }
    return suppressed.getAndSet(0);
  }
}
