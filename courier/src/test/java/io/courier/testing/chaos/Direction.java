package io.courier.testing.chaos;

/** Which way through a {@link ChaosProxy} a toxic applies to. */
public enum Direction {
  /** Client to server: bytes the proxy reads from the accepted connection and writes to the target. */
  UPSTREAM,
  /** Server to client: bytes the proxy reads from the target and writes back to the accepted connection. */
  DOWNSTREAM,
  /** Both ways. */
  BOTH;

  boolean includes(Direction d) {
    return this == BOTH || this == d;
  }
}
