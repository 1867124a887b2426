package io.courier.peer;

import static java.util.Objects.requireNonNull;

import io.courier.Internal;
import java.time.Duration;

/**
 * The argument checks Courier's builders share, so that every setting fails with the same kind of message:
 * the name, the bad value and what was expected.
 */
@Internal
public final class Checks {

  private Checks() {}

  /** Returns {@code value} when it is at least 1; otherwise throws naming the setting. */
  public static int positive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  /** Returns {@code value} when it is zero or more; otherwise throws naming the setting. */
  public static int notNegative(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
    return value;
  }

  /** Returns {@code value} when it is longer than zero; otherwise throws naming the setting. */
  public static Duration positive(Duration value, String name) {
    requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }
}
