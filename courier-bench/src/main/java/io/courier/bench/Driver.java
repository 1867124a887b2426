package io.courier.bench;

import java.time.Duration;
import java.util.List;

/**
 * The client side of one target for one cell: it makes calls of a workload and checks each result. A driver
 * opens its connections when it is made and closes them in {@link #close()}.
 *
 * <p>Asynchronous drivers return from {@link #call} at once and complete later, on any thread; a
 * {@linkplain #blocking() blocking} driver completes before {@code call} returns, and the load loop then gives
 * each slot a thread of its own. Implementations are thread-safe for concurrent calls.
 *
 * <p>A driver may measure a cell another way, by overriding {@link #measure}: the server-to-client driver asks
 * the server to run the loop, and the stream drivers count the items of one subscription.
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

  /**
   * Measures {@code cell}: {@code warmup} unmeasured, then {@code repetitions} windows of {@code window}, one
   * sample per window. Default: the {@link LoadLoop} in this process, making calls through {@link #call}.
   */
  default List<Sample> measure(String target, Cell cell, Duration warmup, Duration window, int repetitions)
      throws InterruptedException {
    return LoadLoop.run(target, this, cell, warmup, window, repetitions);
  }

  @Override
  void close();
}
