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
import io.courier.peer.Calling;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * What every view of one client shares: the event loop, the connections, and what calls are made with. Calls
 * enter here from {@link RpcClient}, proxies and batches. Thread-safe.
 */
final class ClientCore implements Connection.Events {

  private static final Logger log = LoggerFactory.getLogger(ClientCore.class);


  private final Target target;
  private final Endpoint endpoint;
  /** What every connection of this client is given. */
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
  private final Backoff reconnectBackoff;
  private final Backoff retryBackoff = Backoff.RETRY;
  private final RetryBudget retryBudget = new RetryBudget();
  private final AtomicLong connectAttempts = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  /** Seed-dialect calls, each on its own connection, so that close() can fail them. */
  private final Set<OutboundCall<?>> seedCalls = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  /**
   * The open connections: at most one on raw TCP and WebSocket, which carry many calls at once; up to
   * {@code maxConnections} over HTTP, where each answers its requests in order. Guarded by lock.
   */
  private final List<Connection> connections = new ArrayList<>();
  private final int maxConnections;
  /** Whether one connection carries any number of calls at once (raw TCP, WebSocket); HTTP's carry one. */
  private final boolean multiplexed;
  /** Messages waiting for an HTTP connection to be free, in order. Guarded by lock. */
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int connectFailures; // guarded by lock
  private long reconnectAt; // guarded by lock
  private String lastConnectFailure; // guarded by lock
  private volatile boolean closed;

  ClientCore(RpcClientBuilder builder, ObjectMapper mapper) {
    this.target = builder.target;
    this.multiplexed = target.transport() != Target.Transport.HTTP;
    this.maxConnections = multiplexed ? 1 : builder.maxHttpConnections;
    this.endpoint = target.endpoint();
    this.notificationListener = builder.notificationListener;
    this.dialect = builder.dialect;
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
        Serving.Interception.NONE, this::notificationReceived, false);

    this.maxAttempts = builder.maxAttempts;
    this.reconnectBackoff = builder.reconnectBackoff;
    if (target.transport() == Target.Transport.STDIO) {
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
    ClientTls tls = target.secure() ? (builder.tls != null ? builder.tls : ClientTls.system()) : null;
    this.connectionSettings = new Connection.Settings(target, tls, builder.bearerToken, builder.connectTimeout,
        builder.keepAliveInterval, builder.keepAliveTimeout, maxMessageBytes, maxOutboundMessageBytes,
        io.courier.transport.Framing.of(builder.framing != null ? builder.framing : Framing.NEWLINE), serving,
        calling);
  }

  Serving serving() {
    return serving;
  }

  Dialect dialect() {
    return dialect;
  }

  /** The server's address; null for a program the client launched. */
  Endpoint endpoint() {
    return endpoint;
  }

  /** What the client calls, for messages: a URI, or the program it launched. */
  String describeTarget() {
    return target.toString();
  }

  /** Hands a notification from the server to the listener, on the callback executor. */
  void notificationReceived(String method, JsonNode params) {
    if (notificationListener == null) {
      log.debug("Dropped notification {} from {}: no listener", method, target);
      return;
    }
    callbackExecutor.execute(() -> {
      try {
        notificationListener.onNotification(method, params);
      } catch (RuntimeException e) {
        log.warn("Notification listener failed on {} from {}", method, target, e);
      }
    });
  }

  long lateReplies() {
    return calling.lateReplies();
  }

  /**
   * Starts a call. {@code params} is null, an {@code Object[]}, a {@code Map} or {@link ArgsAndKwargs}.
   * {@code sync} completes the future on the I/O thread, for a caller that is blocked waiting on it; otherwise
   * the callback executor completes it, so that user callbacks never run on (and never block) the event loop.
   * The call gets {@code timeout}, or less when the thread is serving a call with less time left.
   */
  <R> CompletableFuture<R> call(String method, Object params, ObjectReader reader, Duration timeout,
      boolean sync, boolean idempotent, Function<RpcError, Throwable> errors) {
    OutboundCall<R> call = calling.newCall(method, params, reader, timeout, sync, idempotent, errors,
        dialect == Dialect.SEED ? null : this::retry);
    if (closed) {
      call.fail(clientClosed());
      return call.future();
    }
    if (!calling.admit(call)) {
      return call.future();
    }
    retryBudget.deposit();
    if (dialect == Dialect.SEED) {
      startSeedCall(call);
    } else {
      sendAttempt(call);
    }
    return call.future();
  }

