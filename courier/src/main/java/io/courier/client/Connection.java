package io.courier.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.ConnectionException;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.peer.Calling;
import io.courier.peer.EventListeners;
import io.courier.peer.OutboundCall;
import io.courier.peer.OutboundCalls;
import io.courier.peer.Serving;
import io.courier.peer.Session;
import io.courier.protocol.Request;
import io.courier.transport.Encoder;
import io.courier.transport.FrameDecoder;
import io.courier.transport.FrameError;
import io.courier.transport.FrameWriter;
import io.courier.transport.Frames;
import io.courier.transport.Framing;
import io.courier.transport.HttpClientAdapter;
import io.courier.transport.StdioBridge;
import io.courier.transport.WebSocketClientAdapter;
import io.courier.transport.WriteQueue;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.local.LocalAddress;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection from a client to a server, for the life of one TCP connection: the Netty adapter around its
 * {@link Session}. It connects (TLS, the WebSocket upgrade, the bearer token), frames what the session sends,
 * keeps HTTP's requests in order, and pings an idle server. Calls wait in the session's outbound half from the
 * moment they are sent, connecting included; when the connection closes, every call still pending on it fails at
 * once, and the client opens a new connection for the next call. It is given its {@link Settings} and tells its
 * client of what happens through {@link Events}.
 */
final class Connection implements Session.Link {

  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  /** How long a launched program may take to exit once its input is closed, before it is destroyed. */
  private static final Duration PROCESS_EXIT_WAIT = Duration.ofSeconds(2);

  /** Room for the server's answer to the WebSocket upgrade. */
  private static final int WS_HANDSHAKE_BYTES = 8192;

  /** Where and how a client's connections connect, and what they serve calls from the server with. */
  record Settings(
      Target target,
      ClientTls tls,
      String bearerToken,
      Duration connectTimeout,
      Duration keepAliveInterval,
      Duration keepAliveTimeout,
      int maxMessageBytes,
      int maxOutboundMessageBytes,
      Framing framing,
      Serving serving,
      Calling calling) {

    /** The same settings for another server of the client's; TLS only if its target uses it. */
    Settings withTarget(Target other) {
      return new Settings(other, other.secure() ? tls : null, bearerToken, connectTimeout, keepAliveInterval, keepAliveTimeout,
          maxMessageBytes, maxOutboundMessageBytes, framing, serving, calling);
    }
  }

  /** What a connection tells its client about itself, on its event loop. */
  interface Events {
    /** It could not connect; the next attempt waits for the backoff. */
    void connectFailed(Connection failed, Throwable cause);

    /** It received its first message: the server is back, the backoff starts over. */
    void connectionWorks(Connection working);

    /** It closed, so the next call opens a new one. */
    void connectionClosed(Connection closed);

    /** An HTTP connection has no request left in flight and can take a waiting message. */
    void connectionIdle(Connection idle);

    /** The server did not answer a keepalive ping in time; the connection is being closed. */
    void connectionUnresponsive(Connection silent);
  }

  private final Settings settings;
  private final Events events;
  private final CompletableFuture<Channel> ready = new CompletableFuture<>();
  private final OutboundCalls outbound;
  private final AtomicBoolean opening = new AtomicBoolean();
  /** HTTP requests sent and not yet answered; HTTP answers them in order, so it measures the queue. */
  private final AtomicInteger requestsInFlight = new AtomicInteger();
  private volatile boolean closed;
  /** Set when the channel is made, before {@code ready} completes, which publishes them to the threads that send. */
  private WriteQueue writes;
  private Session session;
  /** The program a stdio target launched; null for network targets. */
  private volatile Process process;

  /**
   * Makes a connection that is not opened yet: the client makes it under its lock, so that no other caller
   * opens one too, and {@link #open} connects after the lock is released.
   */
  Connection(Settings settings, Events events) {
    this.settings = settings;
    this.events = events;
    this.outbound = new OutboundCalls(settings.serving().codec(), settings.maxOutboundMessageBytes(),
        settings.target(), settings.calling()::lateReply, settings.serving().refusalLog(), this::sendControl);
  }

