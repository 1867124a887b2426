package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A connection's share of the worker pool, on a real pool and without sockets. */
@Timeout(30)
class FairShareTest {

  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void atMostTheLimitRunsAtOnceAndTheRestWaitTheirTurn() throws Exception {
    FairShare share = new FairShare(pool, 2);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<Integer> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(6);
    for (int i = 0; i < 6; i++) {
      int n = i;
      share.execute(() -> {
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        order.add(n);
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        running.decrementAndGet();
        done.countDown();
      }, () -> { });
    }
    waitFor(() -> running.get() == 2);
    assertThat(share.waiting()).isEqualTo(4);
    // Two of the pool's four threads are free for other connections meanwhile.
    CountDownLatch other = new CountDownLatch(2);
    pool.execute(other::countDown);
    pool.execute(other::countDown);
    assertThat(other.await(2, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(peak.get()).isEqualTo(2);
    // Two run at a time once released, so which of a pair starts first is up to the threads.
    assertThat(order.subList(2, 6)).containsExactlyInAnyOrder(2, 3, 4, 5);
    assertThat(share.waiting()).isZero();
  }

  @Test
  void waitingTasksRunInArrivalOrder() throws Exception {
    FairShare share = new FairShare(pool, 1);
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(5);
    share.execute(() -> {
      awaitQuietly(release);
      done.countDown();
    }, () -> { });
    for (int i = 1; i < 5; i++) {
      int n = i;
      share.execute(() -> {
        order.add(n);
        done.countDown();
      }, () -> { });
    }
    assertThat(share.waiting()).isEqualTo(4);
    release.countDown();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(order).containsExactly(1, 2, 3, 4);
  }

  @Test
  void aTaskThePoolRefusesAtOnceIsThrownBackAndFreesItsPlace() throws Exception {
    ThreadPoolExecutor tiny = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new SynchronousQueue<>());
    try {
      FairShare share = new FairShare(tiny, 2);
      CountDownLatch release = new CountDownLatch(1);
      share.execute(() -> awaitQuietly(release), () -> { });
      assertThatThrownBy(() -> share.execute(() -> { }, () -> { }))
          .isInstanceOf(RejectedExecutionException.class);
      release.countDown();
      CountDownLatch ran = new CountDownLatch(1);
      waitFor(() -> tiny.getActiveCount() == 0);
      share.execute(ran::countDown, () -> { });
      assertThat(ran.await(5, TimeUnit.SECONDS)).as("the refused task did not keep its place").isTrue();
    } finally {
      tiny.shutdownNow();
    }
  }

  @Test
  void aWaitingTaskThePoolRefusesLaterIsToldSoAndTheNextOneStillGetsItsTurn() throws Exception {
    ThreadPoolExecutor tiny = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new SynchronousQueue<>());
    try {
      FairShare share = new FairShare(tiny, 1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger ran = new AtomicInteger();
      share.execute(() -> awaitQuietly(release), refused::incrementAndGet);
      share.execute(ran::incrementAndGet, refused::incrementAndGet);
      share.execute(ran::incrementAndGet, refused::incrementAndGet);
      assertThat(share.waiting()).isEqualTo(2);
      tiny.shutdown(); // from now on the pool refuses everything offered to it
      release.countDown();
      waitFor(() -> refused.get() == 2);
      assertThat(ran.get()).isZero();
      assertThat(share.waiting()).isZero();
    } finally {
      tiny.shutdownNow();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