  /** Sends one attempt of a call, with whatever time the call has left. */
  private void sendAttempt(OutboundCall<?> call) {
    long remaining = call.deadline() - System.nanoTime();
    if (remaining <= 0) {
      call.fail(new CallTimeoutException("Call to " + call.method() + " ran out of time before attempt "
          + call.attempt()));
      return;
    }
    if (!calling.armDeadline(call, remaining, clientClosed())) {
      return;
    }
    RequestId id = RequestId.of(call.id());
    withConnection(conn -> {
      // The time the call waited for an HTTP connection is not the server's to use.
      long timeoutMs = calling.timeoutMs(call);
      conn.send(List.of(call), (codec, out) -> codec.writeRequest(out, id, call.method(), call.params(), timeoutMs));
    }, call::fail);
  }

  /**
   * Sends a failed attempt again when that is safe: the server said it did not process it, or the method is
   * {@link io.courier.Idempotent} and the connection was lost. Within the call's deadline, the attempt limit
   * and the retry budget.
   */
  private boolean retry(OutboundCall<?> failed, Throwable failure) {
    if (closed || failed.attempt() >= maxAttempts || !(failure instanceof RpcException exception)) {
      return false;
    }
    RpcError error = exception.error();
    boolean safe = error.isUnprocessed() || (failed.idempotent() && error.code() == RpcError.CONNECTION_LOST_CODE);
    if (!safe) {
      return false;
    }
    long delay = retryBackoff.delayNanos(failed.attempt());
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
    calling.schedule(() -> sendAttempt(next), delay);
    return true;
  }

