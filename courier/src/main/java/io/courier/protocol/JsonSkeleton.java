package io.courier.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON text with its long plain string values cut out: each becomes {@code ""} in a small copy of the text
 * (the skeleton), and is kept aside as a {@link String} made straight from its bytes.
 *
 * <p>Why: Jackson decodes a string byte by byte into a char buffer and then builds the {@code String} from that,
 * about 1.5 ns a byte here, and that was most of the cost of a large message (an {@code echo} of 64 KiB). A
 * string value of ASCII without control characters or escapes (found eight bytes at a time by
 * {@link JsonBytes}) is already its own decoding: {@code new String(bytes, ISO_8859_1)} is a copy. Jackson then
 * parses only the skeleton, and {@link #parser} hands out the kept strings in place of the empty ones.
 *
 * <p>The cut is lexical and exact: the removed bytes are valid content in any JSON string, so the skeleton is
 * valid JSON exactly when the text is, with the same structure. Only string values are cut, never member names,
 * so duplicate-name checks see the real names. Strings with escapes or non-ASCII bytes are left to Jackson,
 * which validates their UTF-8. Parsers with lenient features that change what a string is (comments, single
 * quotes, unquoted names) get no skeleton.
 */
final class JsonSkeleton {

  /** Below this, a text is not worth the extra scan: nothing in it can be long. */
  static final int MIN_TEXT_BYTES = 4096;
  /** Strings shorter than this stay in the skeleton: the saving would not pay for the bookkeeping. */
  static final int MIN_STRING_BYTES = JsonBytes.LONG_STRING_BYTES;

  private final byte[] bytes;
  /** Where each kept string's opening quote is in the skeleton, ascending. */
  private final int[] positions;
  private final String[] strings;

  /** Whether texts parsed by {@code factory} may be cut: it must read strings as standard JSON does. */
  static boolean canCut(JsonFactory factory) {
    return !factory.isEnabled(JsonReadFeature.ALLOW_JAVA_COMMENTS.mappedFeature())
        && !factory.isEnabled(JsonReadFeature.ALLOW_YAML_COMMENTS.mappedFeature())
        && !factory.isEnabled(JsonReadFeature.ALLOW_SINGLE_QUOTES.mappedFeature())
        && !factory.isEnabled(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES.mappedFeature());
  }

  /**
   * Cuts the long plain strings out of {@code text}; null when it has none. Strings longer than
   * {@code maxStringLength} stay, for Jackson to refuse as it would have.
   */
  static JsonSkeleton cut(byte[] text, int offset, int length, int maxStringLength) {
    int end = offset + length;
    int[] spans = null; // pairs: first content byte, closing quote
    int count = 0;
    int i = offset;
    while (i < end) {
      int open = JsonBytes.indexOfQuote(text, i, end);
      if (open < 0) {
        break;
      }
      int close = JsonBytes.skipPlainAscii(text, open + 1, end);
      if (close < end && text[close] == '"') {
        if (worthCutting(text, open + 1, close, end, maxStringLength)) {
          if (spans == null) {
            spans = new int[8];
          } else if (count * 2 == spans.length) {
            spans = Arrays.copyOf(spans, spans.length * 2);
          }
          spans[count * 2] = open + 1;
          spans[count * 2 + 1] = close;
          count++;
        }
      } else {
        close = endOfEscapedString(text, close, end);
      }
      i = close + 1;
    }
    return count == 0 ? null : new JsonSkeleton(text, offset, length, spans, count);
  }

  /**
   * Cuts the given plain strings out of {@code text}, as {@link #cut} would have found them: the framing decoder's
   * scan already found them, so they are not looked for again. {@code plainStrings} holds pairs of offsets from
   * {@code offset}: a string's first content byte and its closing quote, ascending. Member names and strings over
   * {@code maxStringLength} among them stay; a pair that does not sit between quotes is a bug, and is refused.
   *
   * @return the skeleton, or null when none of the strings is to be cut
   * @throws IllegalArgumentException when a pair is out of order or not between quotes
   */
  static JsonSkeleton of(byte[] text, int offset, int length, int[] plainStrings, int maxStringLength) {
    int end = offset + length;
    int[] spans = new int[plainStrings.length];
    int count = 0;
    int previous = offset;
    for (int k = 0; k + 1 < plainStrings.length; k += 2) {
      int start = offset + plainStrings[k];
      int close = offset + plainStrings[k + 1];
      if (start <= previous || close < start || close >= end || text[start - 1] != '"' || text[close] != '"') {
        throw new IllegalArgumentException("plain string " + plainStrings[k] + ".." + plainStrings[k + 1]
            + " is not a string of this " + length + "-byte text");
      }
      previous = close;
      if (worthCutting(text, start, close, end, maxStringLength)) {
        spans[count * 2] = start;
        spans[count * 2 + 1] = close;
        count++;
      }
    }
    return count == 0 ? null : new JsonSkeleton(text, offset, length, spans, count);
  }

  private JsonSkeleton(byte[] text, int offset, int length, int[] spans, int count) {
    int removed = 0;
    for (int k = 0; k < count; k++) {
      removed += spans[2 * k + 1] - spans[2 * k];
    }
    this.bytes = new byte[length - removed];
    this.positions = new int[count];
    this.strings = new String[count];
    int from = offset;
    int to = 0;
    for (int k = 0; k < count; k++) {
      int start = spans[2 * k];
      int stop = spans[2 * k + 1];
      System.arraycopy(text, from, bytes, to, start - from);
      to += start - from;
      positions[k] = to - 1;
      strings[k] = new String(text, start, stop - start, StandardCharsets.ISO_8859_1);
      from = stop;
    }
    System.arraycopy(text, from, bytes, to, offset + length - from);
  }

  /**
   * Returns the index of the quote that ends a string whose plain run stopped at {@code from} (an escape, a
   * control character or a non-ASCII byte), or {@code end} when the text ends first.
   */
  private static int endOfEscapedString(byte[] text, int from, int end) {
    int i = from;
    while (i < end) {
      int special = JsonBytes.indexOfQuoteOrBackslash(text, i, end);
      if (special < 0) {
        return end;
      }
      if (text[special] == '"') {
        return special;
      }
      i = special + 2; // the escaped byte can be a quote: skip it
    }
    return end;
  }

  /**
   * Whether the plain string from {@code start} to its closing quote at {@code close} goes: a value (not a member
   * name), long enough to pay for itself, and not so long that Jackson must refuse it.
   */
  private static boolean worthCutting(byte[] text, int start, int close, int end, int maxStringLength) {
    int size = close - start;
    return size >= MIN_STRING_BYTES && size <= maxStringLength && !isMemberName(text, close + 1, end);
  }

  /** Whether the string that ended just before {@code from} is a member name: a colon follows it. */
  private static boolean isMemberName(byte[] text, int from, int end) {
    for (int i = from; i < end; i++) {
      byte b = text[i];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return b == ':';
      }
    }
    return false;
  }

  /** The skeleton's text; for tests. */
  byte[] bytes() {
    return bytes;
  }

  /** Returns a parser of the skeleton that yields the kept strings where they were. */
  JsonParser parser(JsonFactory factory) throws IOException {
    return new Parser(factory.createParser(bytes));
  }

  /** Answers every way of reading a string value with the kept string when the token is a cut one. */
  private final class Parser extends JsonParserDelegate {

    /** The first kept string not yet passed: tokens come in text order, so the search only moves forward. */
    private int next;

    Parser(JsonParser skeleton) {
      super(skeleton);
    }

    /** The kept string for the current token, or null when it is not a cut one. */
    private String kept() {
      if (delegate.currentToken() != JsonToken.VALUE_STRING) {
        return null;
      }
      long at = delegate.currentTokenLocation().getByteOffset();
      while (next < positions.length && positions[next] < at) {
        next++;
      }
      return next < positions.length && positions[next] == at ? strings[next] : null;
    }

    @Override
    public String getText() throws IOException {
      String kept = kept();
      return kept != null ? kept : delegate.getText();
    }

    @Override
    public String getValueAsString() throws IOException {
      String kept = kept();
      return kept != null ? kept : delegate.getValueAsString();
    }

    @Override
    public String getValueAsString(String defaultValue) throws IOException {
      String kept = kept();
      return kept != null ? kept : delegate.getValueAsString(defaultValue);
    }

    @Override
    public int getText(Writer writer) throws IOException {
      String kept = kept();
      if (kept == null) {
        return delegate.getText(writer);
      }
      writer.write(kept);
      return kept.length();
    }

    @Override
    public boolean hasTextCharacters() {
      return kept() == null && delegate.hasTextCharacters();
    }

    @Override
    public char[] getTextCharacters() throws IOException {
      String kept = kept();
      return kept != null ? kept.toCharArray() : delegate.getTextCharacters();
    }

    @Override
    public int getTextLength() throws IOException {
      String kept = kept();
      return kept != null ? kept.length() : delegate.getTextLength();
    }

    @Override
    public int getTextOffset() throws IOException {
      return kept() != null ? 0 : delegate.getTextOffset();
    }
  }
}
