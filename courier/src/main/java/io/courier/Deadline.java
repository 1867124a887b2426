package io.courier;

import java.time.Duration;

/**
 * The deadline of the call the current thread is serving, so that calls it makes in turn get no more time
 * than it has left. Either end sets it while one of its methods runs (from the caller's timeout, when the
 * caller said); a Courier client reads it and gives a nested call the smaller of its own timeout and the time
 * remaining.
 */
public final class Deadline {

  private Deadline() {}

  /** Returns the time left for the call being served on this thread, or {@code null} when there is none. */
  public static Duration remaining() {
    RpcContext context = RpcContext.currentOrNull();
    return context == null ? null : context.remainingTime();
  }
}