  /**
   * Returns a publisher whose subscribers each subscribe with a call of {@code method}; see
   * {@link RpcClient#subscribe}. A subscription is never retried: items may have been delivered.
   */
  <T> Flow.Publisher<T> subscribe(String method, Object params, ObjectReader itemReader,
      Function<RpcError, Throwable> errors) {
    if (dialect == Dialect.SEED || target.transport() == Target.Transport.HTTP) {
      throw new UnsupportedOperationException("Subscriptions need a connection that carries notifications "
          + "(tcp:// or ws://), not " + (dialect == Dialect.SEED ? "the seed dialect" : target.scheme() + "://"));
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

  /** Sends the entries of a batch as one JSON array. Calls in a batch are not retried. */
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
      if (!calling.armDeadline(call, budget.toNanos(), clientClosed())) {
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

  /** A message waiting for an HTTP connection to be free: how to send it, and how to fail it. */
  private record Waiting(Consumer<Connection> send, Consumer<ConnectionException> fail) {}

  /**
   * Hands the next message a connection: the open one on raw TCP and WebSocket (opened when needed); over
   * HTTP, where a connection answers its requests in order, an idle one, else a new one while there are fewer
   * than {@code maxConnections}, else the message waits for the first to be free (OkHttp's choice: no
   * pipelining behind a slow call). After a failed attempt to connect, new attempts wait for the reconnect
   * backoff, and messages with no connection fail at once rather than queue.
   */
  private void withConnection(Consumer<Connection> send, Consumer<ConnectionException> fail) {
    Connection conn;
    try {
      synchronized (lock) {
        conn = pick(false);
        if (conn == null) {
          waiting.add(new Waiting(send, fail));
          return;
        }
        conn.reserve();
      }
    } catch (ConnectionException notConnected) {
      fail.accept(notConnected);
      return;
    }
    conn.open(bootstrap);
    send.accept(conn);
  }

  /**
   * Returns the connection for the next message, opening one when allowed, or null when it must wait for an
   * HTTP connection. {@code waiting} messages go first unless {@code forWaiting}. Called with the lock held.
   */
  private Connection pick(boolean forWaiting) {
    if (closed) {
      throw clientClosed();
    }
    connections.removeIf(c -> !c.isOpen());
    if (multiplexed && !connections.isEmpty()) {
      return connections.get(0);
    }
    if (!forWaiting && !waiting.isEmpty()) {
      return null;
    }
    for (Connection c : connections) {
      if (c.requestsInFlight() == 0) {
        return c;
      }
    }
    if (connections.size() >= maxConnections) {
      return null;
    }
    long wait = reconnectAt - System.nanoTime();
    if (connectFailures > 0 && wait > 0) {
      if (!connections.isEmpty()) {
        return null; // the open ones will do
      }
      throw new ConnectionException(RpcError.CONNECTION_LOST.withMessage("Not connected to " + target
          + "; next attempt in " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms (last attempt: "
          + lastConnectFailure + ")"), null);
    }
    if (target.transport() == Target.Transport.STDIO && connectAttempts.get() > 0) {
      // A launched program is not started again: whatever state it had went with it.
      throw new ConnectionException(RpcError.CONNECTION_LOST.withMessage(target + " has exited or closed its "
          + "output; a client of a program does not start it again"), null);
    }
    Connection opened = new Connection(connectionSettings, this); // opened by the caller, once the lock is released
    connections.add(opened);
    connectAttempts.incrementAndGet();
    return opened;
  }

  /** An HTTP connection with no request left in flight takes the first waiting message. */
  @Override
  public void connectionIdle(Connection idle) {
    Waiting next;
    synchronized (lock) {
      if (closed || !idle.isOpen() || (next = waiting.poll()) == null) {
        return;
      }
      idle.reserve();
    }
    // On the event loop rather than here: a message whose calls were all abandoned sends nothing and makes the
    // connection idle again, which would otherwise recurse through the whole queue.
    group.execute(() -> next.send().accept(idle));
  }

  /**
   * Gives waiting messages the connections they can get after one closed or failed to open: new ones, or a
   * failure when no connection can be had.
   */
  private void serveWaiting() {
    while (true) {
      Waiting next;
      Connection conn;
      try {
        synchronized (lock) {
          if (waiting.isEmpty() || (conn = pick(true)) == null) {
            return;
          }
          next = waiting.poll();
          conn.reserve();
        }
      } catch (ConnectionException notConnected) {
        List<Waiting> failed;
        synchronized (lock) {
          failed = List.copyOf(waiting);
          waiting.clear();
        }
        failed.forEach(w -> failQuietly(w, notConnected));
        return;
      }
      conn.open(bootstrap);
      next.send().accept(conn);
    }
  }

  /** Fails a waiting message; a notification's failure has no caller left to throw to, so it is logged. */
  private static void failQuietly(Waiting waiting, ConnectionException failure) {
    try {
      waiting.fail().accept(failure);
    } catch (ConnectionException notification) {
      log.debug("Dropped a notification: {}", notification.getMessage());
    }
  }

  @Override
  public void connectFailed(Connection failed, Throwable cause) {
    synchronized (lock) {
      connectFailures++;
      reconnectAt = System.nanoTime() + reconnectBackoff.delayNanos(connectFailures);
      lastConnectFailure = cause.getMessage();
      connections.remove(failed);
    }
    serveWaiting();
  }

  @Override
  public void connectionWorks() {
    synchronized (lock) {
      connectFailures = 0;
    }
  }

  @Override
  public void connectionClosed(Connection closedConnection) {
    synchronized (lock) {
      connections.remove(closedConnection);
    }
    serveWaiting();
  }

  long connectAttempts() {
    return connectAttempts.get();
  }

  long retries() {
    return retries.get();
  }

  // --------------------------------------------------------------------------------------- seed dialect

  private <R> void startSeedCall(OutboundCall<R> call) {
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
            .addLast("seed", new SeedReplyReader(call));
      }
    });
    ChannelFuture connect = b.connect(endpoint.host(), endpoint.port());
    call.timeout(calling.schedule(() -> {
      connect.channel().close();
      call.fail(new CallTimeoutException("Call to " + call.method() + " timed out"));
    }, timeout));
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        call.fail(new ConnectionException(RpcError.CONNECTION_LOST.withMessage(
            "Cannot connect to " + endpoint + ": " + f.cause().getMessage()), f.cause()));
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

    SeedReplyReader(OutboundCall<?> call) {
      this.call = call;
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
    List<Connection> open;
    List<Waiting> stranded;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open = List.copyOf(connections);
      connections.clear();
      stranded = List.copyOf(waiting);
      waiting.clear();
    }
    ConnectionException failure = clientClosed();
    open.forEach(c -> c.close(failure));
    stranded.forEach(w -> failQuietly(w, failure));
    List.copyOf(seedCalls).forEach(call -> call.fail(failure));
    calling.stop();
    if (ownsExecutor) {
      executor.shutdownNow();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    log.debug("Client for {} closed", target);
  }

  private static ConnectionException clientClosed() {
    return new ConnectionException(RpcError.CLIENT_CLOSED.withMessage("Client closed; the call was abandoned"),
        null);
  }
}
