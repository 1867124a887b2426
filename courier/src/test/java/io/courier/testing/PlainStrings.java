package io.courier.testing;

import io.courier.protocol.JsonBytes;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference for what a {@code ScannedFrame} carries, found byte by byte with none of the decoder's word
 * tricks: every string of at least {@link JsonBytes#LONG_STRING_BYTES} bytes, all of them ASCII from 0x20 up
 * other than a quote or a backslash, as pairs of its first content byte and its closing quote.
 */
public final class PlainStrings {

  private PlainStrings() {}

  /** Finds the long plain strings of {@code frame}, an object or array; an unterminated string ends the search. */
  public static int[] in(byte[] frame) {
    List<Integer> found = new ArrayList<>();
    int i = 0;
    while (i < frame.length) {
      if (frame[i++] != '"') {
        continue;
      }
      int start = i;
      boolean plain = true;
      while (i < frame.length && frame[i] != '"') {
        plain &= frame[i] >= 0x20 && frame[i] != '\\';
        i += frame[i] == '\\' ? 2 : 1;
      }
      if (i >= frame.length) {
        break;
      }
      if (plain && i - start >= JsonBytes.LONG_STRING_BYTES) {
        found.add(start);
        found.add(i);
      }
      i++;
    }
    return found.stream().mapToInt(Integer::intValue).toArray();
  }
}
