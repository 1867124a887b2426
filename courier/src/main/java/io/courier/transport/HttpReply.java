package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * The JSON-RPC reply to an {@link HttpCall}, written to the channel; the HTTP handler turns it into a response
 * in request order: 200 with the body, or 204 when there is nothing to answer. It holds its body like any
 * message, so that a reply written after the connection closed is released with it.
 */
public final class HttpReply extends DefaultByteBufHolder {

  private final long sequence;
  private final boolean empty;

  /**
   * @param sequence the {@link HttpCall#sequence()} it answers
   * @param body     the reply, or {@code null} when there is nothing to answer; ownership passes to this
   */
  public HttpReply(long sequence, ByteBuf body) {
    super(body == null ? Unpooled.EMPTY_BUFFER : body);
    this.sequence = sequence;
    this.empty = body == null;
  }

  /** Returns the sequence number of the request it answers. */
  public long sequence() {
    return sequence;
  }

  /** Returns whether there is nothing to answer (a 204). */
  public boolean isEmpty() {
    return empty;
  }
}
