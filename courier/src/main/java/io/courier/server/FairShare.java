package io.courier.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One connection's share of the worker pool: at most {@code limit} of its tasks are in the pool at once
 * (queued there or running); the rest wait here, in arrival order, and go to the pool one by one as the
 * connection's earlier tasks finish. Without it, one connection sending slow calls takes every worker and
 * every other client waits; with it, that connection waits behind itself. Thread-safe; one per connection.
 *
 * <p>Written here rather than taken from a library: the JDK and Netty have serializing executors (a share of
 * one), not a bounded share whose overflow stays with its owner and learns when the pool refuses it.
 */
final class FairShare {

  private final Executor pool;
  private final int limit;

  /** A task that waits for the connection's share, with what to do if the pool then refuses it. */
  private record Waiting(Runnable task, Runnable refused) {}

  // Guarded by this.
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inPool;

  FairShare(Executor pool, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
    }
    this.pool = pool;
    this.limit = limit;
  }

  /**
   * Runs {@code task} on the pool now, or once the connection's earlier tasks make room.
   *
   * @param refused run instead of {@code task} when the pool refuses it after it waited here (the pool's
   *     threads and queue are full, or it is shut down); it runs on the thread that offered the task
   * @throws RejectedExecutionException when the pool refuses the task at once; {@code refused} is not run
   */
  void execute(Runnable task, Runnable refused) {
    synchronized (this) {
      if (inPool >= limit) {
        waiting.add(new Waiting(task, refused));
        return;
      }
      inPool++;
    }
    try {
      pool.execute(() -> runThenNext(task));
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        inPool--;
      }
      throw e;
    }
  }

  private void runThenNext(Runnable task) {
    try {
      task.run();
    } finally {
      next();
    }
  }

  /** Hands the next waiting task to the pool in the place of the one that finished. */
  private void next() {
    for (;;) {
      Waiting next;
      synchronized (this) {
        next = waiting.poll();
        if (next == null) {
          inPool--;
          return;
        }
      }
      Runnable task = next.task();
      try {
        pool.execute(() -> runThenNext(task));
        return;
      } catch (RejectedExecutionException e) {
        next.refused().run(); // and offer the place to the one after it
      }
    }
  }

  /** Tasks waiting for the connection's share; for tests. */
  synchronized int waiting() {
    return waiting.size();
  }
}
