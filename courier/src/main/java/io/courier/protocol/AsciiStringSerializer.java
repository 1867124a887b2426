package io.courier.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes long strings that need no escaping (ASCII without control characters, quotes or backslashes, the
 * common case for large payloads) as raw bytes, which costs a scan of eight bytes at a time and a copy instead
 * of Jackson's per-character escaping and encoding loop. Any other string is written by Jackson as usual, so the
 * output is identical.
 */
final class AsciiStringSerializer extends StdScalarSerializer<String> {

  private static final long serialVersionUID = 1L;

  /** Shorter strings gain nothing worth the extra scan. */
  static final int MIN_LENGTH = 256;

  private static final long QUESTION_MARKS = JsonBytes.repeat('?');

  AsciiStringSerializer() {
    super(String.class);
  }

  @Override
  public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    // Only a generator that writes UTF-8 bytes takes raw bytes; writers, token buffers and tree builders do not.
    if (value.length() >= MIN_LENGTH && gen instanceof UTF8JsonGenerator) {
      byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
      if (isPlainAscii(value, bytes)) {
        gen.writeRawUTF8String(bytes, 0, bytes.length);
        return;
      }
    }
    gen.writeString(value);
  }

  /** Whether every character is ASCII and neither a control character, a quote nor a backslash: none needs escaping. */
  static boolean isPlainAscii(String value) {
    return isPlainAscii(value, value.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Checks {@code latin1}, the string's ISO-8859-1 bytes, eight at a time. A character outside ISO-8859-1 was
   * encoded as {@code '?'}, so each {@code '?'} byte is checked against the string itself.
   */
  private static boolean isPlainAscii(String value, byte[] latin1) {
    int i = 0;
    for (; i <= latin1.length - Long.BYTES; i += Long.BYTES) {
      long word = JsonBytes.wordAt(latin1, i);
      long marks = JsonBytes.notPlainAsciiOr(word, QUESTION_MARKS);
      if (marks != 0 && !isPlainAscii(value, latin1, i, i + Long.BYTES)) {
        return false;
      }
    }
    return isPlainAscii(value, latin1, i, latin1.length);
  }

  private static boolean isPlainAscii(String value, byte[] latin1, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = latin1[i];
      if (!JsonBytes.isPlainAscii(b) || (b == '?' && value.charAt(i) != '?')) {
        return false;
      }
    }
    return true;
  }
}
