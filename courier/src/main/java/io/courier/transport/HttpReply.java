package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * The reply to an {@link HttpCall} or an {@link HttpGet}, written to the channel; the HTTP handler turns it into a
 * response in request order: for a call, 200 with the JSON-RPC body, or 204 when there is nothing to answer; for
 * a get, the status and type it was given. It holds its body like any message, so that a reply written after the
 * connection closed is released with it.
 */
public final class HttpReply extends DefaultByteBufHolder {

  private final long sequence;
  private final boolean empty;
  /** The response's status and content type; 0 and null for a JSON-RPC reply. */
  private final int status;
  private final String contentType;

  /**
   * @param sequence the {@link HttpCall#sequence()} it answers
   * @param body     the reply, or {@code null} when there is nothing to answer; ownership passes to this
   */
  public HttpReply(long sequence, ByteBuf body) {
    this(sequence, body, 0, null);
  }

  /**
   * A reply with a status and content type of its own, for an {@link HttpGet}.
   *
   * @param body the response's body; ownership passes to this
   */
  public HttpReply(long sequence, ByteBuf body, int status, String contentType) {
    super(body == null ? Unpooled.EMPTY_BUFFER : body);
    this.sequence = sequence;
    this.empty = body == null;
    this.status = status;
    this.contentType = contentType;
  }

  /** Returns the response's status, or 0 for a JSON-RPC reply (200, or 204 when empty). */
  public int status() {
    return status;
  }

  /** Returns the response's content type, or null for a JSON-RPC reply. */
  public String contentType() {
    return contentType;
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
