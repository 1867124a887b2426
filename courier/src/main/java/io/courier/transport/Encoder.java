package io.courier.transport;

import io.courier.Internal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes one outbound message into a buffer that may not grow past a limit: the one place where server and
 * client turn a message into bytes. The limit is enforced while the bytes are written, not checked after, so
 * a message that would be huge (a result whose numbers expand to a gigabyte in plain notation) costs at most
 * the limit before it is given up; the buffer is released on any failure.
 *
 * <p>Internal: the server and the client use it.
 */
@Internal
public final class Encoder {

  /** What writes the message. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** A message that grew past the limit while it was being written; nothing of it was kept. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(int maxBytes) {
      super("message exceeds " + maxBytes + " bytes", null);
    }
  }

  private static final int INITIAL_BYTES = 256;

  private Encoder() {}

  /**
   * Returns the bytes {@code body} writes, in a buffer the caller owns.
   *
   * @throws TooLargeException when they would exceed {@code maxBytes}
   * @throws IOException when the body fails to write
   */
  public static ByteBuf encode(ByteBufAllocator alloc, int maxBytes, Body body) throws IOException {
    ByteBuf buf = alloc.buffer(Math.min(INITIAL_BYTES, maxBytes));
    boolean done = false;
    try (LimitedOutput out = new LimitedOutput(buf, maxBytes)) {
      body.writeTo(out);
      done = true;
      return buf;
    } finally {
      if (!done) {
        buf.release();
      }
    }
  }

  /**
   * Refuses the write that would pass the limit with a {@link TooLargeException}: an {@link IOException}, which
   * Jackson passes on as it is (it wraps unchecked exceptions thrown while it serializes).
   */
  private static final class LimitedOutput extends OutputStream {
    private final ByteBuf buf;
    private final int maxBytes;

    LimitedOutput(ByteBuf buf, int maxBytes) {
      this.buf = buf;
      this.maxBytes = maxBytes;
    }

    @Override
    public void write(int b) throws IOException {
      room(1);
      buf.writeByte(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      room(length);
      buf.writeBytes(bytes, offset, length);
    }

    private void room(int length) throws TooLargeException {
      if (buf.writerIndex() + (long) length > maxBytes) {
        throw new TooLargeException(maxBytes);
      }
    }
  }
}
