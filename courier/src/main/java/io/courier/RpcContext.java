package io.courier;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.lang.annotation.Annotation;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Facts about the call being served: the method, the request id, the peer it came from (address, protocol,
 * TLS certificate), the HTTP headers, who the caller is once an interceptor has authenticated it, and whether
 * the caller has cancelled it (by timing out or cancelling, which sends {@code $/cancelRequest}). Either end of
 * a connection serves calls, so a client's methods see one too.
 *
 * <p>A method reads it with {@link #current()} on the thread it was called on. A method that returns a
 * {@code CompletableFuture} should capture it before going asynchronous. Thread-safe.
 */
public final class RpcContext {

  private static final ThreadLocal<RpcContext> CURRENT = new ThreadLocal<>();
  private static final String BEARER = "Bearer ";

  private final String method;
  private final RequestId id;
  private final Peer peer;
  /** The HTTP request's headers, or the WebSocket upgrade's; null on raw TCP. */
  private final HttpHeaders headers;
  /** The request's {@code meta} member; null when it had none. */
  private final Map<String, String> meta;
  /** Finds an annotation of the called method, its type or its object; null when there is none. */
  private final Function<Class<? extends Annotation>, Annotation> annotations;
  /** When the caller stops waiting, in {@link System#nanoTime()} units; 0 when it did not say. */
  private final long deadline;
  /**
   * The connection's {@code $/authenticate} token when the call arrived: calls run concurrently, so a token
   * sent after a call must not apply to it, whichever runs first.
   */
  private final String connectionToken;
  /** What the serving end records of this call for its event listeners; null when it has none. */
  private Object record;
  private volatile Identity identity;
  private volatile boolean cancelled;
  /** The thread running a blocking method, interrupted on cancel; guarded by {@code this}. */
  private Thread runner;

  RpcContext(String method, RequestId id, Peer peer, HttpHeaders headers, Map<String, String> meta,
      Function<Class<? extends Annotation>, Annotation> annotations, long deadline, String connectionToken) {
    this.method = method;
    this.id = id;
    this.peer = peer;
    this.headers = headers;
    this.meta = meta;
    this.annotations = annotations;
    this.deadline = deadline;
    this.connectionToken = connectionToken;
  }

  /**
   * Returns the context of the call the current thread is serving.
   *
   * @throws IllegalStateException when the current thread is not running a service method
   */
  public static RpcContext current() {
    RpcContext context = CURRENT.get();
    if (context == null) {
      throw new IllegalStateException("No RPC call on this thread (RpcContext.current() is only "
          + "available on the thread that runs a service method)");
    }
    return context;
  }

  /** Returns the context of the call the current thread is serving, or null. */
  static RpcContext currentOrNull() {
    return CURRENT.get();
  }

  /** Returns the method name as called on the wire. */
  public String method() {
    return method;
  }

  /** Returns the request's id, or {@code null} for a notification or a call in the tutorial's dialect. */
  public RequestId id() {
    return id;
  }

  /** Returns the address of the peer that sent the call. */
  public SocketAddress remoteAddress() {
    return peer.remoteAddress();
  }

  /** Returns the peer that sent the call, to learn about it or send it notifications. */
  public Peer peer() {
    return peer;
  }

  /**
   * Returns an HTTP header of the call: of its HTTP request, or of the request that opened its WebSocket;
   * empty on raw TCP or when absent.
   */
  public Optional<String> header(String name) {
    return headers == null ? Optional.empty() : Optional.ofNullable(headers.get(name));
  }

  /**
   * Returns an entry of the call's metadata: what the caller sent with this call alone (such as a W3C
   * {@code traceparent}), from the request's {@code meta} member, else from its HTTP request's headers (names
   * compared ignoring case there). Empty when the caller sent none by that name. Unlike {@link #header}, it never
   * returns a header of the request that opened a WebSocket: that one is the connection's, not the call's.
   * See "Per-call metadata" in {@code docs/wire.md}.
   */
  @Experimental
  public Optional<String> metadata(String name) {
    String value = meta == null ? null : meta.get(name);
    if (value == null && headers != null && "http".equals(peer.protocol())) {
      value = headers.get(name);
    }
    return Optional.ofNullable(value);
  }

  /**
   * Returns the bearer token the caller presented: from an {@code Authorization: Bearer} header, else the one
   * its connection had sent with {@code $/authenticate} before this call. Never log it.
   */
  public Optional<String> bearerToken() {
    String authorization = headers == null ? null : headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.of(authorization.substring(BEARER.length()).trim());
    }
    return Optional.ofNullable(connectionToken);
  }

  /**
   * Returns an annotation of the called method: on the Java method, else on its interface or class, else on
   * the service object's class. Empty for methods registered as functions.
   */
  public <A extends Annotation> Optional<A> annotation(Class<A> type) {
    return Optional.ofNullable(type.cast(annotations.apply(type)));
  }

  /** Returns who the caller is, once an authentication interceptor has said so. */
  public Optional<Identity> identity() {
    return Optional.ofNullable(identity);
  }

  /** Records who the caller is; for authentication interceptors. */
  public void identity(Identity identity) {
    this.identity = requireNonNull(identity, "identity");
  }

  /**
   * Returns how long the caller will still wait for the reply, or {@code null} when it did not say (a Courier
   * client says; other clients usually do not). Calls this method makes through a Courier client get no more
   * time than this.
   */
  public Duration remainingTime() {
    return deadline == 0 ? null : Duration.ofNanos(deadline - System.nanoTime());
  }

  boolean isExpired() {
    return deadline != 0 && System.nanoTime() - deadline > 0;
  }

  /**
   * Returns whether the caller gave up on this call. A long-running method should check it and stop early; a
   * blocking method is also interrupted when its call is cancelled.
   */
  public boolean isCancelled() {
    return cancelled;
  }

  /** Marks the call cancelled and interrupts the thread running it, if any. */
  synchronized void cancel() {
    cancelled = true;
    if (runner != null) {
      runner.interrupt();
    }
  }

  /**
   * Binds this context to the current thread for the duration of a blocking invocation, and returns the one
   * bound before: a thread waiting for a call of its own may run another call meanwhile.
   */
  RpcContext enter() {
    RpcContext previous = CURRENT.get();
    CURRENT.set(this);
    synchronized (this) {
      runner = Thread.currentThread();
    }
    return previous;
  }

  /**
   * Unbinds this context and binds {@code previous} again; a cancel that arrives later can no longer interrupt
   * this thread.
   */
  void exit(RpcContext previous) {
    synchronized (this) {
      runner = null;
    }
    // set(null), not remove(): the thread keeps its map entry for the next call rather than making a new weak
    // reference per call and sweeping the map for stale ones; the context itself is released either way.
    CURRENT.set(previous);
    // A cancel that raced with the method's return must not leak its interrupt into the next task.
    Thread.interrupted();
  }

  @Override
  public String toString() {
    return "RpcContext{method=" + method + ", id=" + id + ", remote=" + peer.remoteAddress() + "}";
  }

  /**
   * What the session layer, which serves calls, does with a context: make it, bind it to the thread that runs
   * the method, cancel it. Public only because that layer lives in another package; not part of the API.
   */
  @Internal
  public static final class Access {

    private Access() {}

    /**
     * @param deadline when the caller stops waiting, in {@link System#nanoTime()} units; 0 when it did not say
     * @param connectionToken the connection's {@code $/authenticate} token when the call arrived, or null
     */
    public static RpcContext create(String method, RequestId id, Peer peer, HttpHeaders headers,
        Map<String, String> meta, Function<Class<? extends Annotation>, Annotation> annotations, long deadline,
        String connectionToken) {
      return new RpcContext(method, id, peer, headers, meta, annotations, deadline, connectionToken);
    }

    /** Binds {@code context} to the current thread; returns the context to bind again on exit. */
    public static RpcContext enter(RpcContext context) {
      return context.enter();
    }

    public static void exit(RpcContext context, RpcContext previous) {
      context.exit(previous);
    }

    public static void cancel(RpcContext context) {
      context.cancel();
    }

    public static boolean isExpired(RpcContext context) {
      return context.isExpired();
    }

    /** Keeps what the serving end records of the call with it; set before the call runs anywhere. */
    public static void record(RpcContext context, Object record) {
      context.record = record;
    }

    /** Returns what {@link #record(RpcContext, Object)} kept, or null. */
    public static Object record(RpcContext context) {
      return context.record;
    }
  }
}
