package io.courier;

import java.time.Duration;

/**
 * The deadline of the call the current thread is serving, so that calls it makes in turn get no more time
 * than it has left. A Courier server sets it while a service method runs; a Courier client reads it and gives
 * a nested call the smaller of its own timeout and the time remaining.
 */
public final class Deadline {

  private static final ThreadLocal<Long> CURRENT = new ThreadLocal<>();

  private Deadline() {}

  /** Returns the time left for the call being served on this thread, or {@code null} when there is none. */
  public static Duration remaining() {
    Long at = CURRENT.get();
    return at == null ? null : Duration.ofNanos(at - System.nanoTime());
  }

  /** Sets the deadline, as a {@link System#nanoTime()} value, for the current thread; internal. */
  static void set(long nanoTime) {
    CURRENT.set(nanoTime);
  }

  static void clear() {
    CURRENT.remove();
  }

  /** For the server package, which sets and clears the deadline around a service method. */
  @Internal
  public static final class Scope {
    private Scope() {}

    /** Binds {@code nanoTime} (a {@link System#nanoTime()} value) as the current thread's deadline. */
    public static void enter(long nanoTime) {
      set(nanoTime);
    }

    public static void exit() {
      clear();
    }
  }
}
