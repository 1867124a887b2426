package io.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.CallTimeoutException;
import io.courier.ConnectionException;
import io.courier.Endpoint;
import io.courier.Framing;
import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.discovery.EndpointGroup;
import io.courier.discovery.Instance;
import io.courier.peer.CallRecord;
import io.courier.peer.Calling;
import io.courier.peer.EventListeners;
import io.courier.peer.Failures;
import io.courier.peer.OutboundCall;
import io.courier.peer.OutboundStream;
import io.courier.peer.Serving;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.Response;
import io.courier.transport.Encoder;
import io.courier.transport.EventLoops;
import io.courier.transport.FrameDecoder;
import io.courier.transport.FrameError;
import io.courier.transport.WriteQueue;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every view of one client shares: the event loop, the servers and their connections (through its
 * {@link Router}), and what calls are made with. Calls enter here from {@link RpcClient}, proxies and batches, and
 * leave for the server the router picks. Thread-safe.
 */
final class ClientCore {

  private static final Logger log = LoggerFactory.getLogger(ClientCore.class);


  /** What the client calls, for messages: its target as given. */
  private final String describe;
  /** The one server the client was given, or null for a list, a discovered service or a program. */
  private final Endpoint endpoint;
  /** What every connection of this client is given; each server's pool gets a copy with its target. */
  private final Connection.Settings connectionSettings;
  private final NotificationListener notificationListener;
  private final Dialect dialect;
  private final JsonRpcCodec codec;
  /** What calls from the server are served with; a client that registered nothing answers "method not found". */
  private final Serving serving;
  /** Runs the methods the client serves; null when it serves none and was given none. */
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final int maxMessageBytes;
  private final int maxOutboundMessageBytes;
  private final Executor callbackExecutor;
  /** What the client's calls are made with: ids, deadlines, the pending bound. */
  private final Calling calling;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final int maxAttempts;
  private final int maxHttpConnections;
  private final Backoff reconnectBackoff;
  private final Backoff retryBackoff = Backoff.RETRY;
  private final RetryBudget retryBudget = new RetryBudget();
  private final AtomicLong connectAttempts = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  /** Offered every attempt's outcome: what the router learns from, and what retries. */
  private final Attempts attempts = new Attempts(null);
  /** Seed-dialect calls, each on its own connection, so that close() can fail them. */
  private final Set<OutboundCall<?>> seedCalls = ConcurrentHashMap.newKeySet();
  /** Chooses the server of each call. */
  private final Router router;
  private final String bearerToken;
  private final boolean allowPlaintextToken;
  /** Run around every call made one at a time, in order; empty for none. */
  private final List<ClientInterceptor> interceptors;
  private volatile boolean closed;

