package io.courier.transport;

import io.courier.Internal;
import io.netty.buffer.ByteBuf;

/**
 * What a frame from {@link FrameDecoder} is: a bare {@link ByteBuf}, or a {@link ScannedFrame} with what its scan
 * learnt. The session layer decodes it; the transport never calls the codec.
 *
 * <p>Internal: the server and the client use it.
 */
@Internal
public final class Frames {

  private Frames() {}

  /** Whether {@code message} is a frame: something {@link #content} and {@link #plainStrings} take. */
  public static boolean isFrame(Object message) {
    return message instanceof ByteBuf || message instanceof ScannedFrame;
  }

  /** The frame's bytes: a scanned frame's content or the buffer itself. Releasing it releases the frame. */
  public static ByteBuf content(Object frame) {
    return frame instanceof ScannedFrame scanned ? scanned.content() : (ByteBuf) frame;
  }

  /** The long plain strings a scanned frame's scan found (see {@link ScannedFrame#plainStrings()}), or null. */
  public static int[] plainStrings(Object frame) {
    return frame instanceof ScannedFrame scanned ? scanned.plainStrings() : null;
  }
}
