package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A frame from {@link FrameDecoder} with what its scan learnt on the way: where the frame's long string values
 * of plain ASCII are, so that the codec need not read those bytes again to find them (see
 * {@code JsonRpcCodec.decode(byte[], int, int, int[])}). Only frames that can hold such a string come this way;
 * smaller ones come as a bare {@link ByteBuf}. The receiver releases it.
 */
public final class ScannedFrame extends DefaultByteBufHolder {

  private final int[] plainStrings;

  ScannedFrame(ByteBuf frame, int[] plainStrings) {
    super(frame);
    this.plainStrings = plainStrings;
  }

  /**
   * Returns the long plain strings: pairs of offsets from the frame's start of a string's first content byte and
   * its closing quote, ascending; empty when there are none. Member names are among them. A string the scan could
   * not follow word by word (input held in a composite buffer) may be missing: it is then decoded as any other.
   */
  public int[] plainStrings() {
    return plainStrings;
  }
}
