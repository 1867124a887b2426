package io.courier.peer;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's share of the worker pool: at most {@code limit} of its tasks are in the pool at once
 * (queued there or running); the rest wait here, in arrival order, and take the place of the connection's
 * earlier tasks as they finish. Without it, one connection sending slow calls takes every worker and
 * every other client waits; with it, that connection waits behind itself. Thread-safe; one per connection.
 *
 * <p>Written here rather than taken from a library: the JDK and Netty have serializing executors (a share of
 * one), not a bounded share whose overflow stays with its owner and learns when the pool refuses it.
 */
public final class FairShare {

  private static final Logger log = LoggerFactory.getLogger(FairShare.class);

  private final Executor pool;
  private final int limit;
  /**
   * Whether a waiting task may run on the thread that finished the last one: the pool runs and nothing waits
   * in its own queue. Always false for a pool whose queue cannot be seen.
   */
  private final BooleanSupplier runOnHere;

  /** A task that waits for the connection's share, with what to do if the pool then refuses it. */
  private record Waiting(Runnable task, Runnable refused) {}

  // Guarded by this.
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inPool;

  public FairShare(Executor pool, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
    }
    this.pool = pool;
    this.limit = limit;
    this.runOnHere = pool instanceof ThreadPoolExecutor threads
        ? () -> !threads.isShutdown() && threads.getQueue().isEmpty()
        : () -> false;
  }

  /**
   * Runs {@code task} on the pool now, or once the connection's earlier tasks make room.
   *
   * @param refused run instead of {@code task} when the pool refuses it after it waited here (the pool's
   *     threads and queue are full, or it is shut down); it runs on the thread that offered the task
   * @throws RejectedExecutionException when the pool refuses the task at once; {@code refused} is not run
   */
  public void execute(Runnable task, Runnable refused) {
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

  /**
   * Runs {@code task}, then the connection's waiting tasks, one after another on this thread, for as long as
   * nobody else waits in the pool's queue: handing each one to the pool would cost a queue round trip and a
   * wake-up per call and be no fairer. Once another task waits there, the next one goes to the back of the
   * pool's queue instead, behind it.
   */
  private void runThenNext(Runnable task) {
    for (Runnable current = task; current != null; current = next()) {
      try {
        current.run();
      } catch (RuntimeException | Error e) {
        // The tasks handle their own failures; one that does not must not cost the connection its place.
        log.error("A task of a connection's share of the pool failed", e);
      }
    }
  }

  /** Returns the next task to run on this thread, or hands it to the pool, or gives the place back. */
  private Runnable next() {
    for (;;) {
      Waiting next;
      synchronized (this) {
        next = waiting.poll();
        if (next == null) {
          inPool--;
          return null;
        }
      }
      if (runOnHere.getAsBoolean()) {
        return next.task();
      }
      Runnable task = next.task();
      try {
        pool.execute(() -> runThenNext(task));
        return null;
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
