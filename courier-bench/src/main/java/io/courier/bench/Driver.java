package io.courier.bench;

/**
 * The client side of one target for one cell: it makes calls of a workload and checks each result. A driver
 * opens its connections when it is made and closes them in {@link #close()}.
 *
 * <p>Asynchronous drivers return from {@link #call} at once and complete later, on any thread; a
 * {@linkplain #blocking() blocking} driver completes before {@code call} returns, and the load loop then gives
 * each slot a thread of its own. Implementations are thread-safe for concurrent calls.
 */
interface Driver extends AutoCloseable {

  /** Receives the end of one call. */
  @FunctionalInterface
  interface Completion {
    /** Called exactly once per call: {@code ok} is false when the call failed or its result was wrong. */
    void complete(boolean ok);
  }

  /** Whether {@link #call} blocks until the call has ended. Default: false. */
  default boolean blocking() {
    return false;
  }

  /**
   * Makes one call of {@code workload}.
   *
   * @param slot which of the loop's in-flight slots makes it, 0 to in-flight - 1
   */
  void call(Workload workload, int slot, Completion done);

  @Override
  void close();
}
