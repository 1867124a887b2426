package io.courier.transport;

import io.courier.Internal;
import io.courier.protocol.Decoded;
import io.courier.protocol.JsonRpcCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * What a frame from {@link FrameDecoder} is (a bare {@link ByteBuf}, or a {@link ScannedFrame} with what its scan
 * learnt) and how it becomes messages: one place for the server and the client.
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

  /**
   * Decodes a frame's bytes with {@code codec}, in place when they are in an array, else from a copy. Does not
   * release {@code content}.
   */
  public static Decoded decode(JsonRpcCodec codec, ByteBuf content, int[] plainStrings) {
    if (content.hasArray()) {
      return codec.decode(content.array(), content.arrayOffset() + content.readerIndex(), content.readableBytes(),
          plainStrings);
    }
    byte[] bytes = ByteBufUtil.getBytes(content);
    return codec.decode(bytes, 0, bytes.length, plainStrings);
  }
}
