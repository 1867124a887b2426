package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server WebSocket connection after the upgrade: each text message (a frame, or a frame and its
 * continuations, reassembled up to the size limit) is one JSON-RPC message or batch, passed on as a
 * {@link ByteBuf} frame like the raw TCP framer's; replies and server notifications go out as text frames.
 * Pings are answered; a binary message is closed with 1003, a message over the limit with 1009, a stray
 * continuation with 1002 (the frame decoder itself closes oversize frames with 1009 and unmasked ones with
 * 1002). Not sharable.
 */
public final class WebSocketServerHandler extends ChannelDuplexHandler implements WireStack {

  private static final Logger log = LoggerFactory.getLogger(WebSocketServerHandler.class);

  private static final int FIRST_FRAGMENT_BYTES = 1024;

  private final int maxMessageBytes;
  private final HttpHeaders upgradeHeaders;
  /** A fragmented text message being reassembled; null between messages. Event loop only. */
  private ByteBuf fragments;
  /**
   * The payload of the last ping of the read in progress, answered when the read ends: RFC 6455 §5.5.3 lets an
   * endpoint answer only the most recent ping, and a flood of pings must not cost a write and a flush each.
   */
  private ByteBuf pingToAnswer;
  private ChannelHandlerContext context;
  private FrameReader reader;
  private boolean closing;

  /**
   * @param upgradeHeaders the headers of the upgrade request, which stand for the connection's HTTP headers
   */
  public WebSocketServerHandler(int maxMessageBytes, HttpHeaders upgradeHeaders) {
    this.maxMessageBytes = maxMessageBytes;
    this.upgradeHeaders = upgradeHeaders;
  }

  /** Returns the headers of the request that opened this WebSocket: they stand for every message on it. */
  @Override
  public HttpHeaders headers(Object request) {
    return upgradeHeaders;
  }

  @Override
  public String protocol() {
    return "ws";
  }

  @Override
  public boolean hasPartialMessage() {
    FrameReader reader = reader();
    return fragments != null || (reader != null && reader.midFrame);
  }

  @Override
  public long partialBytes() {
    FrameReader reader = reader();
    return (fragments == null ? 0 : fragments.readableBytes()) + (reader == null ? 0 : reader.buffered());
  }

  private FrameReader reader() {
    if (reader == null && context != null) {
      reader = context.pipeline().get(FrameReader.class); // installed by the handshake, after this handler
    }
    return reader;
  }

  /**
   * The server's side of the opening handshake, whose frame reader tells whether a frame has begun and not
   * ended: a single frame trickled in, or left one byte short, is a message in progress like any other.
   */
  static WebSocketServerHandshaker handshaker(String url, WebSocketDecoderConfig config) {
    return new WebSocketServerHandshaker13(url, null, config) {
      @Override
      protected WebSocketFrameDecoder newWebsocketDecoder() {
        return new FrameReader(decoderConfig());
      }
    };
  }

  /** Netty's RFC 6455 frame decoder, keeping track of whether it is inside a frame. */
  static final class FrameReader extends WebSocket13FrameDecoder {
    private boolean midFrame;

    FrameReader(WebSocketDecoderConfig config) {
      super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      int before = out.size();
      int readable = in.readableBytes();
      super.decode(ctx, in, out);
      // It emits at most one frame per call, having read all of it; bytes read without one begin the next.
      if (out.size() > before) {
        midFrame = false;
      } else if (readable > 0) {
        midFrame = true;
      }
    }

    /** Bytes of a frame held until the whole frame has arrived (its header is read as it comes). */
    long buffered() {
      return actualReadableBytes();
    }
  }

  @Override
  public boolean canPush() {
    return true;
  }

  @Override
  public Object wrap(ByteBufAllocator alloc, ByteBuf body) {
    return new TextWebSocketFrame(body);
  }

  @Override
  public Object reply(ByteBufAllocator alloc, Object request, ByteBuf body, boolean jsonRpc) {
    return body == null ? null : new TextWebSocketFrame(body);
  }

  /** A WebSocket ping: browsers answer it by themselves, so a page waiting for notifications stays connected. */
  @Override
  public Object idlePing() {
    return new PingWebSocketFrame();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
    ctx.fireUserEventTriggered(this);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing || !(msg instanceof WebSocketFrame frame)) {
      ReferenceCountUtil.release(msg); // a closing socket, or the upgrade request's empty last content
      if (!(msg instanceof HttpContent) && !closing) {
        log.debug("Ignored {} on a WebSocket", msg.getClass().getSimpleName());
      }
      return;
    }
    try {
      if (frame instanceof TextWebSocketFrame text) {
        if (fragments != null) {
          close(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "a new message began before the last one ended");
        } else if (text.isFinalFragment()) {
          ctx.fireChannelRead(text.content().retain());
        } else {
          // One growing buffer, not a composite: a message in millions of tiny fragments must not cost an
          // object per fragment.
          fragments = ctx.alloc().buffer(Math.max(FIRST_FRAGMENT_BYTES, text.content().readableBytes()));
          append(ctx, text);
        }
      } else if (frame instanceof ContinuationWebSocketFrame continuation) {
        if (fragments == null) {
          close(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "a continuation frame with no message to continue");
        } else if (append(ctx, continuation) && continuation.isFinalFragment()) {
          ByteBuf message = fragments;
          fragments = null;
          ctx.fireChannelRead(message);
        }
      } else if (frame instanceof PingWebSocketFrame) {
        if (pingToAnswer != null) {
          pingToAnswer.release();
        }
        pingToAnswer = frame.content().retain();
        ctx.fireUserEventTriggered(PEER_ALIVE);
      } else if (frame instanceof CloseWebSocketFrame) {
        closing = true;
        ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
            .addListener(ChannelFutureListener.CLOSE);
      } else if (frame instanceof BinaryWebSocketFrame) {
        close(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "binary messages are not JSON-RPC; send text");
      } else if (frame instanceof PongWebSocketFrame) {
        ctx.fireUserEventTriggered(PEER_ALIVE); // the answer to an idle ping
      }
    } finally {
      frame.release();
    }
  }

  /** Adds a fragment to the message being reassembled; false (and the socket closing) when it is too large. */
  private boolean append(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (fragments.readableBytes() + (long) frame.content().readableBytes() > maxMessageBytes) {
      close(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "message exceeds " + maxMessageBytes + " bytes");
      return false;
    }
    fragments.writeBytes(frame.content());
    return true;
  }

  private void close(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
    log.info("Closing WebSocket from {} with {}: {}", ctx.channel().remoteAddress(), status.code(), reason);
    closing = true;
    releaseFragments();
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    // After a close frame nothing more may be sent: replies still queued are dropped (their callers see the close).
    if (closing && msg instanceof TextWebSocketFrame) {
      ReferenceCountUtil.release(msg);
      promise.trySuccess();
      return;
    }
    ctx.write(msg, promise);
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  /** Answers the last ping of the read that ended, if it had one. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    ByteBuf ping = pingToAnswer;
    if (ping != null) {
      pingToAnswer = null;
      ctx.writeAndFlush(new PongWebSocketFrame(ping));
    }
    super.channelReadComplete(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseFragments();
    if (pingToAnswer != null) {
      pingToAnswer.release();
      pingToAnswer = null;
    }
    super.channelInactive(ctx);
  }
}
