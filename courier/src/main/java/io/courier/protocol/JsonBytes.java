package io.courier.protocol;

import io.courier.Internal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Scans of JSON text eight bytes at a time ("SWAR": SIMD within a register), for the bulk of large messages:
 * the plain bytes of long strings, which need no decoding, escaping or state, only finding where they end.
 *
 * <p>Words are read little-endian, so byte {@code i} of a word is the one at index {@code i} of the input. A
 * mark is the high bit of a byte. The tests below may also mark bytes above (after) a true match, because of
 * borrows, but never one before it: the lowest mark of a word is always exact, which is all a search needs.
 *
 * <p>Internal: the framing decoder and the codec use it.
 */
@Internal
public final class JsonBytes {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle BUFFER_LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** 0x01 in every byte of a word; taking it away wraps exactly the zero bytes. */
  static final long ONES = 0x0101010101010101L;
  /** The high bit of every byte of a word: where the tests below leave their marks. */
  static final long HIGHS = 0x8080808080808080L;

  /**
   * Strings at least this long are worth handling apart when they need no decoding (see {@link JsonSkeleton});
   * shorter ones would not pay for the bookkeeping.
   */
  public static final int LONG_STRING_BYTES = 1024;

  private static final long QUOTES = repeat('"');
  private static final long BACKSLASHES = repeat('\\');
  private static final long NEWLINES = repeat('\n');
  /** A space in every byte; taking it away wraps exactly the control characters of an ASCII word. */
  static final long SPACES = repeat(' ');

  private JsonBytes() {}

  /** Returns a word with {@code b} in every byte. */
  static long repeat(char b) {
    return (b & 0xFFL) * ONES;
  }

  /** Marks the bytes of {@code word} equal to the byte repeated in {@code repeated}. */
  static long equalTo(long word, long repeated) {
    return zeroBits(word ^ repeated) & HIGHS;
  }

  /**
   * Has the high bit set in each zero byte of {@code x} (and noise in the other bits): the tests below combine
   * several of these and keep only the high bits once, which saves an operation per test.
   */
  private static long zeroBits(long x) {
    return (x - ONES) & ~x;
  }

  /**
   * Marks the bytes that may not stand as they are inside a plain ASCII JSON string: control characters (below
   * 0x20), everything from 0x80 up (non-ASCII), the quote and the backslash. (DEL, 0x7f, may stand as it is.)
   */
  static long notPlainAscii(long word) {
    // A byte below 0x20 wraps when 0x20 is taken from it; a byte from 0x80 up has its high bit already; a byte
    // equal to the quote (or backslash) is 0 after the XOR and wraps when 1 is taken from it. Below the lowest
    // such byte every byte is ASCII and none of these: nothing wraps or borrows, and no XOR reaches 0x80, so
    // that the zero test needs no "and not" (as zeroBits has) to stay exact at the lowest mark.
    return ((word - SPACES) | word | ((word ^ QUOTES) - ONES) | ((word ^ BACKSLASHES) - ONES)) & HIGHS;
  }

  /** Returns the index, within its word, of the lowest marked byte; {@code marks} must not be 0. */
  static int firstMarked(long marks) {
    return Long.numberOfTrailingZeros(marks) >>> 3;
  }

  /** Reads the eight bytes at {@code index} as a little-endian word. */
  static long wordAt(byte[] bytes, int index) {
    return (long) LONGS.get(bytes, index);
  }

  /** Whether a byte may stand as it is inside a plain ASCII JSON string; see {@link #notPlainAscii(long)}. */
  static boolean isPlainAscii(byte b) {
    return b >= 0x20 && b != '"' && b != '\\';
  }

  /**
   * Returns the index of the first byte in {@code [from, to)} that is not plain ASCII string content (see
   * {@link #notPlainAscii(long)}), or {@code to} when all are.
   */
  static int skipPlainAscii(byte[] bytes, int from, int to) {
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long marks = notPlainAscii(wordAt(bytes, i));
      if (marks != 0) {
        return i + firstMarked(marks);
      }
    }
    while (i < to && isPlainAscii(bytes[i])) {
      i++;
    }
    return i;
  }

  /**
   * Returns the index of the first {@code '"'}, {@code '\\'} or newline in {@code [from, to)} of
   * {@code buffer} (absolute indexes; its position, limit and byte order are not used), or -1: where a framing
   * scanner inside a string must look again.
   */
  public static int indexOfQuoteBackslashOrNewline(ByteBuffer buffer, int from, int to) {
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long word = (long) BUFFER_LONGS.get(buffer, i);
      // As in zeroBits, but one "and not" for all three: the three bytes sought are ASCII, so a byte whose own
      // high bit is set can only be noise.
      long marks = (((word ^ QUOTES) - ONES) | ((word ^ BACKSLASHES) - ONES) | ((word ^ NEWLINES) - ONES)) & ~word
          & HIGHS;
      if (marks != 0) {
        return i + firstMarked(marks);
      }
    }
    for (; i < to; i++) {
      byte b = buffer.get(i);
      if (b == '"' || b == '\\' || b == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Returns the index of the first byte in {@code [from, to)} of {@code buffer} (absolute indexes; its position,
   * limit and byte order are not used) that is not plain ASCII string content (see {@link #notPlainAscii(long)}),
   * or {@code to} when all are.
   */
  public static int skipPlainAscii(ByteBuffer buffer, int from, int to) {
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long marks = notPlainAscii((long) BUFFER_LONGS.get(buffer, i));
      if (marks != 0) {
        return i + firstMarked(marks);
      }
    }
    while (i < to && isPlainAscii(buffer.get(i))) {
      i++;
    }
    return i;
  }

  /** Returns the index of the first {@code '"'} in {@code [from, to)}, or -1. */
  static int indexOfQuote(byte[] bytes, int from, int to) {
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long marks = equalTo(wordAt(bytes, i), QUOTES);
      if (marks != 0) {
        return i + firstMarked(marks);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '"') {
        return i;
      }
    }
    return -1;
  }

  /** Returns the index of the first {@code '"'} or {@code '\\'} in {@code [from, to)}, or -1. */
  static int indexOfQuoteOrBackslash(byte[] bytes, int from, int to) {
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long word = wordAt(bytes, i);
      long marks = (zeroBits(word ^ QUOTES) | zeroBits(word ^ BACKSLASHES)) & HIGHS;
      if (marks != 0) {
        return i + firstMarked(marks);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '"' || bytes[i] == '\\') {
        return i;
      }
    }
    return -1;
  }
}
