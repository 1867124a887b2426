package io.courier.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes long strings that need no escaping (ASCII without control characters, quotes or backslashes, the
 * common case for large payloads) as raw bytes, which costs two intrinsic searches, a scan of eight bytes at a time and a copy instead
 * of Jackson's per-character escaping and encoding loop. Any other string is written by Jackson as usual, so the
 * output is identical.
 */
final class AsciiStringSerializer extends StdScalarSerializer<String> {

  private static final long serialVersionUID = 1L;

  /** Shorter strings gain nothing worth the extra scan. */
  static final int MIN_LENGTH = 256;

  private static final long QUESTION_MARKS = JsonBytes.repeat('?');
  /** Bytes tested between two branches: fewer branches, and the words of a block are tested independently. */
  private static final int BLOCK = 4 * Long.BYTES;

  AsciiStringSerializer() {
    super(String.class);
  }

  @Override
  public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    // Only a generator that writes UTF-8 bytes takes raw bytes; writers, token buffers and tree builders do not.
    if (value.length() >= MIN_LENGTH && gen instanceof UTF8JsonGenerator) {
      byte[] plain = plainAsciiBytes(value);
      if (plain != null) {
        gen.writeRawUTF8String(plain, 0, plain.length);
        return;
      }
    }
    gen.writeString(value);
  }

  /**
   * Returns the string's bytes when every character is ASCII and neither a control character, a quote nor a
   * backslash (none needs escaping), else null.
   */
  static byte[] plainAsciiBytes(String value) {
    if (!hasNoQuoteOrBackslash(value)) {
      return null;
    }
    byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
    return isAsciiWithoutControls(value, bytes) ? bytes : null;
  }

  /**
   * {@code String.indexOf(char)} is a JIT intrinsic that compares many characters per instruction: two of them
   * cost a fraction of testing for quotes and backslashes in the word loop below, which then tests less.
   */
  private static boolean hasNoQuoteOrBackslash(String value) {
    return value.indexOf('"') < 0 && value.indexOf('\\') < 0;
  }

  /**
   * Checks {@code latin1}, the string's ISO-8859-1 bytes, for control characters and non-ASCII bytes, eight at a
   * time with one branch per {@link #BLOCK} bytes. A character outside ISO-8859-1 was encoded as {@code '?'}, so
   * a block with a {@code '?'} is checked against the string itself.
   */
  private static boolean isAsciiWithoutControls(String value, byte[] latin1) {
    int i = 0;
    for (; i <= latin1.length - BLOCK; i += BLOCK) {
      long marks = 0;
      for (int word = i; word < i + BLOCK; word += Long.BYTES) {
        marks |= JsonBytes.controlOrNonAsciiOr(JsonBytes.wordAt(latin1, word), QUESTION_MARKS);
      }
      if (marks != 0 && !isAsciiWithoutControls(value, latin1, i, i + BLOCK)) {
        return false;
      }
    }
    return isAsciiWithoutControls(value, latin1, i, latin1.length);
  }

  private static boolean isAsciiWithoutControls(String value, byte[] latin1, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = latin1[i];
      // Signed: a non-ASCII byte is negative, so below 0x20 too.
      if (b < 0x20 || (b == '?' && value.charAt(i) != '?')) {
        return false;
      }
    }
    return true;
  }
}
