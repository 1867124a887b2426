package io.courier.testing;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A class no input may ever make Courier load: its static initializer records that it ran. Tests name it by
 * its string {@link #NAME} in payloads and check {@link Flag#isSet()} afterwards; they must not touch
 * {@code Canary.class} themselves. It is an exception with public constructors, so that it would be a
 * tempting target both for Jackson's polymorphic typing and for rebuilding remote errors.
 */
public final class Canary extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The fully qualified name, to put in payloads. */
  public static final String NAME = "io.courier.testing.Canary";

  static {
    Flag.INITIALIZED.set(true);
  }

  public Canary() {}

  public Canary(String message) {
    super(message);
  }

  /** Holds the flag outside the canary, so that reading it does not initialize the canary. */
  public static final class Flag {
    static final AtomicBoolean INITIALIZED = new AtomicBoolean();

    private Flag() {}

    /** Returns whether the canary class was ever initialized in this JVM. */
    public static boolean isSet() {
      return INITIALIZED.get();
    }
  }
}
