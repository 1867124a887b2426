package io.courier.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON text the way Python's {@code json.dumps} does with its defaults: {@code ", "} between items,
 * {@code ": "} after keys, and every non-ASCII character escaped as lower-case {@code \\uXXXX}. The tutorial's
 * server answers in exactly this form, and the seed dialect promises the same bytes.
 */
final class PythonJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PythonJson() {}

  static String dumps(JsonNode node) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      dump(node, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from a byte array
    }
    return bytes.toString(StandardCharsets.US_ASCII);
  }

  /**
   * Writes {@code node} to {@code out} as it goes, a few KiB at a time, so that a value whose text is far
   * larger than the value (decimals in plain notation) is never held whole: the stream's own limit stops it.
   */
  static void dump(JsonNode node, OutputStream out) throws IOException {
    Sink sink = new Sink(out);
    write(node, sink);
    sink.flush();
  }

  /** ASCII text on its way to a stream; everything written here is ASCII, non-ASCII being escaped. */
  private static final class Sink {
    private static final int FLUSH_CHARS = 8192;
    private final StringBuilder text = new StringBuilder();
    private final OutputStream out;

    Sink(OutputStream out) {
      this.out = out;
    }

    Sink append(char c) throws IOException {
      text.append(c);
      return flushIfFull();
    }

    Sink append(String s) throws IOException {
      text.append(s);
      return flushIfFull();
    }

    private Sink flushIfFull() throws IOException {
      if (text.length() >= FLUSH_CHARS) {
        flush();
      }
      return this;
    }

    void flush() throws IOException {
      out.write(text.toString().getBytes(StandardCharsets.US_ASCII));
      text.setLength(0);
    }
  }

  private static void write(JsonNode node, Sink out) throws IOException {
    if (node == null || node.isNull() || node.isMissingNode()) {
      out.append("null");
    } else if (node.isTextual()) {
      writeString(node.textValue(), out);
    } else if (node.isBoolean()) {
      out.append(node.booleanValue() ? "true" : "false");
    } else if (node.isNumber()) {
      writeNumber(node, out);
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.append(", ");
        }
        write(node.get(i), out);
      }
      out.append(']');
    } else if (node.isObject()) {
      out.append('{');
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      boolean first = true;
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!first) {
          out.append(", ");
        }
        first = false;
        writeString(field.getKey(), out);
        out.append(": ");
        write(field.getValue(), out);
      }
      out.append('}');
    } else {
      // Binary and POJO nodes do not occur in values converted from Java objects for the wire.
      writeString(node.asText(), out);
    }
  }

  private static void writeNumber(JsonNode node, Sink out) throws IOException {
    if (node.isFloatingPointNumber() && !node.isBigDecimal()) {
      double d = node.doubleValue();
      if (Double.isNaN(d)) {
        out.append("NaN");
      } else if (Double.isInfinite(d)) {
        out.append(d > 0 ? "Infinity" : "-Infinity");
      } else {
        out.append(pythonFloat(d));
      }
    } else {
      out.append(node.isBigDecimal() ? node.decimalValue().toPlainString() : node.asText());
    }
  }

  /**
   * Python's repr of a float: the shortest digits that read back as the same double (and of those, the
   * closest), in positional form for decimal exponents -4 to 15 and as {@code 1.5e+16} outside it. Java 17's
   * {@code Double.toString} is not always shortest (JDK-4511638), so the digits are searched for here.
   */
  static String pythonFloat(double d) {
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = exact;
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == d) {
        shortest = candidate;
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    int exponent = shortest.precision() - shortest.scale() - 1;
    if (exponent >= -4 && exponent < 16) {
      String plain = shortest.toPlainString();
      return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }
    String digits = shortest.unscaledValue().abs().toString();
    StringBuilder out = new StringBuilder();
    if (shortest.signum() < 0) {
      out.append('-');
    }
    out.append(digits.charAt(0));
    if (digits.length() > 1) {
      out.append('.').append(digits, 1, digits.length());
    }
    out.append('e').append(exponent < 0 ? '-' : '+');
    int magnitude = Math.abs(exponent);
    if (magnitude < 10) {
      out.append('0');
    }
    return out.append(magnitude).toString();
  }

  private static void writeString(String s, Sink out) throws IOException {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
