package io.courier.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.Endpoint;
import io.courier.Experimental;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.discovery.Instance;
import io.courier.peer.Caller;
import io.courier.peer.ProxyFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * A client of one Courier (or any JSON-RPC 2.0) server: it makes proxies from interfaces and calls methods by
 * name, with many calls in flight on one connection.
 *
 * <pre>{@code
 * try (RpcClient client = RpcClient.builder()
 *     .target("tcp://127.0.0.1:7070")
 *     .callTimeout(Duration.ofSeconds(2))
 *     .build()) {
 *   Calculator calc = client.create(Calculator.class);
 *   int sum = calc.add(2, 3);                                        // blocks
 *   CompletableFuture<Integer> later = client.call("add", Integer.class, 2, 3);  // does not
 * }
 * }</pre>
 *
 * <p>Every call ends exactly once: with its result, or with an {@link RpcException} that says what happened
 * (an error from the server, {@link io.courier.CallTimeoutException}, or {@link io.courier.ConnectionException}
 * when the connection was lost or the client closed). When the connection drops, every call pending on it fails
 * at once and the next call reconnects. Given several servers, or a service a registry lists, it balances its
 * calls over them and sends a call that failed unprocessed to another ({@link RpcClientBuilder#target}).
 * Thread-safe: share one client.
 */
public final class RpcClient implements AutoCloseable {

  private final ClientCore core;
  private final ObjectMapper mapper;
  private final Duration callTimeout;
  private final boolean owner;
  /** What a consistent-hashing client routes this view's calls by; null for none. */
  private final Object routingKey;
  private final Map<Class<?>, Object> proxies = new ConcurrentHashMap<>();
  /** What this view's proxies call through: the server, with this view's timeout. */
  private final Caller caller = new Caller() {
    @Override
    public <R> CompletableFuture<R> call(String method, Object params, ObjectReader reader, boolean sync,
        boolean idempotent, Function<RpcError, Throwable> errors) {
      return start(method, params, reader, sync, idempotent, errors);
    }

    @Override
    public <R> Flow.Publisher<R> subscribe(String method, Object params, ObjectReader itemReader,
        Function<RpcError, Throwable> errors) {
      return core.subscribe(method, params, itemReader, errors);
    }

    @Override
    public void notify(String method, Object[] params) {
      core.notify(method, params);
    }

    @Override
    public String describe() {
      return core.describeTarget();
    }
  };

  RpcClient(ClientCore core, ObjectMapper mapper, Duration callTimeout, boolean owner, Object routingKey) {
    this.core = core;
    this.mapper = mapper;
    this.callTimeout = callTimeout;
    this.owner = owner;
    this.routingKey = routingKey;
  }

  /** Returns a builder for a client. */
  public static RpcClientBuilder builder() {
    return new RpcClientBuilder();
  }

  /**
   * Returns a client that shares this one's connection but gives its calls another timeout. Closing the
   * derived client does nothing; close the client you built.
   */
  public RpcClient withCallTimeout(Duration timeout) {
    requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
    }
    return new RpcClient(core, mapper, timeout, false, routingKey);
  }

  /**
   * Returns a client that shares this one's connections but routes its calls (and its proxies' calls) by
   * {@code key} under {@link LoadBalancing#consistentHash()}: calls with the same key go to the same server while
   * it is available. Other policies ignore it. Closing the derived client does nothing.
   *
   * <pre>{@code
   * Cart cart = client.withRoutingKey(userId).create(Cart.class);   // every call for this user to one server
   * }</pre>
   */
  @Experimental
  public RpcClient withRoutingKey(Object key) {
    return new RpcClient(core, mapper, callTimeout, false, requireNonNull(key, "key"));
  }

  /** Returns the timeout this client's calls get. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /**
   * Returns the server this client calls, when it was given one.
   *
   * @throws IllegalStateException for a client of several servers, a discovered service ({@link #servers()} lists
   *     them) or a program it launched ({@link RpcClientBuilder#command})
   */
  public Endpoint endpoint() {
    Endpoint endpoint = core.endpoint();
    if (endpoint == null) {
      throw new IllegalStateException("This client does not call one given server but " + core.describeTarget());
    }
    return endpoint;
  }

  /**
   * Returns the servers this client balances its calls over now: those listed in its target, or those its
   * registry lists (the last known while the registry cannot be reached); empty for a program it launched.
   */
  @Experimental
  public List<Instance> servers() {
    return core.instances();
  }

  /**
   * Returns a proxy for {@code service}. Methods returning {@code CompletableFuture} (or
   * {@code CompletionStage}) are asynchronous; any other method blocks until its reply, deadline or failure.
   * Proxies are made once per interface and cached.
   *
   * @throws IllegalArgumentException when {@code service} is not an interface or one of its methods cannot be
   *     called remotely
   */
  public <T> T create(Class<T> service) {
    requireNonNull(service, "service");
    return service.cast(proxies.computeIfAbsent(service, s -> ProxyFactory.create(s, caller, mapper)));
  }

  /** Calls {@code method} with params by position and binds the result to {@code resultType}. */
  public <R> CompletableFuture<R> call(String method, Class<R> resultType, Object... params) {
    return call(method, mapper.constructType(resultType), params);
  }

  /** Calls {@code method} with params by position, binding a generic result type. */
  public <R> CompletableFuture<R> call(String method, TypeReference<R> resultType, Object... params) {
    return call(method, mapper.constructType(resultType), params);
  }

  private <R> CompletableFuture<R> call(String method, JavaType resultType, Object[] params) {
    requireNonNull(method, "method");
    return start(method, params == null ? new Object[] {null} : params, mapper.readerFor(resultType), false,
        RpcException::new);
  }

  /**
   * Calls {@code method} with params by name (the tutorial's {@code kwargs}). Use {@code JsonNode.class} as
   * the result type to get the result as a JSON tree.
   */
  public <R> CompletableFuture<R> callNamed(String method, Class<R> resultType, Map<String, ?> params) {
    requireNonNull(method, "method");
    requireNonNull(params, "params");
    return start(method, params, mapper.readerFor(resultType), false, RpcException::new);
  }

  /**
   * Calls {@code method} with the tutorial's shape: positional {@code args} and keyword {@code kwargs}. The
   * seed dialect sends both; JSON-RPC carries params either by position or by name, so there one of them must
   * be empty.
   *
   * @throws IllegalArgumentException when both are non-empty on a JSON-RPC client
   */
  public <R> CompletableFuture<R> callArgs(String method, Class<R> resultType, List<?> args,
      Map<String, ?> kwargs) {
    requireNonNull(method, "method");
    requireNonNull(args, "args");
    requireNonNull(kwargs, "kwargs");
    return start(method, new ArgsAndKwargs(args, kwargs).forDialect(core.dialect()),
        mapper.readerFor(resultType), false, RpcException::new);
  }

  /**
   * Subscribes to {@code method}, a server method that returns a {@code Flow.Publisher}, with params by
   * position: the returned publisher is cold, and each of its subscribers makes its own call and gets the items
   * the server publishes, bound to {@code itemType}, as many as it {@linkplain Flow.Subscription#request
   * requests} and no more (the server's publisher is never asked for more either). Cancelling the subscription
   * cancels the server's publisher; the server completing or failing ends it; a lost connection ends it with
   * one {@code onError}. Signals arrive on the callback executor, in order. A subscription has no timeout and is
   * never retried. A proxy method declared to return {@code Flow.Publisher<T>} does the same.
   *
   * <pre>{@code
   * client.subscribe("count", Integer.class, 3).subscribe(subscriber);   // items 0, 1, 2, then onComplete
   * }</pre>
   *
   * @throws UnsupportedOperationException over HTTP, which carries no notifications, and in the seed dialect
   */
  @Experimental
  public <T> Flow.Publisher<T> subscribe(String method, Class<T> itemType, Object... params) {
    requireNonNull(method, "method");
    requireNonNull(itemType, "itemType");
    return core.subscribe(method, params == null ? new Object[] {null} : params, mapper.readerFor(itemType),
        RpcException::new);
  }

  /** Sends a notification with params by position: the server runs it and never answers. */
  public void notify(String method, Object... params) {
    core.notify(requireNonNull(method, "method"), params == null ? new Object[] {null} : params);
  }

  /** Sends a notification with params by name. */
  public void notifyNamed(String method, Map<String, ?> params) {
    core.notify(requireNonNull(method, "method"), requireNonNull(params, "params"));
  }

  /** Returns a new, empty batch whose calls get this client's timeout. */
  public Batch batch() {
    return new Batch(this, core, callTimeout);
  }

  /**
   * Returns how many replies arrived for calls nobody waited for any more (they had timed out or been
   * cancelled) and were dropped.
   */
  public long droppedLateReplies() {
    return core.lateReplies();
  }

  <R> CompletableFuture<R> start(String method, Object params, ObjectReader reader, boolean sync,
      Function<RpcError, Throwable> errors) {
    return start(method, params, reader, sync, false, errors);
  }

  <R> CompletableFuture<R> start(String method, Object params, ObjectReader reader, boolean sync,
      boolean idempotent, Function<RpcError, Throwable> errors) {
    return core.call(method, params, reader, callTimeout, sync, idempotent, errors, routingKey);
  }

  ObjectMapper mapper() {
    return mapper;
  }

  /** Returns how many times this client has opened (or tried to open) a connection. */
  public long connectAttempts() {
    return core.connectAttempts();
  }

  /** Returns how many retry attempts this client has sent. */
  public long retries() {
    return core.retries();
  }

  /**
   * Closes the client: every pending call fails at once with a {@link io.courier.ConnectionException} whose
   * code is {@link RpcError#CLIENT_CLOSED_CODE}, the connection is closed and the client's threads stop. On a
   * client from {@link #withCallTimeout} it does nothing.
   */
  @Override
  public void close() {
    if (owner) {
      core.close();
    }
  }
}
