package io.courier.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes long strings that need no escaping (printable ASCII without quotes or backslashes, the common case
 * for large payloads) as raw bytes, which costs a scan and a copy instead of Jackson's per-character escaping
 * and encoding loop. Any other string is written by Jackson as usual, so the output is identical.
 */
final class AsciiStringSerializer extends StdScalarSerializer<String> {

  private static final long serialVersionUID = 1L;

  /** Shorter strings gain nothing worth the extra scan. */
  static final int MIN_LENGTH = 256;

  AsciiStringSerializer() {
    super(String.class);
  }

  @Override
  public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    if (value.length() >= MIN_LENGTH) {
      byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
      if (isPlainAscii(value, bytes)) {
        gen.writeRawUTF8String(bytes, 0, bytes.length);
        return;
      }
    }
    gen.writeString(value);
  }

  /** Whether every character is printable ASCII other than a quote or backslash, so none needs escaping. */
  static boolean isPlainAscii(String value) {
    return isPlainAscii(value, value.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Checks {@code latin1}, the string's ISO-8859-1 bytes: a tight loop over a byte array, much faster than
   * reading characters. A character outside ISO-8859-1 was encoded as {@code '?'}, so a {@code '?'} byte is
   * checked against the string itself.
   */
  private static boolean isPlainAscii(String value, byte[] latin1) {
    for (int i = 0; i < latin1.length; i++) {
      byte b = latin1[i];
      if (b < 0x20 || b > 0x7e || b == '"' || b == '\\' || (b == '?' && value.charAt(i) != '?')) {
        return false;
      }
    }
    return true;
  }
}
