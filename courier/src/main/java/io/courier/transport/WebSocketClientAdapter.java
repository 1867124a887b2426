package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/**
 * Carries JSON-RPC over WebSocket for a client, after Netty's client protocol handler and frame aggregator:
 * each message written goes as one text frame, and each text message received is passed on as a frame.
 * {@link #handshake()} completes when the upgrade has succeeded, so that nothing is written before it. Not
 * sharable.
 */
public final class WebSocketClientAdapter extends ChannelDuplexHandler {

  private Promise<Void> handshake;

  /** Completes when the WebSocket upgrade succeeds; fails if the connection closes first. */
  public Promise<Void> handshake() {
    return handshake;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    handshake = ctx.executor().newPromise();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      handshake.trySuccess(null);
    } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      handshake.tryFailure(new IOException("WebSocket handshake timed out"));
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    handshake.tryFailure(cause);
    super.exceptionCaught(ctx, cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    handshake.tryFailure(new IOException("Connection closed during the WebSocket handshake"));
    super.channelInactive(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ctx.write(msg instanceof ByteBuf body ? new TextWebSocketFrame(body) : msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof TextWebSocketFrame text) {
      try {
        ctx.fireChannelRead(text.content().retain());
      } finally {
        text.release();
      }
    } else if (msg instanceof WebSocketFrame) {
      ReferenceCountUtil.release(msg); // pongs; binary frames are not JSON-RPC
    } else {
      ctx.fireChannelRead(msg);
    }
  }
}
