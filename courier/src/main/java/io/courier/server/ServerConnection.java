package io.courier.server;

import io.courier.RpcError;
import io.courier.transport.FrameDecoder;
import io.courier.transport.FrameError;
import io.courier.transport.FrameWriter;
import io.courier.transport.WriteQueue;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw TCP connection on the server: frames from the {@link FrameDecoder} go to the connection's
 * {@link Dispatcher}, and replies go back in the framing the peer chose, through a write queue that flushes
 * once per burst. Stateful, one per channel.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter implements Dispatcher.ReplySink {

  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  private final RpcServer server;
  private final FrameDecoder decoder;
  private Channel channel;
  private Dispatcher dispatcher;
  private WriteQueue writes;

  ServerConnection(RpcServer server, FrameDecoder decoder) {
    this.server = server;
    this.decoder = decoder;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    channel = ctx.channel();
    dispatcher = new Dispatcher(server, channel);
    writes = new WriteQueue(channel);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FrameError error) {
      rejectFrame(error);
    } else if (msg instanceof ByteBuf frame) {
      dispatcher.handle(frame, this);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Answers a frame the decoder refused (too large, bad header), then closes: the stream cannot resync. */
  private void rejectFrame(FrameError error) {
    RpcError reply = (error.kind() == FrameError.Kind.TOO_LARGE ? RpcError.LIMIT_EXCEEDED : RpcError.INVALID_REQUEST)
        .withMessage(error.message());
    ByteBuf body = dispatcher.encodeFrameError(reply);
    channel.writeAndFlush(FrameWriter.frame(channel.alloc(), decoder.framing(), body, true))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void reply(ByteBuf body, boolean jsonRpc) {
    if (body != null) {
      writes.write(FrameWriter.frame(channel.alloc(), decoder.framing(), body, jsonRpc));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    dispatcher.cancelAll();
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
