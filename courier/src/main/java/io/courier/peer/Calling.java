package io.courier.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.CallTimeoutException;
import io.courier.Deadline;
import io.courier.RpcError;
import io.courier.RpcException;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one end makes calls with, shared by all its connections: ids, the deadline timer, the bound on pending
 * calls, the executor that completes asynchronous callers, and the mapper. It admits each call the same way
 * whichever end makes it (a client to its server, a server to a connected peer): with no more time than the
 * call being served on this thread has left, within the pending bound, failed at its deadline, and abandoned
 * with {@code $/cancelRequest} when its caller cancels it. Thread-safe; one per server or client.
 */
public final class Calling {

  /** The default bound on an end's pending calls: a client's to its server, a server's to all its peers. */
  public static final int DEFAULT_MAX_PENDING_CALLS = 4096;

  /** What "no deadline" is: far enough ahead never to come, near enough not to overflow. */
  private static final long NO_DEADLINE_NANOS = Long.MAX_VALUE / 4;

  private final ObjectMapper mapper;
  private final Duration callTimeout;
  private final int maxPendingCalls;
  private final Executor callbackExecutor;
  private final boolean propagateDeadline;
  private final String timerName;
  /**
   * Made on first use: a server that is built and never started (or never calls a peer) holds no timer. Guarded
   * by this; {@code stopped} once {@link #stop} ran.
   */
  private volatile HashedWheelTimer timer;
  private boolean stopped;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong lateReplies = new AtomicLong();

