package io.courier.server;

import io.courier.ConnectionException;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.peer.Calling;
import io.courier.peer.Failures;
import io.courier.peer.InboundCalls;
import io.courier.peer.OutboundCalls;
import io.courier.peer.RateLimitedLog;
import io.courier.peer.Serving;
import io.courier.peer.Session;
import io.courier.transport.FrameError;
import io.courier.transport.Frames;
import io.courier.transport.HttpGet;
import io.courier.transport.HttpReply;
import io.courier.transport.WireStack;
import io.courier.transport.WriteQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.local.LocalChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server connection, whatever its protocol: the last handler of every stack (raw TCP, HTTP, WebSocket, each
 * in the clear or inside TLS), and the Netty adapter of the connection's {@link Session}. Frames cut by the
 * protocol's handlers go to the session, and every reply goes back the same way, through the connection's
 * {@link WireStack}, which answers in its protocol's terms (a framed message, a WebSocket frame, an HTTP
 * response in its request's turn), and a write queue that flushes once per burst.
 *
 * <p>It applies backpressure rather than buffering: it stops reading while the connection has as many calls
 * in flight as it may, or while its peer is not reading replies (the channel is unwritable); frames already
 * read past the cap wait unrun, and replies wait in the write queue rather than in the channel's buffer. Its timers (no
 * protocol detected, a message trickling in, idle, unwritable too long) are checked by the server's sweeper.
 * Stateful, one per channel.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter implements Session.Link {

  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);
  private static final String TEXT = "text/plain; charset=utf-8";

  /** Frames this large are decoded on a worker, not on the I/O thread. */
  static final int OFFLOAD_BYTES = 16 * 1024;

  private final Serving serving;
  private final Calling calling;
  private final Limits limits;
  private final PartialMessageBudget partialBudget;
  private final ParseBudget parseBudget;
  /** The server's open connections, which this one joins while it is open. */
  private final Set<ServerConnection> connections;
  /** What answers the {@code GET}s of paths the user added, by path. */
  private final Map<String, HttpGetHandler> httpGets;
  /** The server's, shared by its connections: failing GET handlers reported at most once a second. */
  private final RateLimitedLog getFailureLog;
  /** The protocol, once detected (it changes once more when HTTP upgrades to WebSocket). */
  private volatile WireStack stack;
  /** Whether the event listeners were told of this connection; event loop only. */
  private boolean reported;
  private Channel channel;
  private Session session;
  private InboundCalls inbound;
  private WriteQueue writes;
  private final Runnable updateReading = this::updateReading;
  /** Frames read past the in-flight cap, run as calls complete; at most one read's worth. Event loop only. */
  private final ArrayDeque<Object> held = new ArrayDeque<>();

  // Timer state, in System.nanoTime() units; written on the event loop, read by the sweeper.
  private final long openedAt = System.nanoTime();
  private volatile long lastActivityAt = openedAt;
  private volatile long unwritableSince;
  private volatile long frames;
  /** Whether part of a message is buffered, as of the last read. */
  private volatile boolean partial;
  /** Bytes held for unfinished messages as of the last read, as the server-wide budget counts them. */
  private volatile long partialHeld;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closedForBudget;
  /** When the sweeper first saw the current partial message, and how many frames had arrived by then. */
  private long partialSeenAt;
  /** The {@link #lastActivityAt} an idle ping was sent for; sweeper thread only. */
  private long pingedAtActivity;
  private long framesAtPartial;

  ServerConnection(Serving serving, Calling calling, Limits limits, PartialMessageBudget partialBudget,
      ParseBudget parseBudget, Set<ServerConnection> connections, Map<String, HttpGetHandler> httpGets,
      RateLimitedLog getFailureLog) {
    this.serving = serving;
    this.calling = calling;
    this.limits = limits;
    this.partialBudget = partialBudget;
    this.parseBudget = parseBudget;
    this.connections = connections;
    this.httpGets = httpGets;
    this.getFailureLog = getFailureLog;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    channel = ctx.channel();
    writes = new WriteQueue(channel);
    OutboundCalls outbound = new OutboundCalls(serving.codec(), limits.maxOutboundMessageBytes(),
        channel.remoteAddress(), calling::lateReply, serving.refusalLog(), this::sendOwn);
    session = new Session(serving, calling, channel, this, outbound,
        () -> channel.eventLoop().execute(updateReading));
    outbound.onPending(() -> {
      if (!channel.config().isAutoRead()) {
        channel.eventLoop().execute(updateReading);
      }
    });
    inbound = session.inbound();
    connections.add(this);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivityAt = System.nanoTime();
    writes.reading();
    if (msg instanceof FrameError error) {
      rejectFrame(error);
    } else if (msg instanceof HttpGet || Frames.isFrame(msg)) {
      frames++;
      if (!(msg instanceof HttpGet)) {
        reportOpened();
      }
      if (held.isEmpty() && !inbound.atCapacity() && channel.isWritable()) {
        run(msg);
      } else if (inbound.atCapacity() && session.outbound().hasPending()) {
        // The server waits for the peer's answers, so it keeps reading; calls past the cap are answered busy.
        refuse(msg);
      } else {
        // The cap was reached, or the peer stopped reading its replies, within this read: frames the decoder
        // already cut wait here, unrun, rather than each adding its reply to the write queue.
        held.add(msg);
      }
      if (inbound.atCapacity()) {
        updateReading();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event == WireStack.PEER_ALIVE) {
      lastActivityAt = System.nanoTime();
      return;
    }
    if (event instanceof WireStack detected) {
      stack = detected;
      if (!"http".equals(detected.protocol())) {
        reportOpened();
      }
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  /**
   * Tells the event listeners of the connection once its protocol is settled: when it is detected, except for
   * HTTP, which may yet upgrade to WebSocket, and is settled by its first JSON-RPC message. A connection that never
   * gets that far (a health check, a port scan) is not reported.
   */
  private void reportOpened() {
    if (!reported && serving.events() != null) {
      reported = true;
      serving.events().connectionOpened(session);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    WireStack current = stack;
    partial = current != null && current.hasPartialMessage();
    holdPartial(current == null ? 0 : current.partialBytes());
    writes.readComplete(); // one flush for the replies computed during this read
    super.channelReadComplete(ctx);
  }

  /** Runs a frame of calls, or answers a {@code GET} of a path the user added: both count against the cap. */
  private void run(Object msg) {
    if (msg instanceof HttpGet get) {
      serveGet(get);
    } else {
      handle(msg);
    }
  }

  /**
   * Runs a frame. A large one is decoded on a worker rather than here: parsing it would hold up every other
   * connection on this I/O thread, and the calls in it run on a worker anyway. It is parsed within the
   * server's {@link ParseBudget}, except while the server waits for this peer's answers, which may be in it.
   */
  private void handle(Object msg) {
    ByteBuf frame = Frames.content(msg);
    int[] plainStrings = Frames.plainStrings(msg);
    HttpHeaders headers = stack.headers(msg);
    Session.ReplySink sink = (body, jsonRpc) -> reply(msg, body, jsonRpc);
    if (frame.readableBytes() < OFFLOAD_BYTES) {
      session.receive(frame, plainStrings, headers, sink);
      return;
    }
    inbound.reserve();
    int bytes = frame.readableBytes();
    Runnable parse = () -> {
      try {
        session.receive(frame, plainStrings, headers, sink);
      } finally {
        inbound.unreserve();
      }
    };
    Runnable decode = () -> {
      if (session.outbound().hasPending()) {
        parse.run();
      } else {
        parseBudget.run(bytes, parse);
      }
    };
    try {
      // Through the connection's share of the pool, like its calls: decoding takes a worker too.
      inbound.workers().execute(decode, decode); // refused after waiting: decoded where the refusal is
    } catch (RejectedExecutionException busy) {
      decode.run(); // its calls will be refused as "server busy"
    }
  }

  /**
   * Answers a {@code GET} of a path the user added: on a worker, past the interceptors, so that authentication
   * protects it as it protects calls. A refusal is told as its HTTP status with nothing of the content. Until it
   * is answered it counts as a call in flight: against the connection's cap, so that pipelined GETs cannot queue
   * without bound, and for a graceful stop, which waits for it.
   */
  private void serveGet(HttpGet get) {
    inbound.reserve();
    serving.frameStarted();
    HttpGetHandler handler = httpGets.get(get.path());
    RpcContext context = RpcContext.Access.create("GET " + get.path(), null, session, get.headers(), null,
        handler.getClass()::getAnnotation, 0, session.token());
    Runnable task = () -> {
      Object outcome;
      RpcContext outer = RpcContext.Access.enter(context);
      try {
        outcome = serving.interception().run(context, null, null, () -> handler.get(context));
      } catch (Throwable t) {
        answerGet(get, null, t);
        return;
      } finally {
        RpcContext.Access.exit(context, outer);
      }
      if (outcome instanceof CompletionStage<?> stage) {
        stage.whenComplete((value, failure) -> answerGet(get, value, failure));
      } else {
        answerGet(get, outcome, null);
      }
    };
    Runnable refused = () -> finishGet(busy(get));
    try {
      inbound.workers().execute(task, refused);
    } catch (RejectedExecutionException e) {
      refused.run();
    }
  }

  private void answerGet(HttpGet get, Object value, Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    HttpReply reply;
    if (cause == null && value instanceof HttpGetHandler.Response response) {
      reply = new HttpReply(get.sequence(), Unpooled.wrappedBuffer(response.body()), 200, response.contentType());
    } else if (cause instanceof RpcException refused) {
      // An interceptor's or the handler's deliberate answer: its status, none of its detail, and no stack trace
      // (anyone may send these GETs; the interceptor that refused has logged its reason).
      int code = refused.error().code();
      reply = switch (code) {
        case RpcError.UNAUTHENTICATED_CODE -> new HttpReply(get.sequence(), text("Unauthenticated"), 401, TEXT);
        case RpcError.PERMISSION_DENIED_CODE -> new HttpReply(get.sequence(), text("Permission denied"), 403, TEXT);
        case RpcError.SERVER_BUSY_CODE, RpcError.LIMIT_EXCEEDED_CODE, RpcError.SHUTTING_DOWN_CODE -> busy(get);
        default -> new HttpReply(get.sequence(), text("Refused (" + code + ")"), 400, TEXT);
      };
    } else {
      // Rate-limited: a handler that fails on every request must not let each request write a stack trace.
      getFailureLog.warn(log, "GET {} from {} failed", get.path(), channel.remoteAddress(),
          cause != null ? cause : new IllegalStateException("handler returned " + value));
      reply = new HttpReply(get.sequence(), text("Internal error"), 500, TEXT);
    }
    finishGet(reply);
  }

  /** Sends the one answer of a {@link #serveGet}, which ends it. */
  private void finishGet(HttpReply reply) {
    try {
      writes.write(reply);
    } finally {
      serving.frameFinished();
      inbound.unreserve();
    }
  }

  private static HttpReply busy(HttpGet get) {
    return new HttpReply(get.sequence(), text("Server busy"), 503, TEXT);
  }

  private static ByteBuf text(String message) {
    return Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8);
  }

  /** Answers every call of a frame "busy", unrun; responses in it still reach the session. A GET gets 503. */
  private void refuse(Object msg) {
    if (msg instanceof HttpGet get) {
      writes.write(busy(get));
      return;
    }
    session.refuse(Frames.content(msg), Frames.plainStrings(msg), stack.headers(msg),
        (body, jsonRpc) -> reply(msg, body, jsonRpc));
  }

  /** Answers a frame the decoder refused (too large, bad header), then closes: the stream cannot resync. */
  private void rejectFrame(FrameError error) {
    RpcError reply = (error.kind() == FrameError.Kind.TOO_LARGE ? RpcError.LIMIT_EXCEEDED : RpcError.INVALID_REQUEST)
        .withMessage(error.message());
    if (serving.events() != null) {
      serving.events().callRejected(session, null, reply);
    }
    // Through the write queue, so that replies to earlier messages still go out before the close.
    writes.write(stack.wrap(channel.alloc(), inbound.encodeFrameError(reply)));
    writes.closeWhenFlushed();
  }

  /** Answers {@code request} the way its protocol answers, the same path for every transport. */
  private void reply(Object request, ByteBuf body, boolean jsonRpc) {
    lastActivityAt = System.nanoTime();
    Object out = stack.reply(channel.alloc(), request, body, jsonRpc);
    if (out != null) {
      writes.write(out);
    }
  }

  /** Returns the connection's session, the peer its methods see; null before the channel is active. */
  Session session() {
    return session;
  }

  /** Sends a message of the server's own, such as the {@code $/cancelRequest} of a call it gave up on. */
  private void sendOwn(OutboundCalls.Body body) {
    ByteBuf message = session.outbound().encode(channel.alloc(), List.of(), body);
    if (message != null) {
      send(message);
    }
  }

  // ---------------------------------------------------------------------------------------- Session.Link
  @Override
  public String protocol() {
    if (channel instanceof LocalChannel) {
      return "stdio"; // the only in-VM connection a server has: standard input and output, whatever the framing
    }
    WireStack current = stack;
    return current == null ? "unknown" : current.protocol();
  }

  @Override
  public boolean canPush() {
    WireStack current = stack;
    return current != null && current.canPush();
  }

  @Override
  public void send(ByteBuf message) {
    WireStack current = stack;
    if (current == null || !current.canPush()) {
      message.release();
      throw new IllegalStateException("A " + protocol() + " connection cannot carry messages from the server");
    }
    writes.write(current.wrap(channel.alloc(), message));
  }

  /**
   * Runs held frames while there is room and the peer takes our replies, then reads only while both hold.
   * On the event loop.
   */
  private void updateReading() {
    while (!held.isEmpty() && !inbound.atCapacity() && channel.isWritable() && channel.isActive()) {
      run(held.poll());
    }
    // While the server waits for the peer's answers it reads on, or a method waiting for one would wait forever.
    boolean room = held.isEmpty() && !inbound.atCapacity();
    channel.config().setAutoRead(channel.isWritable() && (room || session.outbound().hasPending()));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    unwritableSince = channel.isWritable() ? 0 : System.nanoTime();
    if (channel.isWritable()) {
      writes.resume();
      inbound.resumeStreams();
    }
    updateReading();
    super.channelWritabilityChanged(ctx);
  }

  /** Closes the connection when one of its timers ran out. Called by the server's sweeper thread. */
  /** When the connection last read a message or wrote a reply, in {@link System#nanoTime()} units. */
  long lastActivityAt() {
    return lastActivityAt;
  }

  void sweep(long now) {
    if (stack == null && now - openedAt > limits.protocolDetectionTimeout().toNanos()) {
      closeFor("no protocol detected within " + limits.protocolDetectionTimeout());
      return;
    }
    long since = unwritableSince;
    if (since != 0 && now - since > limits.unwritableTimeout().toNanos()) {
      closeFor("peer has not read its replies for " + limits.unwritableTimeout());
      return;
    }
    // Idle means nothing in flight either way: a call of the server's own to the peer may take its time.
    if (inbound != null && inbound.inFlight() == 0 && !session.outbound().hasPending()) {
      long idle = now - lastActivityAt;
      if (idle > limits.idleTimeout().toNanos()) {
        closeFor("idle for " + limits.idleTimeout());
        return;
      }
      pingIfIdle(idle);
    }
    checkPartialFrame(now);
  }

  /**
   * Half-way to the idle timeout, asks a peer whose protocol can answer without a call (WebSocket) to show it
   * is alive: a live one answers and stays connected while it waits for notifications, a dead one is closed at
   * the timeout.
   */
  private void pingIfIdle(long idle) {
    WireStack current = stack;
    if (idle <= limits.idleTimeout().toNanos() / 2 || current == null) {
      pingedAtActivity = 0;
      return;
    }
    long activity = lastActivityAt;
    if (pingedAtActivity == activity) {
      return; // pinged already since the last sign of life
    }
    Object ping = current.idlePing();
    if (ping != null) {
      pingedAtActivity = activity;
      writes.write(ping);
    }
  }

  /** A message that has been arriving for too long is a slow-loris peer holding a buffer. */
  private void checkPartialFrame(long now) {
    if (!partial) {
      partialSeenAt = 0;
      return;
    }
    if (partialSeenAt == 0 || frames != framesAtPartial) {
      partialSeenAt = now;
      framesAtPartial = frames;
    } else if (now - partialSeenAt > limits.partialFrameTimeout().toNanos()) {
      closeFor("a message has been arriving for over " + limits.partialFrameTimeout());
    }
  }

  /** Answers every running call with {@code error}; the server is stopping without waiting for them. */
  void abortRunning(RpcError error) {
    if (inbound != null) {
      inbound.abortRunning(error);
    }
  }

  /** Closes the connection once the replies already queued have been written. */
  void closeWhenFlushed() {
    if (writes != null) {
      writes.closeWhenFlushed();
    }
  }

  /** Closes the connection with one log line, however often its timers or the budget ask again meanwhile. */
  private void closeFor(String reason) {
    if (closing.compareAndSet(false, true)) {
      log.info("Closing connection from {}: {}", channel.remoteAddress(), reason);
    }
    channel.close();
  }

  private void holdPartial(long bytes) {
    long before = partialHeld;
    partialHeld = bytes;
    partialBudget.update(this, before, bytes);
  }

  /** Bytes this connection holds for unfinished messages, as of its last read. */
  long partialHeld() {
    return partialHeld;
  }

  /** Whether the server-wide budget closed this connection. */
  boolean closedForBudget() {
    return closedForBudget;
  }

  /** Closes the connection for the server-wide budget (which logs for all it closes); false if closing already. */
  boolean closeForBudget() {
    if (!closing.compareAndSet(false, true)) {
      return false;
    }
    closedForBudget = true;
    log.debug("Closing connection from {}: it holds {} bytes of unfinished messages, the most",
        channel.remoteAddress(), partialHeld);
    channel.close();
    return true;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    holdPartial(0);
    connections.remove(this);
    session.close(new ConnectionException(RpcError.CONNECTION_LOST.withMessage(
        "Connection from " + channel.remoteAddress() + " closed"), null));
    if (reported) {
      serving.events().connectionClosed(session);
    }
    for (Object frame; (frame = held.poll()) != null; ) {
      ReferenceCountUtil.release(frame);
    }
    writes.discard();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ClosedChannelException) {
      return; // a reply for a peer that already left
    }
    log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
