package io.courier.client;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An exponential backoff with jitter, as gRPC's connection backoff: the n-th wait is
 * {@code min(initial × multiplier^(n-1), max)}, spread uniformly by ± {@code jitter} of itself, so that many
 * clients that lost the same server do not all come back at the same moment.
 *
 * @param initial the first wait
 * @param multiplier how much each wait grows, at least 1
 * @param jitter the fraction by which a wait may vary either way, 0 to 1
 * @param max the longest wait, before jitter
 */
@Experimental
public record Backoff(Duration initial, double multiplier, double jitter, Duration max) {

  /** gRPC's connection backoff: 1 s, × 1.6, ± 20 %, at most 120 s. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), 1.6, 0.2, Duration.ofSeconds(120));

  /** Waits between attempts of a retried call: 50 ms, × 2, ± 20 %, at most 1 s. */
  static final Backoff RETRY = new Backoff(Duration.ofMillis(50), 2, 0.2, Duration.ofSeconds(1));

  public Backoff {
    requireNonNull(initial, "initial");
    requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial: " + initial + " (expected: > 0)");
    }
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: >= 1)");
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0-1)");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
    }
  }

  /** Returns the wait before attempt {@code failures + 1}, after {@code failures} (at least 1) failures. */
  long delayNanos(int failures) {
    double base = initial.toNanos() * Math.pow(multiplier, Math.max(0, failures - 1));
    base = Math.min(base, max.toNanos());
    double spread = base * jitter;
    return (long) (base - spread + ThreadLocalRandom.current().nextDouble() * 2 * spread);
  }
}
