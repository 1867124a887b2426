package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time scans against a byte-by-byte reference, a special byte at every position of a word. */
class JsonBytesTest {

  /** Every byte value a scan must tell apart: specials, their neighbours, and the ends of the plain range. */
  private static final byte[] PROBES = {0x00, 0x0a, 0x1f, 0x20, 0x21, '"', 0x23, '?', 0x5b, '\\', 0x5d, 0x7e, 0x7f,
      (byte) 0x80, (byte) 0xc3, (byte) 0xfe, (byte) 0xff};

  @Test
  void findsTheFirstSpecialByteWhereverItSitsInAWord() {
    for (int length = 0; length <= 40; length++) {
      for (int at = 0; at < length; at++) {
        for (byte probe : PROBES) {
          byte[] bytes = plain(length);
          bytes[at] = probe;
          checkAll(bytes, 0, length);
          checkAll(bytes, Math.min(at, 3), length); // also from an offset that is not word-aligned
        }
      }
      checkAll(plain(length), 0, length);
    }
  }

  @Test
  void findsTheFirstOfManySpecialsAndIgnoresTheOnesAfterIt() {
    // Borrows may mark bytes after a match; the first match must still win.
    Random random = new Random(11);
    for (int n = 0; n < 20_000; n++) {
      int length = random.nextInt(70);
      byte[] bytes = plain(length);
      for (int k = random.nextInt(4); k > 0 && length > 0; k--) {
        bytes[random.nextInt(length)] = PROBES[random.nextInt(PROBES.length)];
      }
      int from = length == 0 ? 0 : random.nextInt(length);
      checkAll(bytes, from, length);
    }
  }

  private static void checkAll(byte[] bytes, int from, int to) {
    assertThat(JsonBytes.skipPlainAscii(bytes, from, to)).isEqualTo(referenceSkipPlain(bytes, from, to));
    assertThat(JsonBytes.indexOfQuote(bytes, from, to)).isEqualTo(referenceIndexOf(bytes, from, to, "\""));
    assertThat(JsonBytes.indexOfQuoteOrBackslash(bytes, from, to))
        .isEqualTo(referenceIndexOf(bytes, from, to, "\"\\"));
    // A buffer view with a different position and limit: the scan uses absolute indexes.
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 5);
    buffer.position(5);
    buffer.put(bytes);
    buffer.position(2).limit(bytes.length + 5);
    int expected = referenceIndexOf(bytes, from, to, "\"\\\n");
    assertThat(JsonBytes.indexOfQuoteBackslashOrNewline(buffer, from + 5, to + 5))
        .isEqualTo(expected < 0 ? -1 : expected + 5);
    assertThat(JsonBytes.skipPlainAscii(buffer, from + 5, to + 5)).isEqualTo(referenceSkipPlain(bytes, from, to) + 5);
  }

  private static byte[] plain(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    return bytes;
  }

  private static int referenceSkipPlain(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to && isPlain(bytes[i] & 0xff)) {
      i++;
    }
    return i;
  }

  /** JSON lets any character from 0x20 stand unescaped but the quote and the backslash; ASCII ends at 0x7f. */
  private static boolean isPlain(int b) {
    return b >= 0x20 && b <= 0x7f && b != '"' && b != '\\';
  }

  private static int referenceIndexOf(byte[] bytes, int from, int to, String anyOf) {
    for (int i = from; i < to; i++) {
      if (anyOf.indexOf((char) (bytes[i] & 0xff)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
