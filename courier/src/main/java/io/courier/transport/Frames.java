package io.courier.transport;

import io.courier.Internal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;

/**
 * What a frame handed up by a transport is: a bare {@link ByteBuf}, a {@link ScannedFrame} with what its scan
 * learnt (raw TCP), or an {@link HttpCall}. The session layer decodes it; the transport never calls the codec.
 *
 * <p>Internal: the server and the client use it.
 */
@Internal
public final class Frames {

  private Frames() {}

  /** Whether {@code message} is a frame: something {@link #content} and {@link #plainStrings} take. */
  public static boolean isFrame(Object message) {
    return message instanceof ByteBuf || message instanceof ScannedFrame || message instanceof HttpCall;
  }

  /**
   * The frame's bytes: the body of a scanned frame or an HTTP call, or the buffer itself. Releasing it releases
   * the frame.
   */
  public static ByteBuf content(Object frame) {
    return frame instanceof ByteBufHolder holder ? holder.content() : (ByteBuf) frame;
  }

  /** The long plain strings a scanned frame's scan found (see {@link ScannedFrame#plainStrings()}), or null. */
  public static int[] plainStrings(Object frame) {
    return frame instanceof ScannedFrame scanned ? scanned.plainStrings() : null;
  }
}
