package io.courier.bench;

/**
 * One line of the idle-connections table: a target server's heap after a full collection and its threads,
 * before and while a client holds {@code connections} idle connections to it, each having made one call.
 * Immutable.
 *
 * @param target the target measured
 * @param connections idle connections held
 * @param before the server's figures before the connections were opened, or null when not measured
 * @param held the server's figures while they were held, or null when not measured
 * @param note why it was not measured, or null
 */
record IdleRow(Target target, int connections, ServerStats before, ServerStats held, String note) {

  static IdleRow failed(Target target, int connections, String note) {
    return new IdleRow(target, connections, null, null, note);
  }

  boolean measured() {
    return before != null && held != null;
  }

  /** Heap added per held connection, in bytes. */
  long bytesPerConnection() {
    return (held.heapAfterGc() - before.heapAfterGc()) / connections;
  }
}
