package io.courier.peer;

import io.courier.RpcError;
import io.courier.RpcException;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of one end that serve a call and wait, blocked, for the answer to a call of their own: they run
 * calls that arrive meanwhile instead of idling. That is what makes a chain of calls between two peers unable
 * to deadlock: a method that calls its peer and waits still lets the peer's nested calls back in, even when
 * every worker is taken (each taken worker is either running or waiting, and a waiting one takes the next
 * call). A call arriving while such a thread waits is handed to it rather than queued for the pool. Thread-safe;
 * one per end.
 *
 * <p>Written here rather than taken from a library: gRPC's blocking stubs run their own callbacks on the waiting
 * thread (a "threadless executor") but nothing runs a server's incoming calls there, which is what a peer needs.
 */
public final class Waiters {

  private static final Logger log = LoggerFactory.getLogger(Waiters.class);

  /** The end whose call the current thread is serving, so that a wait on it can help that end. */
  private static final ThreadLocal<Waiters> SERVING = new ThreadLocal<>();

  /** A waiting thread and the calls handed to it; a {@code null} task wakes it to look at its future. */
  private static final class Waiter {
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean done; // guarded by this

    /** Hands {@code task} to this thread; false once it has stopped waiting. */
    synchronized boolean give(Runnable task) {
      if (done) {
        return false;
      }
      tasks.add(task);
      notifyAll();
      return true;
    }

    synchronized void wake() {
      notifyAll();
    }

    /**
     * Returns the next task, or null once {@code future} is done; the call's own deadline completes the future,
     * so the wait ends in time.
     */
    synchronized Runnable next(CompletableFuture<?> future) throws InterruptedException {
      while (tasks.isEmpty() && !future.isDone()) {
        wait();
      }
      return tasks.poll();
    }

    /** Stops taking tasks and returns those handed to it meanwhile, which the thread still runs. */
    synchronized Queue<Runnable> finish() {
      done = true;
      return tasks;
    }
  }

  private final ConcurrentLinkedDeque<Waiter> waiting = new ConcurrentLinkedDeque<>();

  /** Marks the current thread as serving a call of this end until {@link #leave}; returns what to restore. */
  Waiters enter() {
    Waiters previous = SERVING.get();
    SERVING.set(this);
    return previous;
  }

  /** Ends what {@link #enter} began. */
  static void leave(Waiters previous) {
    SERVING.set(previous); // null included: see RpcContext.exit
  }

  /** Hands {@code task} to a thread of this end waiting for an answer; false when none waits. */
  boolean handOff(Runnable task) {
    for (Waiter waiter : waiting) {
      if (waiter.give(task)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Waits for {@code future} and returns its value. A thread serving a call of an end runs that end's incoming
   * calls while it waits; any other thread just waits.
   *
   * @throws IllegalStateException on an I/O thread, where waiting would stop the very connection that must
   *     bring the answer
   * @throws RpcException with {@link RpcError#CANCELLED} when the thread is interrupted (the call is cancelled)
   * @throws Throwable whatever the call failed with
   */
  public static <T> T await(CompletableFuture<T> future) throws Throwable {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    if (loop != null && !future.isDone()) {
      throw new IllegalStateException("A call waited for on an I/O thread would block the connections of that "
          + "thread; call it asynchronously (a CompletableFuture) from a method marked @NonBlocking");
    }
    try {
      Waiters serving = SERVING.get();
      if (serving != null) {
        serving.helpUntilDone(future);
      }
      return future.get();
    } catch (ExecutionException e) {
      throw e.getCause();
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new RpcException(RpcError.CANCELLED.withMessage("Interrupted while waiting for the reply"), e);
    }
  }

  private void helpUntilDone(CompletableFuture<?> future) throws InterruptedException {
    Waiter waiter = new Waiter();
    future.whenComplete((value, failure) -> waiter.wake());
    waiting.addFirst(waiter);
    try {
      for (Runnable task; (task = waiter.next(future)) != null; ) {
        run(task);
      }
    } finally {
      waiting.remove(waiter);
      // A call handed over just before the wait ended is still this thread's to run: it was taken from the pool.
      for (Runnable task : waiter.finish()) {
        run(task);
      }
    }
  }

  private static void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      // The calls handle their own failures; one that does not must not end the wait.
      log.error("A call run by a waiting thread failed", e);
    }
  }
}
