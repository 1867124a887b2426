package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PlainStringSerializerTest {

  private static final ObjectMapper COURIER = CourierJson.newMapper();
  private static final ObjectMapper PLAIN = new ObjectMapper();

  @Test
  void writesLongStringsExactlyAsJacksonDoes() throws Exception {
    Random random = new Random(7);
    String anything = "abcXYZ019 ~!{}[]:,\"\\\n\t\u0001\u00e9\u6d4b\ud83d\ude00";
    String plainText = "abc XYZ 019 ~!\u007f\u0080\u00e9\u00ff\u0100\u07ff\u0800\u6d4b\uffff";
    String[] spoilers = {"\n", "?", "\ud83d", "\ude00", "\ud83d\ude00", "\""};
    for (int n = 0; n < 1500; n++) {
      int length = PlainStringSerializer.MIN_LENGTH - 5 + random.nextInt(600);
      StringBuilder sb = new StringBuilder(length);
      int kind = random.nextInt(3);
      for (int i = 0; i < length; i++) {
        char printable = (char) (0x20 + random.nextInt(0x5f));
        sb.append(kind == 0 ? (printable == '"' || printable == '\\' ? 'q' : printable)
            : kind == 1 ? plainText.charAt(random.nextInt(plainText.length()))
            : anything.charAt(random.nextInt(anything.length())));
      }
      if (kind == 1 && random.nextInt(3) == 0) {
        // Non-ASCII text with one thing in it that must go to Jackson.
        sb.insert(random.nextInt(sb.length()), spoilers[random.nextInt(spoilers.length)]);
      }
      String value = sb.toString();
      Object shaped = List.of(value, Map.of("k", value));
      assertThat(COURIER.writeValueAsBytes(shaped)).isEqualTo(PLAIN.writeValueAsBytes(shaped));
    }
  }

  @Test
  void findsOneCharacterNeedingCareAtAnyPositionOfALongString() throws Exception {
    String plain = "abcdefghij".repeat(30);
    for (char special : "\"\\\n\u0000\u001f\u007f\u00e9\u6d4b\ud83d?".toCharArray()) {
      for (int at = 0; at < plain.length(); at++) {
        String value = plain.substring(0, at) + special + plain.substring(at + 1);
        assertThat(isPlain(value)).as("%04x at %d", (int) special, at)
            .isEqualTo(special == '?' || special == 0x7f || special == '\u00e9' || special == '\u6d4b');
        assertThat(COURIER.writeValueAsBytes(value)).isEqualTo(PLAIN.writeValueAsBytes(value));
      }
    }
  }

  @Test
  void writesThroughGeneratorsThatTakeNoRawBytes() throws Exception {
    String value = "plain".repeat(100);
    // A Writer-based generator, a token buffer and a tree: none of them can take raw UTF-8.
    assertThat(COURIER.writeValueAsString(value)).isEqualTo('"' + value + '"');
    assertThat(COURIER.valueToTree(List.of(value)).get(0).textValue()).isEqualTo(value);
    assertThat(COURIER.convertValue(Map.of("k", value), new TypeReference<Map<String, String>>() {}))
        .isEqualTo(Map.of("k", value));
  }

  private static boolean isPlain(String value) {
    byte[] plain = PlainStringSerializer.plainUtf8(value);
    if (plain != null) {
      assertThat(plain).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
    }
    return plain != null;
  }

  @Test
  void treatsTextWithoutQuotesBackslashesControlsOrSurrogatesAsPlain() {
    assertThat(isPlain("hello world ~")).isTrue();
    assertThat(isPlain("say \"hi\"")).isFalse();
    assertThat(isPlain("back\\slash")).isFalse();
    assertThat(isPlain("tab\t")).isFalse();
    assertThat(isPlain("del\u007f")).isTrue(); // JSON lets DEL stand unescaped
    assertThat(isPlain("caf\u00e9 \u00ff")).isTrue();
    assertThat(isPlain("\u6d4b\u8bd5 \u0800 \uffff")).isTrue();
    assertThat(isPlain("caf\u00e9\n")).isFalse();
    // Jackson escapes a surrogate pair; the JDK would write four bytes.
    assertThat(isPlain("ok \ud83d\ude00")).isFalse();
    assertThat(isPlain("what?")).isTrue();
    // A lone surrogate becomes '?' in the JDK's UTF-8: it must not pass for a question mark, whether the
    // bytes line up with the characters (ASCII around it) or not.
    String questions = "??".repeat(200);
    assertThat(isPlain(questions)).isTrue();
    assertThat(isPlain(questions.substring(0, 201) + '\ud83d' + questions.substring(202))).isFalse();
    assertThat(isPlain("abc\udc00def")).isFalse();
    assertThat(isPlain("\u00e9 \ud800")).isFalse();
    // Beside non-ASCII a real question mark cannot be told from a lone surrogate: left to Jackson.
    assertThat(isPlain("\u00e9 what?")).isFalse();
  }

  @Test
  void leavesStringsToJacksonWhenTheGeneratorEscapesMore() throws Exception {
    String value = "caf\u00e9 \u6d4b <b> ".repeat(40);
    CharacterEscapes angleBrackets = new CharacterEscapes() {
      private final int[] escapes = standardAsciiEscapesForJSON();
      {
        escapes['<'] = ESCAPE_STANDARD;
      }

      @Override
      public int[] getEscapeCodesForAscii() {
        return escapes;
      }

      @Override
      public SerializableString getEscapeSequence(int ch) {
        return null;
      }
    };
    for (Function<ObjectMapper, ObjectWriter> configure : List.<Function<ObjectMapper, ObjectWriter>>of(
        m -> m.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII),
        m -> m.writer().with(angleBrackets))) {
      byte[] expected = configure.apply(PLAIN).writeValueAsBytes(value);
      assertThat(new String(expected, StandardCharsets.UTF_8)).as("the setting has an effect")
          .isNotEqualTo(PLAIN.writeValueAsString(value));
      assertThat(configure.apply(COURIER).writeValueAsBytes(value)).isEqualTo(expected);
    }
  }
}
