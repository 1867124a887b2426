package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Carries JSON-RPC over HTTP/1.1 for a client, after the HTTP codec and aggregator: each message written is
 * posted as one request on the keep-alive connection (pipelined when the client has no idle connection left;
 * replies carry their ids), and the body of each 200 response is passed on as a frame; a 204 (a notification)
 * passes nothing. Any other status is not an answer to a call but a fault of the endpoint (wrong path, body too
 * large, refused), so the connection is failed with an {@link HttpStatusException} saying so. Not sharable.
 */
public final class HttpClientAdapter extends ChannelDuplexHandler {

  private final String path;
  private final String host;
  private final String authorization;
  private final Runnable onResponse;

  /**
   * @param path          the path posted to, such as {@code /rpc}
   * @param host          the {@code Host} header
   * @param authorization the {@code Authorization} header, or null
   * @param onResponse    run on the event loop for every response, so the client knows the connection's queue
   */
  public HttpClientAdapter(String path, String host, String authorization, Runnable onResponse) {
    this.path = path;
    this.host = host;
    this.authorization = authorization;
    this.onResponse = onResponse;
  }

  /** An HTTP status other than 200 and 204 in answer to a JSON-RPC post. */
  public static final class HttpStatusException extends IOException {
    private final int status;

    HttpStatusException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** Returns the HTTP status code. */
    public int status() {
      return status;
    }
  }

  /** A request body to post with headers of its own (a call's metadata), besides the connection's. */
  public record Post(ByteBuf body, Map<String, String> headers) {}

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    Map<String, String> extraHeaders = null;
    if (msg instanceof Post post) {
      msg = post.body();
      extraHeaders = post.headers();
    }
    if (!(msg instanceof ByteBuf body)) {
      ctx.write(msg, promise);
      return;
    }
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, body);
    if (extraHeaders != null) {
      extraHeaders.forEach(request.headers()::set);
    }
    request.headers()
        .set(HttpHeaderNames.HOST, host)
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    if (authorization != null) {
      request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
    }
    ctx.write(request, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpResponse response)) {
      ctx.fireChannelRead(msg);
      return;
    }
    onResponse.run();
    try {
      HttpResponseStatus status = response.status();
      if (status.equals(HttpResponseStatus.OK)) {
        ctx.fireChannelRead(response.content().retain());
      } else if (!status.equals(HttpResponseStatus.NO_CONTENT)) {
        String text = response.content().toString(StandardCharsets.UTF_8).strip();
        ctx.fireExceptionCaught(new HttpStatusException(status.code(), "HTTP " + status
            + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text))));
      }
    } finally {
      ReferenceCountUtil.release(response);
    }
  }
}