  /**
   * @param callTimeout the time a call gets unless its caller says otherwise
   * @param callbackExecutor completes the futures of asynchronous callers, off the I/O threads
   * @param propagateDeadline whether a request tells the peer how long its caller will wait
   * @param timerName the name of the deadline timer's thread
   */
  public Calling(ObjectMapper mapper, Duration callTimeout, int maxPendingCalls, Executor callbackExecutor,
      boolean propagateDeadline, String timerName) {
    this.mapper = mapper;
    this.callTimeout = callTimeout;
    this.maxPendingCalls = maxPendingCalls;
    this.callbackExecutor = callbackExecutor;
    this.propagateDeadline = propagateDeadline;
    this.timerName = timerName;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  /** Whether a request tells the peer how long its caller will wait. */
  public boolean propagatesDeadline() {
    return propagateDeadline;
  }

  /** Returns a new call id, unique for this end. */
  public long nextId() {
    return ids.incrementAndGet();
  }

  /**
   * Makes the first attempt of a call. It gets {@code timeout}, or less when this thread is serving a call
   * with less time left. {@code sync} completes it on the thread that reads its reply, for a caller blocked
   * waiting on it; otherwise the callback executor completes it, so that user callbacks never run on (and never
   * block) an I/O thread.
   *
   * @param retrier offered each failure first, or null when the call is never retried
   * @param meta the call's metadata, sent with each attempt; null for none
   */
  public <R> OutboundCall<R> newCall(String method, Object params, ObjectReader reader, Duration timeout,
      boolean sync, boolean idempotent, Function<RpcError, Throwable> errors, OutboundCall.Retrier retrier,
      Map<String, String> meta) {
    Duration budget = budget(timeout);
    return new OutboundCall<>(nextId(), method, params, 1, System.nanoTime() + budget.toNanos(), idempotent,
        reader, new CompletableFuture<>(), sync ? Runnable::run : callbackExecutor, errors, retrier, meta);
  }

  /**
   * Makes the call that subscribes: it has no deadline (a subscription lasts as long as its subscriber wants),
   * its result is the null that ends the stream, and it completes on the callback executor.
   */
  public OutboundCall<Object> newStreamCall(String method, Object params, Function<RpcError, Throwable> errors) {
    return new OutboundCall<>(nextId(), method, params, 1, System.nanoTime() + NO_DEADLINE_NANOS, false,
        mapper.readerFor(Object.class), new CompletableFuture<>(), callbackExecutor, errors, null);
  }

  /** The executor that completes asynchronous callers and delivers a subscription's signals. */
  public Executor callbackExecutor() {
    return callbackExecutor;
  }

  /**
   * Returns the time a call made now gets: {@code timeout}, or less for a nested call (made while serving one),
   * which gets no more time than the call it serves has left.
   */
  public static Duration budget(Duration timeout) {
    Duration remaining = Deadline.remaining();
    return remaining != null && remaining.compareTo(timeout) < 0 ? remaining : timeout;
  }

  /**
   * Admits a new call: fails it and returns false when it has no time left or too many calls are pending.
   * Otherwise it counts as pending until its future completes, and a caller's {@code cancel} abandons it.
   */
  public boolean admit(OutboundCall<?> call) {
    long left = call.deadline() - System.nanoTime();
    if (left <= 0) {
      call.fail(new CallTimeoutException("Call to " + call.method() + " has no time left (timeout "
          + TimeUnit.NANOSECONDS.toMillis(left) + " ms); it was not sent"));
      return false;
    }
    if (pending.incrementAndGet() > maxPendingCalls) {
      pending.decrementAndGet();
      call.fail(new RpcException(RpcError.LIMIT_EXCEEDED.withMessage(maxPendingCalls
          + " calls are pending (the limit); the call was not sent")));
      return false;
    }
    CompletableFuture<?> future = call.future();
    future.whenComplete((value, failure) -> {
      pending.decrementAndGet();
      if (future.isCancelled()) {
        abandon(call.latest());
      }
    });
    return true;
  }

  /**
   * Fails {@code call} when {@code nanos} have passed, telling the peer if it was sent. Returns false, the call
   * failed with what {@code closed} makes, when this end has stopped (its timer too). A supplier, not the
   * exception: this runs for every call, and an exception made in advance costs a stack walk each time.
   */
  public boolean armDeadline(OutboundCall<?> call, long nanos, Supplier<? extends RpcException> closed) {
    try {
      call.timeout(timer().newTimeout(t -> {
        abandon(call);
        call.fail(new CallTimeoutException("Call to " + call.method() + " timed out"));
      }, nanos, TimeUnit.NANOSECONDS));
      return true;
    } catch (IllegalStateException timerStopped) {
      call.fail(closed.get());
      return false;
    }
  }

  /**
   * Runs {@code task} after {@code nanos} on the deadline timer (a retry's backoff, say).
   *
   * @throws IllegalStateException when this end has stopped
   */
  public Timeout schedule(Runnable task, long nanos) {
    return timer().newTimeout(t -> task.run(), nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The {@code timeout} a request carries for the peer: the time its call has left, in milliseconds (at least
   * 1), or -1 when deadlines are not propagated.
   */
  public long timeoutMs(OutboundCall<?> call) {
    return propagateDeadline ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(call.deadline() - System.nanoTime())) : -1;
  }

  private static void abandon(OutboundCall<?> call) {
    OutboundCalls sentThrough = call.sentThrough();
    if (sentThrough != null) {
      sentThrough.abandon(call);
    }
  }

  /** Counts a reply (or a subscription's items) that arrived for a call nobody waits for any more. */
  public void lateReply() {
    lateReplies.incrementAndGet();
  }

  /** Returns how many replies arrived for calls nobody waited for any more, and were dropped. */
  public long lateReplies() {
    return lateReplies.get();
  }

  /**
   * Returns the deadline timer, made now if need be; lock-free once made. A stopped timer refuses new timeouts
   * with an {@link IllegalStateException}.
   */
  private HashedWheelTimer timer() {
    HashedWheelTimer made = timer;
    if (made != null) {
      return made;
    }
    synchronized (this) {
      if (stopped) {
        throw new IllegalStateException("stopped");
      }
      if (timer == null) {
        timer = new HashedWheelTimer(new DefaultThreadFactory(timerName, true), 10, TimeUnit.MILLISECONDS);
      }
      return timer;
    }
  }

  /** Stops the deadline timer; calls admitted later fail when their deadline is armed. */
  public synchronized void stop() {
    stopped = true;
    if (timer != null) {
      timer.stop();
    }
  }
}
