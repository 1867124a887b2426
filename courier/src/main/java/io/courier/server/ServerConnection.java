package io.courier.server;

import io.courier.RpcError;
import io.courier.transport.FrameDecoder;
import io.courier.transport.FrameError;
import io.courier.transport.FrameWriter;
import io.courier.transport.WriteQueue;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw TCP connection on the server: frames from the {@link FrameDecoder} go to the connection's
 * {@link Dispatcher}, and replies go back in the framing the peer chose, through a write queue that flushes
 * once per burst.
 *
 * <p>It applies backpressure rather than buffering: it stops reading while the connection has as many calls
 * in flight as it may, or while its peer is not reading replies (the channel is unwritable); frames already
 * read past the cap wait unrun, and replies wait in the write queue rather than in the channel's buffer. Its timers (no
 * protocol detected, a message trickling in, idle, unwritable too long) are checked by the server's sweeper.
 * Stateful, one per channel.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter implements Dispatcher.ReplySink {

  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  /** Frames this large are decoded on a worker, not on the I/O thread. */
  static final int OFFLOAD_BYTES = 16 * 1024;

  private final RpcServer server;
  private final FrameDecoder decoder;
  private final Limits limits;
  private Channel channel;
  private Dispatcher dispatcher;
  private WriteQueue writes;
  private final Runnable updateReading = this::updateReading;
  /** Frames read past the in-flight cap, run as calls complete; at most one read's worth. Event loop only. */
  private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();

  // Timer state, in System.nanoTime() units; written on the event loop, read by the sweeper.
  private final long openedAt = System.nanoTime();
  private volatile long lastActivityAt = openedAt;
  private volatile long unwritableSince;
  private volatile long frames;
  /** Whether part of a message is buffered, as of the last read. */
  private volatile boolean partial;
  /** When the sweeper first saw the current partial message, and how many frames had arrived by then. */
  private long partialSeenAt;
  private long framesAtPartial;

  ServerConnection(RpcServer server, FrameDecoder decoder) {
    this.server = server;
    this.decoder = decoder;
    this.limits = server.limits();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    channel = ctx.channel();
    dispatcher = new Dispatcher(server, channel, () -> channel.eventLoop().execute(updateReading));
    writes = new WriteQueue(channel);
    server.connectionOpened(this);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivityAt = System.nanoTime();
    if (msg instanceof FrameError error) {
      rejectFrame(error);
    } else if (msg instanceof ByteBuf frame) {
      frames++;
      if (held.isEmpty() && !dispatcher.atCapacity()) {
        handle(frame);
      } else {
        // The cap was reached within this read: frames the decoder already cut wait here, unrun.
        held.add(frame);
      }
      if (dispatcher.atCapacity()) {
        updateReading();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    partial = decoder.hasPartialFrame();
    super.channelReadComplete(ctx);
  }

  /**
   * Runs a frame. A large one is decoded on a worker rather than here: parsing it would hold up every other
   * connection on this I/O thread, and the calls in it run on a worker anyway.
   */
  private void handle(ByteBuf frame) {
    if (frame.readableBytes() < OFFLOAD_BYTES) {
      dispatcher.handle(frame, this);
      return;
    }
    dispatcher.reserve();
    try {
      server.executor().execute(() -> {
        try {
          dispatcher.handle(frame, this);
        } finally {
          dispatcher.unreserve();
        }
      });
    } catch (RejectedExecutionException busy) {
      dispatcher.unreserve();
      dispatcher.handle(frame, this); // its calls will be refused as "server busy"
    }
  }

  /** Answers a frame the decoder refused (too large, bad header), then closes: the stream cannot resync. */
  private void rejectFrame(FrameError error) {
    RpcError reply = (error.kind() == FrameError.Kind.TOO_LARGE ? RpcError.LIMIT_EXCEEDED : RpcError.INVALID_REQUEST)
        .withMessage(error.message());
    // Through the write queue, so that replies to earlier messages still go out before the close.
    writes.write(FrameWriter.frame(channel.alloc(), decoder.framing(), dispatcher.encodeFrameError(reply), true));
    writes.closeWhenFlushed();
  }

  @Override
  public void reply(ByteBuf body, boolean jsonRpc) {
    lastActivityAt = System.nanoTime();
    if (body != null) {
      writes.write(FrameWriter.frame(channel.alloc(), decoder.framing(), body, jsonRpc));
    }
  }

  /**
   * Runs held frames while there is room, then reads only while there is room for more calls and the peer
   * takes our replies. On the event loop.
   */
  private void updateReading() {
    while (!held.isEmpty() && !dispatcher.atCapacity() && channel.isActive()) {
      handle(held.poll());
    }
    channel.config().setAutoRead(held.isEmpty() && !dispatcher.atCapacity() && channel.isWritable());
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    unwritableSince = channel.isWritable() ? 0 : System.nanoTime();
    if (channel.isWritable()) {
      writes.resume();
    }
    updateReading();
    super.channelWritabilityChanged(ctx);
  }

  /** Closes the connection when one of its timers ran out. Called by the server's sweeper thread. */
  void sweep(long now) {
    if (decoder.framing() == null && now - openedAt > limits.protocolDetectionTimeout().toNanos()) {
      closeFor("no protocol detected within " + limits.protocolDetectionTimeout());
      return;
    }
    long since = unwritableSince;
    if (since != 0 && now - since > limits.unwritableTimeout().toNanos()) {
      closeFor("peer has not read its replies for " + limits.unwritableTimeout());
      return;
    }
    if (dispatcher != null && dispatcher.inFlight() == 0
        && now - lastActivityAt > limits.idleTimeout().toNanos()) {
      closeFor("idle for " + limits.idleTimeout());
      return;
    }
    checkPartialFrame(now);
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
    if (dispatcher != null) {
      dispatcher.abortRunning(error);
    }
  }

  /** Closes the connection once the replies already queued have been written. */
  void closeWhenFlushed() {
    if (writes != null) {
      writes.closeWhenFlushed();
    }
  }

  private void closeFor(String reason) {
    if (channel.isOpen()) {
      log.info("Closing connection from {}: {}", channel.remoteAddress(), reason);
      channel.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    server.connectionClosed(this);
    dispatcher.cancelAll();
    for (ByteBuf frame; (frame = held.poll()) != null; ) {
      frame.release();
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
