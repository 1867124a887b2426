package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import java.util.Objects;

/**
 * Static helpers that wrap an encoded outbound message in the {@link Framing} its connection uses.
 *
 * <p>Replies must go back in the framing the peer chose, which only {@link FrameDecoder} knows; keeping the encoding
 * next to the decoding keeps the two sides of each framing in one place.
 */
public final class FrameWriter {

  private FrameWriter() {
  }

  /**
   * Frames one message body for sending.
   *
   * <p>For {@link Framing#JSON_STREAM} (and a {@code null} framing, i.e. nothing received yet, which is treated the
   * same) the body is returned as is, with a {@code '\n'} appended when {@code lineTerminated}; the newline is
   * written into the body buffer when it can take it without copying or touching shared memory. For
   * {@link Framing#CONTENT_LENGTH} a {@code Content-Length: N\r\n\r\n} header, N being the body's readable byte
   * count, is put in front, and {@code lineTerminated} is ignored because the length already delimits the body.
   *
   * @param alloc          allocator for the few bytes of framing that may be needed
   * @param framing        the connection's framing, or {@code null} for {@link Framing#JSON_STREAM}
   * @param body           the encoded message (its readable bytes); ownership passes to this method, even when it
   *                       throws
   * @param lineTerminated whether a JSON stream message should end with a newline (newline-delimited peers need it)
   * @return the framed message, possibly {@code body} itself; the caller (usually the channel, by writing it) must
   *         release it
   */
  public static ByteBuf frame(ByteBufAllocator alloc, Framing framing, ByteBuf body, boolean lineTerminated) {
    Objects.requireNonNull(body, "body");
    if (alloc == null) {
      body.release();
      throw new NullPointerException("alloc");
    }
    if (framing == Framing.CONTENT_LENGTH) {
      return withContentLength(alloc, body);
    }
    return lineTerminated ? withNewline(alloc, body) : body;
  }

  private static ByteBuf withNewline(ByteBufAllocator alloc, ByteBuf body) {
    // Only write in place when nobody else can see the buffer and it has spare capacity already; otherwise
    // appending could corrupt a shared buffer or copy a large body just to add one byte.
    if (body.refCnt() == 1 && !body.isReadOnly() && body.maxFastWritableBytes() > 0) {
      return body.writeByte('\n');
    }
    ByteBuf newline;
    try {
      newline = alloc.buffer(1).writeByte('\n');
    } catch (RuntimeException | Error e) {
      body.release();
      throw e;
    }
    return compose(alloc, body, newline);
  }

  private static ByteBuf withContentLength(ByteBufAllocator alloc, ByteBuf body) {
    String header = "Content-Length: " + body.readableBytes() + "\r\n\r\n";
    ByteBuf head;
    try {
      head = ByteBufUtil.writeAscii(alloc, header);
    } catch (RuntimeException | Error e) {
      body.release();
      throw e;
    }
    return compose(alloc, head, body);
  }

  /** Joins two buffers without copying; the result owns both. */
  private static ByteBuf compose(ByteBufAllocator alloc, ByteBuf first, ByteBuf second) {
    CompositeByteBuf composite;
    try {
      composite = alloc.compositeBuffer(2);
    } catch (RuntimeException | Error e) {
      first.release();
      second.release();
      throw e;
    }
    return composite.addComponents(true, first, second);
  }
}