  /**
   * A client of {@code servers}: the builder's list, or the group it discovered, which the client closes; with
   * {@code fallback} standing in while a discovered group has no instances.
   */
  ClientCore(RpcClientBuilder builder, ObjectMapper mapper, EndpointGroup servers, List<Instance> fallback) {
    this.describe = builder.describeTarget();
    this.endpoint = builder.singleEndpoint();
    this.notificationListener = builder.notificationListener;
    this.dialect = builder.dialect;
    this.bearerToken = builder.bearerToken;
    this.allowPlaintextToken = builder.allowPlaintextToken;
    this.interceptors = List.copyOf(builder.interceptors);
    this.codec = new JsonRpcCodec(mapper, builder.maxNumberScale);
    this.maxMessageBytes = builder.maxMessageBytes;
    this.maxOutboundMessageBytes = builder.maxOutboundMessageBytes > 0
        ? builder.maxOutboundMessageBytes : builder.maxMessageBytes;
    this.callbackExecutor = builder.callbackExecutor;
    // A pool for the methods the client serves, only when it serves some: most clients never will.
    this.ownsExecutor = builder.executor == null && !builder.registrations.isEmpty();
    this.executor = builder.executor != null ? builder.executor
        : ownsExecutor ? Serving.newWorkerPool("courier-client-worker",
            Serving.DEFAULT_WORKER_THREADS, Serving.DEFAULT_QUEUE_CAPACITY) : null;
    this.serving = new Serving(codec, builder.registrations.build(mapper),
        executor != null ? executor : callbackExecutor,
        // The bounds a server applies by default to the calls it serves.
        new Serving.Limits(Serving.DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION,
            Serving.defaultMaxRunningPerConnection(Serving.DEFAULT_WORKER_THREADS), Serving.DEFAULT_MAX_BATCH_ITEMS,
            maxMessageBytes, maxOutboundMessageBytes),
        Serving.Interception.NONE, this::notificationReceived, false, EventListeners.of(builder.eventListeners));

    this.maxAttempts = builder.maxAttempts;
    this.maxHttpConnections = builder.maxHttpConnections;
    this.reconnectBackoff = builder.reconnectBackoff;
    Target program = builder.program;
    if (program != null) {
      // A launched program's streams are joined to an in-VM channel: no sockets, so no socket options.
      this.group = EventLoops.newLocalGroup("courier-client-stdio");
      this.bootstrap = new Bootstrap()
          .group(group)
          .channel(LocalChannel.class)
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WriteQueue.WATER_MARK);
    } else {
      this.group = EventLoops.newGroup(builder.ioThreads, "courier-client-io");
      this.bootstrap = new Bootstrap()
          .group(group)
          .channel(EventLoops.channelType())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WriteQueue.WATER_MARK)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) builder.connectTimeout.toMillis());
    }
    this.calling = new Calling(mapper, builder.callTimeout, builder.maxPendingCalls, callbackExecutor,
        builder.propagateDeadline, "courier-client-timer");
    this.connectionSettings = new Connection.Settings(program, builder.tls != null ? builder.tls : ClientTls.system(),
        builder.bearerToken,
        builder.connectTimeout, builder.keepAliveInterval, builder.keepAliveTimeout, maxMessageBytes,
        maxOutboundMessageBytes,
        io.courier.transport.Framing.of(builder.framing != null ? builder.framing : Framing.NEWLINE), serving,
        calling);
    if (program != null) {
      this.router = new Router(describe, new EndpointPool(null, program, connectionSettings.withTarget(program),
          bootstrap, group, reconnectBackoff, maxHttpConnections, false, connectAttempts));
    } else {
      // With one server, a failed one is retried on the next call; with more, its pool probes it in the background.
      boolean probes = !(servers.instances().size() == 1 && fallback.isEmpty() && builder.isStaticTarget());
      this.router = new Router(describe, servers, fallback, builder.loadBalancing, builder.zone,
          builder.outlierDetection, calling.callTimeout().toNanos(), instance -> newPool(instance, probes));
    }
  }

  /**
   * Returns the pool for a new server, or null (with a log line) for one this client cannot call: its target is
   * not one the client's options allow.
   */
  private EndpointPool newPool(Instance instance, boolean probes) {
    Target target = Target.parse(instance.target());
    if (bearerToken != null && !target.secure() && !allowPlaintextToken) {
      log.warn("{}: not calling {}, which has no TLS: the client would send its bearer token in the clear",
          describe, instance);
      return null;
    }
    if (dialect == Dialect.SEED && target.transport() != Target.Transport.TCP) {
      log.warn("{}: not calling {}: the seed dialect runs over tcp:// only", describe, instance);
      return null;
    }
    return new EndpointPool(instance, target, connectionSettings.withTarget(target), bootstrap, group,
        reconnectBackoff, maxHttpConnections, probes, connectAttempts);
  }

  Serving serving() {
    return serving;
  }

  Dialect dialect() {
    return dialect;
  }

  /** The one server the client was given; null for a list, a discovered service or a program. */
  Endpoint endpoint() {
    return endpoint;
  }

  /** The servers the client balances its calls over now. */
  List<Instance> instances() {
    return router.instances();
  }

  /** What the client calls, for messages: a URI, a list, or the program it launched. */
  String describeTarget() {
    return describe;
  }

  /**
   * Hands a notification from the server to the listener, on the callback executor; {@code handled} runs once
   * the listener returns, and until then the notification counts against the connection's in-flight cap.
   */
  void notificationReceived(String method, JsonNode params, Runnable handled) {
    if (notificationListener == null) {
      log.debug("Dropped notification {} from {}: no listener", method, describe);
      handled.run();
      return;
    }
    callbackExecutor.execute(() -> {
      try {
        notificationListener.onNotification(method, params);
      } catch (RuntimeException e) {
        log.warn("Notification listener failed on {} from {}", method, describe, e);
      } finally {
        handled.run();
      }
    });
  }

  long lateReplies() {
    return calling.lateReplies();
  }

  /**
   * Starts a call, through the client's interceptors when it has any. {@code params} is null, an
   * {@code Object[]}, a {@code Map} or {@link ArgsAndKwargs}.
   * {@code sync} completes the future on the I/O thread, for a caller that is blocked waiting on it; otherwise
   * the callback executor completes it, so that user callbacks never run on (and never block) the event loop.
   * The call gets {@code timeout}, or less when the thread is serving a call with less time left. With several
   * servers, {@code routingKey} (or null) is what a consistent-hashing policy routes it by.
   */
  <R> CompletableFuture<R> call(String method, Object params, ObjectReader reader, Duration timeout,
      boolean sync, boolean idempotent, Function<RpcError, Throwable> errors, Object routingKey) {
    if (interceptors.isEmpty()) {
      return send(method, params, reader, timeout, sync, idempotent, errors, routingKey, null);
    }
    return InterceptorChain.run(interceptors, method, params, timeout, describe,
        meta -> send(method, params, reader, timeout, sync, idempotent, errors, routingKey, meta));
  }

  /** Sends a call that has been through the interceptors, with the metadata they gave it (or null). */
  private <R> CompletableFuture<R> send(String method, Object params, ObjectReader reader, Duration timeout,
      boolean sync, boolean idempotent, Function<RpcError, Throwable> errors, Object routingKey,
      Map<String, String> meta) {
    Attempts outcomes = routingKey == null ? attempts : new Attempts(routingKey);
    OutboundCall<R> call = calling.newCall(method, params, reader, timeout, sync, idempotent, errors, outcomes,
        meta);
    if (serving.events() != null) {
      record(call, serving.events());
    }
    if (closed) {
      call.fail(clientClosed());
      return call.future();
    }
    if (!calling.admit(call)) {
      return call.future();
    }
    retryBudget.deposit();
    if (dialect == Dialect.SEED) {
      startSeedCall(call, routingKey);
    } else {
      sendAttempt(call, routingKey, null);
    }
    return call.future();
  }

  /** Tells the client's event listeners of a call: now that it starts, and with its outcome when it ends. */
  private static void record(OutboundCall<?> call, EventListeners listeners) {
    CallRecord record = CallRecord.made(listeners, call.method(), RequestId.of(call.id()));
    call.future().whenComplete((result, failure) -> {
      OutboundCall<?> last = call.latest();
      if (last.requestBytes() >= 0 && last.route() instanceof EndpointPool pool) {
        record.sent(pool.target().transport().protocol(), pool.address(), last.requestBytes());
      }
      record.end(failure == null ? null : errorOf(failure), last.responseBytes());
    });
  }

  /** The error a caller's failure stands for, as event listeners see it. */
  private static RpcError errorOf(Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    if (cause instanceof RpcException rpc) {
      return rpc.error();
    }
    return cause instanceof CancellationException ? RpcError.CANCELLED
        : RpcError.INTERNAL_ERROR.withMessage(cause.toString());
  }

  /**
   * Sends one attempt of a call, with whatever time the call has left, to the server the router picks (not
   * {@code avoid}, where its last attempt failed, while there is another).
   */
  private void sendAttempt(OutboundCall<?> call, Object routingKey, EndpointPool avoid) {
    long remaining = call.deadline() - System.nanoTime();
    if (remaining <= 0) {
      call.fail(new CallTimeoutException("Call to " + call.method() + " ran out of time before attempt "
          + call.attempt()));
      return;
    }
    if (!calling.armDeadline(call, remaining, ClientCore::clientClosed)) {
      return;
    }
    EndpointPool pool;
    try {
      pool = router.pick(routingKey, call.params(), avoid);
    } catch (ConnectionException none) {
      call.fail(none);
      return;
    }
    call.route(pool);
    RequestId id = RequestId.of(call.id());
    pool.withConnection(conn -> {
      // The time the call waited for an HTTP connection is not the server's to use.
      long timeoutMs = calling.timeoutMs(call);
      conn.send(List.of(call),
          (codec, out) -> codec.writeRequest(out, id, call.method(), call.params(), timeoutMs, call.meta()));
    }, call::fail);
  }

  /**
   * Learns from each attempt's outcome, and sends a failed attempt again when that is safe: the server said it
   * did not process it, it was never sent and another server can take it, or the method is
   * {@link io.courier.Idempotent} and the connection was lost. Within the call's deadline, the attempt limit and
   * the retry budget. One per routing key, so that a retry is routed by the call's key too.
   */
  private final class Attempts implements OutboundCall.Retrier {

    private final Object routingKey;

    Attempts(Object routingKey) {
      this.routingKey = routingKey;
    }

    @Override
    public void succeeded(OutboundCall<?> call) {
      if (call.route() instanceof EndpointPool pool) {
        pool.answered();
      }
    }

    @Override
    public boolean retry(OutboundCall<?> failed, Throwable failure) {
      if (!(failure instanceof RpcException exception)) {
        return false;
      }
      RpcError error = exception.error();
      EndpointPool pool = failed.route() instanceof EndpointPool routed ? routed : null;
      if (pool != null) {
        learn(pool, error);
      }
      if (closed || failed.attempt() >= maxAttempts) {
        return false;
      }
      boolean elsewhere = pool != null && router.hasAlternative(pool);
      boolean unsent = exception instanceof ConnectionException lost && !lost.wasSent();
      boolean safe = error.isUnprocessed() || (unsent && elsewhere)
          || (failed.idempotent() && error.code() == RpcError.CONNECTION_LOST_CODE);
      if (!safe) {
        return false;
      }
      // Another server can take it at once; the same one gets time to recover.
      long delay = elsewhere ? 0 : retryBackoff.delayNanos(failed.attempt());
      if (System.nanoTime() + delay >= failed.deadline()) {
        return false;
      }
      if (!retryBudget.tryWithdraw()) {
        log.debug("Not retrying {}: the retry budget is spent", failed.method());
        return false;
      }
      OutboundCall<?> next = failed.nextAttempt(calling.nextId());
      log.debug("Retrying {} (attempt {}) in {} ms after: {}", failed.method(), next.attempt(),
          TimeUnit.NANOSECONDS.toMillis(delay), error);
      retries.incrementAndGet();
      if (delay == 0) {
        // Not on this thread: it may be failing every call of a closing connection.
        group.execute(() -> sendAttempt(next, routingKey, pool));
      } else {
        calling.schedule(() -> sendAttempt(next, routingKey, pool), delay);
      }
      return true;
    }
  }

  /**
   * What a failed attempt says about its server: shutting down (drain it), timed out (count towards its
   * ejection), or answered with an error (it works). A lost connection is not counted: it fails every call on it
   * at once, which would eject a server for one reset, and a server that cannot be reached is kept out by its
   * reconnect backoff instead.
   */
  private void learn(EndpointPool pool, RpcError error) {
    switch (error.code()) {
      case RpcError.SHUTTING_DOWN_CODE -> pool.draining();
      case RpcError.TIMEOUT_CODE -> router.failed(pool);
      case RpcError.CONNECTION_LOST_CODE, RpcError.CLIENT_CLOSED_CODE, RpcError.CANCELLED_CODE,
          RpcError.LIMIT_EXCEEDED_CODE -> { }
      default -> pool.answered();
    }
  }

  /**
   * Returns a publisher whose subscribers each subscribe with a call of {@code method}; see
   * {@link RpcClient#subscribe}. A subscription is never retried: items may have been delivered.
   */
  <T> Flow.Publisher<T> subscribe(String method, Object params, ObjectReader itemReader,
      Function<RpcError, Throwable> errors) {
    String http = router.instances().stream()
        .map(Instance::target)
        .map(uri -> uri.getScheme().toLowerCase(java.util.Locale.ROOT))
        .filter(scheme -> scheme.startsWith("http"))
        .findFirst()
        .orElse(null);
    if (dialect == Dialect.SEED || http != null) {
      throw new UnsupportedOperationException("Subscriptions need a connection that carries notifications "
          + "(tcp:// or ws://), not " + (dialect == Dialect.SEED ? "the seed dialect" : http + "://"));
    }
    return OutboundStream.publisher(calling, method, params, itemReader, errors, call -> {
      if (closed) {
        call.fail(clientClosed());
        return;
      }
      RequestId id = RequestId.of(call.id());
      withConnection(conn -> conn.send(List.of(call),
          (codec, out) -> codec.writeRequest(out, id, call.method(), call.params(), -1)), call::fail);
    });
  }

  /** Sends a notification. */
  void notify(String method, Object params) {
    if (closed) {
      throw clientClosed();
    }
    if (dialect == Dialect.SEED) {
      throw new UnsupportedOperationException("The seed dialect has no notifications");
    }
    withConnection(conn -> conn.send(List.of(), (codec, out) -> codec.writeRequest(out, null, method, params, -1)),
        notConnected -> {
          throw notConnected;
        });
  }

  /** Sends the entries of a batch as one JSON array, to one server. Calls in a batch are not retried. */
  void sendBatch(List<Batch.Entry> entries, Duration timeout) {
    if (dialect == Dialect.SEED) {
      throw new UnsupportedOperationException("The seed dialect has no batches");
    }
    List<OutboundCall<?>> calls = entries.stream()
        .map(Batch.Entry::call)
        .filter(c -> c != null)
        .<OutboundCall<?>>map(c -> c)
        .toList();
    Duration budget = Calling.budget(timeout);
    if (budget.isZero() || budget.isNegative()) {
      calls.forEach(call -> call.fail(new CallTimeoutException("Batch call to " + call.method()
          + " has no time left (timeout " + budget.toMillis() + " ms); the batch was not sent")));
      return;
    }
    if (closed) {
      calls.forEach(call -> call.fail(clientClosed()));
      return;
    }
    for (OutboundCall<?> call : calls) {
      if (!calling.armDeadline(call, budget.toNanos(), ClientCore::clientClosed)) {
        calls.forEach(other -> other.fail(clientClosed()));
        return;
      }
      call.future().whenComplete((v, e) -> {
        if (call.future().isCancelled() && call.sentThrough() != null) {
          call.sentThrough().abandon(call);
        }
      });
    }
    long timeoutMs = calling.propagatesDeadline() ? budget.toMillis() : -1;
    withConnection(conn -> {
      conn.send(calls, (codec, out) -> {
        out.write('[');
        for (int i = 0; i < entries.size(); i++) {
          if (i > 0) {
            out.write(',');
          }
          Batch.Entry entry = entries.get(i);
          boolean isCall = entry.call() != null;
          codec.writeRequest(out, isCall ? RequestId.of(entry.call().id()) : null, entry.method(), entry.params(),
              isCall ? timeoutMs : -1);
        }
        out.write(']');
      });
    }, notConnected -> calls.forEach(call -> call.fail(notConnected)));
  }

  /** Returns a call for a batch: sent with the batch, never retried. */
  <R> OutboundCall<R> newBatchCall(String method, Object params, ObjectReader reader,
      Function<RpcError, Throwable> errors) {
    return new OutboundCall<>(calling.nextId(), method, params, 1, Long.MAX_VALUE, false, reader,
        new CompletableFuture<>(), callbackExecutor, errors, null);
  }

  /** Hands a message that is not a retried call a connection to the server the router picks. */
  private void withConnection(Consumer<Connection> send, Consumer<ConnectionException> fail) {
    EndpointPool pool;
    try {
      pool = router.pick(null, null, null);
    } catch (ConnectionException none) {
      fail.accept(none);
      return;
    }
    pool.withConnection(send, fail);
  }

  long connectAttempts() {
    return connectAttempts.get();
  }

  long retries() {
    return retries.get();
  }

  // --------------------------------------------------------------------------------------- seed dialect

  /** Sends a seed-dialect call on a connection of its own to the server the router picks; never retried. */
  private <R> void startSeedCall(OutboundCall<R> call, Object routingKey) {
    Endpoint server;
    try {
      server = router.pick(routingKey, call.params(), null).target().endpoint();
    } catch (ConnectionException none) {
      call.fail(none);
      return;
    }
    Object params = call.params();
    long timeout = call.deadline() - System.nanoTime();
    ArgsAndKwargs both = params instanceof ArgsAndKwargs given ? given
        : params instanceof Object[] array ? new ArgsAndKwargs(java.util.Arrays.asList(array), Map.of())
        : params instanceof Map<?, ?> map ? new ArgsAndKwargs(List.of(), castKeys(map))
        : new ArgsAndKwargs(List.of(), Map.of());
    seedCalls.add(call);
    call.future().whenComplete((v, e) -> seedCalls.remove(call));
    Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline()
            .addLast("framer", new FrameDecoder(maxMessageBytes))
            .addLast("seed", new SeedReplyReader(call, server));
      }
    });
    ChannelFuture connect = b.connect(server.host(), server.port());
    call.timeout(calling.schedule(() -> {
      connect.channel().close();
      call.fail(new CallTimeoutException("Call to " + call.method() + " timed out"));
    }, timeout));
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        call.fail(ConnectionException.notSent(RpcError.CONNECTION_LOST.withMessage(
            "Cannot connect to " + server + ": " + f.cause().getMessage()), f.cause()));
        return;
      }
      ByteBuf buf;
      try {
        buf = Encoder.encode(connect.channel().alloc(), maxOutboundMessageBytes,
            out -> codec.writeSeedRequest(out, call.method(), both.args(), both.kwargs()));
      } catch (IOException | RuntimeException e) {
        connect.channel().close();
        call.fail(e instanceof Encoder.TooLargeException ? new RpcException(RpcError.LIMIT_EXCEEDED.withMessage(
            "Request exceeds " + maxOutboundMessageBytes + " bytes; it was not sent")) : e);
        return;
      }
      connect.channel().writeAndFlush(buf);
    });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> castKeys(Map<?, ?> map) {
    return (Map<String, ?>) map;
  }

  /**
   * Reads the one reply of a seed-dialect call: the first complete JSON value on the connection. The
   * tutorial's server closes the connection after it; a Courier server keeps it open, so the client closes it.
   */
  private final class SeedReplyReader extends ChannelInboundHandlerAdapter {

    private final OutboundCall<?> call;
    private final Endpoint endpoint;

    SeedReplyReader(OutboundCall<?> call, Endpoint endpoint) {
      this.call = call;
      this.endpoint = endpoint;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.close();
      if (msg instanceof FrameError error) {
        call.fail(new RpcException(RpcError.LIMIT_EXCEEDED.withMessage("Seed-dialect reply rejected: "
            + error.message())));
        return;
      }
      ByteBuf frame = (ByteBuf) msg;
      byte[] bytes;
      try {
        bytes = ByteBufUtil.getBytes(frame);
      } finally {
        frame.release();
      }
      if (call.isDone()) {
        return;
      }
      Response response = codec.decodeSeedReply(RequestId.of(call.id()), bytes, 0, bytes.length);
      if (response.isError()) {
        call.failRemote(response.error());
      } else {
        call.succeed(response.result());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!call.isDone()) {
        call.fail(new ConnectionException(RpcError.CONNECTION_LOST.withMessage(
            "Connection to " + endpoint + " closed without a reply"), null));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      call.fail(new ConnectionException(RpcError.CONNECTION_LOST.withMessage(
          "Connection to " + endpoint + " failed: " + cause.getMessage()), cause));
      ctx.close();
    }
  }

  // -------------------------------------------------------------------------------------------- closing

  boolean isClosed() {
    return closed;
  }

  /** Fails every pending call with a "client closed" error, closes the connections and frees the threads. */
  void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    ConnectionException failure = clientClosed();
    router.close(failure);
    List.copyOf(seedCalls).forEach(call -> call.fail(failure));
    calling.stop();
    if (ownsExecutor) {
      executor.shutdownNow();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    log.debug("Client for {} closed", describe);
  }

  private static ConnectionException clientClosed() {
    return new ConnectionException(RpcError.CLIENT_CLOSED.withMessage("Client closed; the call was abandoned"),
        null);
  }
}
