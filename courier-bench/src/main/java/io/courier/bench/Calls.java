package io.courier.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes one call on each of many connections, a bounded number at a time, and waits for all: how the idle
 * connections of the heap row are brought to the state of a client that has called once and then waits.
 * Stateless.
 */
final class Calls {

  private static final int AT_ONCE = 256;
  private static final long TIMEOUT_SECONDS = 120;

  /** Makes the call on connection {@code index}. */
  @FunctionalInterface
  interface OnConnection {
    void call(int index, Driver.Completion done);
  }

  private Calls() {}

  /**
   * Calls {@code call} for every index below {@code count}.
   *
   * @throws IllegalStateException when a call failed, or they did not all end within two minutes
   */
  static void onEachConnection(int count, OnConnection call) throws InterruptedException {
    Semaphore window = new Semaphore(AT_ONCE);
    CountDownLatch ended = new CountDownLatch(count);
    AtomicInteger failed = new AtomicInteger();
    for (int i = 0; i < count; i++) {
      window.acquire();
      call.call(i, ok -> {
        if (!ok) {
          failed.incrementAndGet();
        }
        window.release();
        ended.countDown();
      });
    }
    if (!ended.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(ended.getCount() + " of " + count + " first calls did not end within "
          + TIMEOUT_SECONDS + " s");
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " of " + count + " first calls failed");
    }
  }
}
