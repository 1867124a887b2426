package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One JSON-RPC body posted over HTTP, passed to the connection's RPC handler. Its reply goes back as an
 * {@link HttpReply} with the same sequence number, which puts it in its place among pipelined requests. It
 * holds its body: releasing the call releases the body.
 */
public final class HttpCall extends DefaultByteBufHolder {

  private final long sequence;
  private final HttpHeaders headers;

  /**
   * @param sequence the request's position on the connection
   * @param body     the JSON-RPC message or batch; ownership passes to this
   * @param headers  the request's headers, not to be modified
   */
  public HttpCall(long sequence, ByteBuf body, HttpHeaders headers) {
    super(body);
    this.sequence = sequence;
    this.headers = headers;
  }

  /** Returns the request's position on the connection. */
  public long sequence() {
    return sequence;
  }

  /** Returns the request's headers. */
  public HttpHeaders headers() {
    return headers;
  }
}
