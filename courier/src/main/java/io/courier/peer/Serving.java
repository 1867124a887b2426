package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RpcContext;
import io.courier.protocol.JsonRpcCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one end serves calls with, shared by all its connections: the method table, the codec, the executor,
 * the limits, what runs around each call, and the count of calls in flight that a graceful stop waits for.
 * Thread-safe; one per server or client.
 */
public final class Serving {

  /** The default size of an end's worker pool: twice the cores, at least 4, at most 200 threads. */
  public static final int DEFAULT_WORKER_THREADS =
      Math.min(200, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
  /** The default queue of an end's worker pool, in calls. */
  public static final int DEFAULT_QUEUE_CAPACITY = 1000;
  /** The default bound on the calls in flight on one connection. */
  public static final int DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 256;
  /** The default bound on the items of one batch. */
  public static final int DEFAULT_MAX_BATCH_ITEMS = 100;

  /** The default share of the workers one connection's calls may take: half of them, at least one. */
  public static int defaultMaxRunningPerConnection(int workerThreads) {
    return Math.max(1, workerThreads / 2);
  }

  /** The bounds the inbound half of every session applies. */
  public record Limits(
      int maxInFlightPerConnection,
      int maxRunningPerConnection,
      int maxBatchItems,
      int maxBatchResponseBytes,
      int maxOutboundMessageBytes) {}

  /** Runs a call's method, through whatever surrounds it (a server's interceptors). */
  @FunctionalInterface
  public interface Interception {
    /** Runs nothing around the call. */
    Interception NONE = (context, args, kwargs, invocation) -> invocation.invoke();

    /**
     * Runs the call in {@code context}; {@code args} and {@code kwargs} are its params as sent (either may be
     * null). Returns the result or a {@code CompletionStage} of it.
     */
    Object run(RpcContext context, ArrayNode args, ObjectNode kwargs, Invocation invocation) throws Throwable;
  }

  /** Binds the params and invokes the method: the innermost step of a call. */
  @FunctionalInterface
  public interface Invocation {
    Object invoke() throws Throwable;
  }

  /** Takes the notifications no registered method serves (a client's listener); null when they are dropped. */
  @FunctionalInterface
  public interface UnservedNotifications {
    /**
     * Takes one notification. {@code handled} must run once it has been handled or dropped, or when this throws:
     * until then it counts as in flight on its connection, so that a slow listener makes the peer wait rather
     * than its notifications queue without bound.
     */
    void received(String method, JsonNode params, Runnable handled);
  }

  private final JsonRpcCodec codec;
  private final MethodTable methods;
  private final Executor executor;
  private final Limits limits;
  private final Interception interception;
  private final UnservedNotifications unserved;
  private final boolean developmentMode;
  /** The end's event listeners; null when it has none. */
  private final EventListeners events;
  private final Waiters waiters = new Waiters();
  private final RateLimitedLog busyLog = new RateLimitedLog(Duration.ofSeconds(1));
  private final RateLimitedLog replyLog = new RateLimitedLog(Duration.ofSeconds(1));
  private final RateLimitedLog refusalLog = new RateLimitedLog(Duration.ofSeconds(1));
  /** Frames whose calls have not been answered yet; stop waits on {@code this} for it to reach zero. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  /**
   * @param unserved takes notifications that no method serves, or null to drop them
   * @param developmentMode whether an unexpected failure's reply carries its stack trace
   * @param events the end's event listeners, or null for none
   */
  public Serving(JsonRpcCodec codec, MethodTable methods, Executor executor, Limits limits,
      Interception interception, UnservedNotifications unserved, boolean developmentMode, EventListeners events) {
    this.codec = codec;
    this.methods = methods;
    this.executor = executor;
    this.limits = limits;
    this.interception = interception;
    this.unserved = unserved;
    this.developmentMode = developmentMode;
    this.events = events;
  }

  /**
   * Returns the bounded pool an end runs its methods on by default: {@code threads} daemon threads that time
   * out when idle, a queue of {@code queueCapacity} calls (0: none), and a refusal past both, which callers get
   * as "busy".
   */
  public static ExecutorService newWorkerPool(String name, int threads, int queueCapacity) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        queueCapacity == 0 ? new SynchronousQueue<>() : new LinkedBlockingQueue<>(queueCapacity),
        new DefaultThreadFactory(name, true), new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  public JsonRpcCodec codec() {
    return codec;
  }

  public MethodTable methods() {
    return methods;
  }

  Executor executor() {
    return executor;
  }

  public Limits limits() {
    return limits;
  }

  /** Returns the end's event listeners, or null when it has none. */
  public EventListeners events() {
    return events;
  }

  /** Returns what runs around each call: the server's interceptors. */
  public Interception interception() {
    return interception;
  }

  UnservedNotifications unserved() {
    return unserved;
  }

  /** The threads of this end that wait for an answer while serving a call, and run calls meanwhile. */
  Waiters waiters() {
    return waiters;
  }

  boolean developmentMode() {
    return developmentMode;
  }

  /** The "busy" warning, at most once a second for the whole end. */
  RateLimitedLog busyLog() {
    return busyLog;
  }

  /** Warnings about replies that cannot be sent as they are (too large, unserializable): once a second. */
  RateLimitedLog replyLog() {
    return replyLog;
  }

  /**
   * Messages refused before any method runs, or that nothing can be done with (a batch too large, a malformed
   * {@code $/authenticate}, an error tied to no call): once a second for the whole end, since a peer may send
   * them as fast as it likes and keep its connection.
   */
  public RateLimitedLog refusalLog() {
    return refusalLog;
  }

  /** Whether new calls are refused with "shutting down". */
  boolean isStopping() {
    return stopping;
  }

  /**
   * A frame of calls, or a request a server answers for user code ({@code httpGet}), arrived: {@link #awaitCalls}
   * waits for it until its {@link #frameFinished}, which must follow exactly once.
   */
  public void frameStarted() {
    inFlight.incrementAndGet();
  }

  /** Lock-free on the call path; only the last frame of a stopping end wakes {@link #awaitCalls}. */
  public void frameFinished() {
    if (inFlight.decrementAndGet() == 0 && stopping) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Refuses new calls from now on with "shutting down", which tells their callers they were not run. */
  public void refuseNewCalls() {
    stopping = true;
  }

  /**
   * Waits up to {@code grace} for the calls in flight to be answered; returns how many were still in flight when
   * it stopped waiting.
   */
  public int awaitCalls(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (this) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return inFlight.get();
  }
}
