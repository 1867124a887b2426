package io.courier.protocol;

import static io.courier.protocol.JsonBytes.HIGHS;
import static io.courier.protocol.JsonBytes.ONES;
import static io.courier.protocol.JsonBytes.SPACES;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes long strings that need no escaping (no control characters, quotes, backslashes or surrogates: the
 * common case for large payloads, ASCII or not) as their UTF-8 bytes, which costs two intrinsic searches, the
 * JDK's own UTF-8 encoding (for ASCII an intrinsic check and a copy), and one pass over the bytes eight at a
 * time, instead of Jackson's per-character escaping and encoding loop. Any other string, and any string for a
 * generator set to escape more than JSON requires, is written by Jackson as usual, so the output is identical.
 */
final class PlainStringSerializer extends StdScalarSerializer<String> {

  private static final long serialVersionUID = 1L;

  /** Shorter strings gain nothing worth the extra scan. */
  static final int MIN_LENGTH = 256;

  private static final long QUESTION_MARKS = JsonBytes.repeat('?');
  private static final long LOW_SEVEN_BITS = ~HIGHS;
  private static final long SIXTEENS = JsonBytes.repeat((char) 0x10);
  /** Bytes tested between two branches (four words): fewer branches, and the words are tested independently. */
  private static final int BLOCK = 4 * Long.BYTES;

  PlainStringSerializer() {
    super(String.class);
  }

  @Override
  public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    if (value.length() >= MIN_LENGTH && takesPlainUtf8(gen)) {
      byte[] plain = plainUtf8(value);
      if (plain != null) {
        gen.writeRawUTF8String(plain, 0, plain.length);
        return;
      }
    }
    gen.writeString(value);
  }

  /**
   * Only a generator that writes UTF-8 bytes takes raw bytes (writers, token buffers and tree builders do not),
   * and only one that escapes no more than JSON requires may be given a string unescaped.
   */
  private static boolean takesPlainUtf8(JsonGenerator gen) {
    return gen instanceof UTF8JsonGenerator
        && gen.getCharacterEscapes() == null
        && gen.getHighestEscapedChar() == 0; // 0: no limit; ESCAPE_NON_ASCII (or a user's limit) sets one
  }

  /**
   * Returns the string's UTF-8 bytes when no character needs escaping in JSON and none is a surrogate, else
   * null. Surrogates are left to Jackson because it writes a pair as two {@code \}{@code u} escapes (and a lone
   * one cannot be encoded at all), where the JDK writes four bytes (or a {@code '?'}).
   */
  static byte[] plainUtf8(String value) {
    // String.indexOf(char) is a JIT intrinsic comparing many characters per instruction: far cheaper than
    // testing for quotes and backslashes in the word loop below. In UTF-8 no byte of a multi-byte character
    // is below 0x80, so neither appears in the bytes unless it was in the string.
    if (value.indexOf('"') >= 0 || value.indexOf('\\') >= 0) {
      return null;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    // One byte a character: ASCII, or a lone surrogate that the JDK encoded as '?'.
    if (utf8.length == value.length()) {
      return isPlainAscii(value, utf8) ? utf8 : null;
    }
    return isPlainMultiByte(value, utf8) ? utf8 : null;
  }

  /**
   * Tests bytes that are all ASCII (one per character) for control characters and question marks, the only
   * bytes that may need a closer look, by blocks of words; a block with any is tested exactly.
   */
  private static boolean isPlainAscii(String value, byte[] utf8) {
    int i = 0;
    for (; i <= utf8.length - BLOCK; i += BLOCK) {
      // Four words written out: the JIT keeps an inner loop here as a loop, at twice the cost.
      long suspects = asciiSuspects(JsonBytes.wordAt(utf8, i)) | asciiSuspects(JsonBytes.wordAt(utf8, i + 8))
          | asciiSuspects(JsonBytes.wordAt(utf8, i + 16)) | asciiSuspects(JsonBytes.wordAt(utf8, i + 24));
      if ((suspects & HIGHS) != 0 && !isPlain(value, utf8, true, i, i + BLOCK)) {
        return false;
      }
    }
    return isPlain(value, utf8, true, i, utf8.length);
  }

  /**
   * As {@link #isPlainAscii}, for bytes that hold a multi-byte character somewhere. Two loops rather than one
   * choosing its test per block: folded into one, Latin-1 text encoded at 0.95 ns a char instead of 0.74.
   */
  private static boolean isPlainMultiByte(String value, byte[] utf8) {
    int i = 0;
    for (; i <= utf8.length - BLOCK; i += BLOCK) {
      long suspects = multiByteSuspects(JsonBytes.wordAt(utf8, i)) | multiByteSuspects(JsonBytes.wordAt(utf8, i + 8))
          | multiByteSuspects(JsonBytes.wordAt(utf8, i + 16)) | multiByteSuspects(JsonBytes.wordAt(utf8, i + 24));
      if (suspects != 0 && !isPlain(value, utf8, false, i, i + BLOCK)) {
        return false;
      }
    }
    return isPlain(value, utf8, false, i, utf8.length);
  }

  /**
   * Control characters and question marks of a word of ASCII, in the high bits along with noise in the others:
   * nothing borrows or wraps unless a byte is below 0x20 or equal to {@code '?'}.
   */
  private static long asciiSuspects(long word) {
    return (word - SPACES) | ((word ^ QUESTION_MARKS) - ONES);
  }

  /**
   * Marks (high bits, not positions: any mark only says "look closer") the control characters, the question
   * marks and the first bytes of four-byte characters (0xf0 up, a surrogate pair in the string) of a word of
   * UTF-8. Borrows start only at a control character or a question mark, so a word with none of these is 0.
   */
  private static long multiByteSuspects(long word) {
    long controlsOrQuestionMarks = ((word - SPACES) | ((word ^ QUESTION_MARKS) - ONES)) & ~word;
    // The low seven bits of a byte plus 0x10 carry into its high bit from 0x70 up, never into the next byte.
    long fourByteLeads = ((word & LOW_SEVEN_BITS) + SIXTEENS) & word;
    return (controlsOrQuestionMarks | fourByteLeads) & HIGHS;
  }

  /**
   * The exact test for {@code utf8[from, to)}. A question mark is plain only where the string has one too,
   * which can be told only while bytes and characters line up one to one.
   */
  private static boolean isPlain(String value, byte[] utf8, boolean oneBytePerChar, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = utf8[i] & 0xff;
      if (b < 0x20 || b >= 0xf0 || (b == '?' && !(oneBytePerChar && value.charAt(i) == '?'))) {
        return false;
      }
    }
    return true;
  }
}
