package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AsciiStringSerializerTest {

  private static final ObjectMapper COURIER = CourierJson.newMapper();
  private static final ObjectMapper PLAIN = new ObjectMapper();

  @Test
  void writesLongStringsExactlyAsJacksonDoes() throws Exception {
    Random random = new Random(7);
    String alphabet = "abcXYZ019 ~!{}[]:,\"\\\n\t\u0001\u00e9\u6d4b\ud83d\ude00";
    for (int n = 0; n < 500; n++) {
      int length = AsciiStringSerializer.MIN_LENGTH - 5 + random.nextInt(600);
      StringBuilder sb = new StringBuilder(length);
      boolean plain = random.nextBoolean();
      for (int i = 0; i < length; i++) {
        char printable = (char) (0x20 + random.nextInt(0x5f));
        sb.append(plain ? (printable == '"' || printable == '\\' ? 'q' : printable)
            : alphabet.charAt(random.nextInt(alphabet.length())));
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
        assertThat(isPlainAscii(value)).as("%04x at %d", (int) special, at)
            .isEqualTo(special == '?' || special == 0x7f);
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
    assertThat(COURIER.convertValue(Map.of("k", value), Map.class)).isEqualTo(Map.of("k", value));
  }

  private static boolean isPlainAscii(String value) {
    byte[] plain = AsciiStringSerializer.plainAsciiBytes(value);
    if (plain != null) {
      assertThat(plain).isEqualTo(value.getBytes(StandardCharsets.US_ASCII));
    }
    return plain != null;
  }

  @Test
  void treatsOnlyPrintableAsciiWithoutQuotesOrBackslashesAsPlain() {
    assertThat(isPlainAscii("hello world ~")).isTrue();
    assertThat(isPlainAscii("say \"hi\"")).isFalse();
    assertThat(isPlainAscii("back\\slash")).isFalse();
    assertThat(isPlainAscii("tab\t")).isFalse();
    assertThat(isPlainAscii("del\u007f")).isTrue(); // JSON lets DEL stand unescaped
    assertThat(isPlainAscii("caf\u00e9")).isFalse();
    // Characters outside ISO-8859-1 become '?' in its bytes; they must not pass for a question mark.
    assertThat(isPlainAscii("what?")).isTrue();
    assertThat(isPlainAscii("\u6d4b\u8bd5")).isFalse();
    assertThat(isPlainAscii("ok \ud83d\ude00")).isFalse();
    // Real question marks next to one that stands for a character outside ISO-8859-1, within one block.
    String questions = "??".repeat(200);
    assertThat(isPlainAscii(questions)).isTrue();
    assertThat(isPlainAscii(questions.substring(0, 201) + '\u6d4b' + questions.substring(202)))
        .isFalse();
  }
}