  /** Starts connecting, the first time it is called; calls sent meanwhile wait for the connection. */
  void open(Bootstrap bootstrap) {
    if (!opening.compareAndSet(false, true)) {
      return;
    }
    if (closed) { // the client closed between making this connection and opening it
      ready.completeExceptionally(new ConnectionException(RpcError.CLIENT_CLOSED.withMessage("Client closed"), null));
      return;
    }
    Target target = settings.target();
    Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (settings.keepAliveInterval() != null) {
          long interval = settings.keepAliveInterval().toNanos();
          ch.pipeline().addLast("keepalive", new IdleStateHandler(interval, 0, 0, TimeUnit.NANOSECONDS));
        }
        if (settings.tls() != null) {
          ch.pipeline().addLast("tls", settings.tls().newHandler(ch.alloc(), target.endpoint().host(),
              target.endpoint().port()));
        }
        installTransport(ch.pipeline(), target);
        ch.pipeline().addLast("rpc", new Handler());
        writes = new WriteQueue(ch);
        session = new Session(settings.serving(), settings.calling(), ch, Connection.this, outbound, () -> { });
      }
    });
    if (target.transport() == Target.Transport.STDIO) {
      launch(b, target);
    } else {
      connected(b.connect(target.endpoint().host(), target.endpoint().port()), target);
    }
  }

  /**
   * Starts the target's program and connects to it through a {@link StdioBridge} over its standard input and
   * output; what it writes to its standard error goes to this process's.
   */
  private void launch(Bootstrap b, Target target) {
    try {
      process = new ProcessBuilder(target.command()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException | RuntimeException e) {
      failToOpen(e, "Cannot start " + target + ": ");
      return;
    }
    LocalAddress address = StdioBridge.newAddress("courier-client-stdio");
    StdioBridge.listen(b.config().group(), address, process.getInputStream(), process.getOutputStream(),
        "courier-client-stdio").addListener(bound -> {
          if (bound.isSuccess()) {
            connected(b.connect(address), target);
          } else {
            process.destroy();
            failToOpen(bound.cause(), "Cannot reach " + target + ": ");
          }
        });
  }

  /** Goes on once {@code connect} has: the handshakes, then the connection is ready for calls. */
  private void connected(ChannelFuture connect, Target target) {
    connect.addListener(f -> {
      if (f.isSuccess()) {
        Channel ch = connect.channel();
        transportReady(ch).addListener(handshake -> {
          if (handshake.isSuccess()) {
            opened(ch);
          } else {
            ch.close();
            failToOpen(handshake.cause(), "handshake with " + target + " failed: ");
          }
        });
      } else {
        failToOpen(f.cause(), "Cannot connect to " + target + ": ");
      }
    });
  }

  /** Adds the handlers that turn the target's protocol into JSON-RPC frames and back. */
  private void installTransport(ChannelPipeline pipeline, Target target) {
    int max = settings.maxMessageBytes();
    switch (target.transport()) {
      case TCP, STDIO -> pipeline.addLast("framer", new FrameDecoder(max));
      case HTTP -> pipeline
          .addLast("http", new HttpClientCodec())
          .addLast("http-aggregator", new HttpObjectAggregator(max))
          .addLast("adapter", new HttpClientAdapter(target.path(), target.endpoint().toString(),
              settings.bearerToken() == null ? null : "Bearer " + settings.bearerToken(), this::responded));
      case WS -> pipeline
          .addLast("http", new HttpClientCodec())
          .addLast("http-aggregator", new HttpObjectAggregator(WS_HANDSHAKE_BYTES))
          .addLast("ws", new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
              .webSocketUri(URI.create(target.toString()))
              .maxFramePayloadLength(max)
              .handshakeTimeoutMillis(settings.connectTimeout().toMillis())
              .dropPongFrames(true)
              .build()))
          .addLast("ws-aggregator", new WebSocketFrameAggregator(max))
          .addLast("adapter", new WebSocketClientAdapter());
    }
  }

  /** Completes when calls may be written: after the TLS handshake, and the WebSocket upgrade. */
  private Future<?> transportReady(Channel ch) {
    WebSocketClientAdapter ws = ch.pipeline().get(WebSocketClientAdapter.class);
    if (ws != null) {
      return ws.handshake(); // it runs inside TLS, so it also waits for the TLS handshake
    }
    SslHandler tls = ch.pipeline().get(SslHandler.class);
    return tls != null ? tls.handshakeFuture() : ch.newSucceededFuture();
  }

  private void opened(Channel ch) {
    ch.closeFuture().addListener(closedFuture -> onClose());
    if (settings.bearerToken() != null && settings.target().transport() != Target.Transport.HTTP) {
      // First on the connection, so that every call after it is authenticated.
      ObjectNode params = JsonNodeFactory.instance.objectNode().put("token", settings.bearerToken());
      try {
        writes.write(frame(ch, Encoder.encode(ch.alloc(), settings.maxOutboundMessageBytes(),
            out -> settings.serving().codec().writeRequest(out, null, Request.AUTHENTICATE_METHOD, params, -1))));
      } catch (IOException | RuntimeException e) {
        ch.close();
        failToOpen(e, "Cannot authenticate to " + settings.target() + ": ");
        return;
      }
    }
    EventListeners listeners = settings.serving().events();
    if (listeners != null) {
      listeners.connectionOpened(session);
    }
    ready.complete(ch);
  }

  private void failToOpen(Throwable cause, String what) {
    closed = true;
    events.connectFailed(this, cause);
    // Nothing was written: the calls waiting for this connection may go to another server.
    ready.completeExceptionally(ConnectionException.notSent(RpcError.CONNECTION_LOST.withMessage(
        what + cause.getMessage()), cause));
  }

  /** Returns the HTTP requests sent on this connection and not yet answered (0 on other transports). */
  int requestsInFlight() {
    return requestsInFlight.get();
  }

  /**
   * Counts the next message {@link #send} takes as an HTTP request in flight until its response arrives (204
   * included); the client counts it when it picks the connection, so no other caller takes it for idle. Other
   * transports answer in any order and do not count.
   */
  void reserve() {
    if (settings.target().transport() == Target.Transport.HTTP) {
      requestsInFlight.incrementAndGet();
    }
  }

  /** Takes back a {@link #reserve()} whose message was not sent after all. */
  private void unreserve() {
    if (settings.target().transport() == Target.Transport.HTTP) {
      responded();
    }
  }

  /** An HTTP response arrived: when none are outstanding, the connection can take a waiting call. */
  private void responded() {
    if (requestsInFlight.decrementAndGet() == 0) {
      events.connectionIdle(this);
    }
  }

  /** Whether new calls may use this connection. */
  boolean isOpen() {
    return !closed;
  }

  /**
   * Sends a message. {@code calls} are the pending calls it carries (none for a notification); they count as
   * pending from now on, connecting included, so that closing fails them too, and each fails if the message
   * cannot be written.
   */
  void send(List<OutboundCall<?>> calls, OutboundCalls.Body body) {
    List<OutboundCall<?>> live = outbound.register(calls);
    if (!calls.isEmpty() && live.isEmpty()) {
      unreserve();
      return;
    }
    ready.whenComplete((channel, connectFailure) -> {
      if (connectFailure != null) {
        live.forEach(call -> outbound.fail(call, connectFailure));
        return;
      }
      if (!calls.isEmpty() && !outbound.anyPending(live)) {
        unreserve();
        return; // every call was abandoned while connecting
      }
      ByteBuf buf = outbound.encode(channel.alloc(), live, body);
      if (buf == null) {
        unreserve();
        return;
      }
      // A write that fails closes the connection, and closing fails every call pending on it.
      writes.write(withMetadata(frame(channel, buf), live));
      outbound.written(live);
    });
  }

  /**
   * Raw TCP frames each message as the client was built to ({@link Settings#framing}), whatever the server
   * sends: a peer that speaks only one framing must get it from the first message on, before it has said
   * anything. HTTP and WebSocket delimit messages themselves.
   */
  private ByteBuf frame(Channel channel, ByteBuf body) {
    Target.Transport transport = settings.target().transport();
    if (transport != Target.Transport.TCP && transport != Target.Transport.STDIO) {
      return body;
    }
    return FrameWriter.frame(channel.alloc(), settings.framing(), body, true);
  }

  /**
   * Over HTTP, a lone call's metadata also goes as headers of its request, where HTTP proxies and tracers
   * between client and server look for a trace context; the request's {@code meta} member carries it too.
   */
  private Object withMetadata(ByteBuf message, List<OutboundCall<?>> calls) {
    if (settings.target().transport() != Target.Transport.HTTP || calls.size() != 1 || calls.get(0).meta() == null) {
      return message;
    }
    return new HttpClientAdapter.Post(message, calls.get(0).meta());
  }

  /** Pings the server; its answer, like any message, tells the client that the connection works. */
  void ping() {
    sendControl((codec, out) -> codec.writeRequest(out, OutboundCalls.PING_ID, Request.PING_METHOD, null, -1));
  }

  /** Returns how many calls wait for their answers on this connection. */
  int pendingCalls() {
    return outbound.pendingCount();
  }

  /** Sends a message of the client's own (a cancel, a keepalive ping) on this connection. */
  private void sendControl(OutboundCalls.Body body) {
    reserve();
    send(List.of(), body);
  }

  /** Closes the connection; pending calls fail with {@code failure}. */
  void close(Throwable failure) {
    closed = true;
    outbound.close(failure);
    ready.thenAccept(Channel::close);
  }

  private void onClose() {
    closed = true;
    Process launched = process;
    if (launched != null) {
      // Its input is closed now, which tells a well-behaved program to exit; one that does not is stopped.
      CompletableFuture.delayedExecutor(PROCESS_EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
        if (launched.isAlive()) {
          log.warn("{} did not exit within {} of its input closing; destroying it", settings.target(),
              PROCESS_EXIT_WAIT);
          launched.destroy();
        }
      });
    }
    events.connectionClosed(this);
    EventListeners listeners = settings.serving().events();
    if (listeners != null) {
      listeners.connectionClosed(session);
    }
    session.close(new ConnectionException(RpcError.CONNECTION_LOST.withMessage(
        "Connection to " + settings.target().endpoint() + " lost with calls pending; they may have run"), null));
  }

  // ---------------------------------------------------------------------------------------- Session.Link
  @Override
  public String protocol() {
    return settings.target().transport().protocol();
  }

  @Override
  public boolean canPush() {
    return settings.target().transport() != Target.Transport.HTTP;
  }

  /** Writes a reply or a message of the client's own, framed for the transport; on the event loop or not. */
  @Override
  public void send(ByteBuf message) {
    Channel channel = ready.getNow(null);
    if (channel == null || !canPush()) {
      // HTTP carries only the client's requests; a reply has nowhere to go.
      message.release();
      log.debug("Dropped a message to {}: the connection cannot carry it", settings.target());
      return;
    }
    writes.write(frame(channel, message));
  }

  /** The Courier code closest to an HTTP status that refused a JSON-RPC post. */
  private static int codeFor(int httpStatus) {
    return switch (httpStatus) {
      case 401 -> RpcError.UNAUTHENTICATED_CODE;
      case 403 -> RpcError.PERMISSION_DENIED_CODE;
      case 413 -> RpcError.LIMIT_EXCEEDED_CODE;
      default -> RpcError.INVALID_REQUEST_CODE;
    };
  }

  /** Reads replies on the connection's event loop. */
  private final class Handler extends ChannelInboundHandlerAdapter {

    private boolean working;
    /** Frames read so far; a keepalive ping is answered when this moves. */
    private long frames;

    /**
     * The connection has been quiet for the keepalive interval: ping the server, and close the connection if
     * nothing at all arrives within the keepalive timeout. That finds a peer that vanished without closing
     * (a half-open connection) before the calls' deadlines do.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (!(event instanceof IdleStateEvent)) {
        super.userEventTriggered(ctx, event);
        return;
      }
      long framesAtPing = frames;
      ping();
      ctx.executor().schedule(() -> {
        if (frames == framesAtPing && ctx.channel().isActive()) {
          log.warn("Closing connection to {}: no answer to a keepalive ping within {}", settings.target().endpoint(),
              settings.keepAliveTimeout());
          events.connectionUnresponsive(Connection.this);
          ctx.close();
        }
      }, settings.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FrameError error) {
        log.warn("Closing connection to {}: {}", settings.target().endpoint(), error.message());
        ctx.close();
        return;
      }
      if (!Frames.isFrame(msg)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      ByteBuf frame = Frames.content(msg);
      frames++;
      if (!working) {
        working = true;
        events.connectionWorks(Connection.this);
      }
      if (session.inbound().atCapacity()) {
        // The client keeps reading, for its answers; the server's calls past the cap are answered busy.
        session.refuse(frame, Frames.plainStrings(msg), null, replies);
      } else {
        session.receive(frame, Frames.plainStrings(msg), null, replies);
      }
    }

    /** Where the answers to the server's calls go: out on this connection, like the client's own messages. */
    private final Session.ReplySink replies = (reply, jsonRpc) -> {
      if (reply != null) {
        send(reply);
      }
    };

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      if (ctx.channel().isWritable()) {
        writes.resume();
        session.inbound().resumeStreams();
      }
      super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      writes.discard();
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof ClosedChannelException) {
        return; // a write raced with the connection closing; pending calls fail on close
      }
      if (cause instanceof HttpClientAdapter.HttpStatusException http) {
        // Not an answer to one call but a fault of the endpoint: every call on the connection gets it.
        log.warn("Closing connection to {}: {}", settings.target(), http.getMessage());
        close(new RpcException(RpcError.of(codeFor(http.status()), http.getMessage() + " from " + settings.target())));
        return;
      }
      // The calls pending learn why: a TLS alert after the handshake (a refused client certificate under TLS
      // 1.3) or a reset, rather than only that the connection went away.
      Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
      log.warn("Closing connection to {}: {}", settings.target(), reason.toString());
      close(new ConnectionException(RpcError.CONNECTION_LOST.withMessage(
          "Connection to " + settings.target() + " failed: " + reason + "; calls pending on it may have run"),
          reason));
      ctx.close(); // also when it happens before the connection was ready
    }
  }
}
