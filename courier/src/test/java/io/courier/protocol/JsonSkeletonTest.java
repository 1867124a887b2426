package io.courier.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.StringWriter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A skeleton must read as exactly the same JSON as the text it was cut from, and fail where the text fails. */
class JsonSkeletonTest {

  private static final ObjectMapper MAPPER = CourierJson.newMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();
  private static final int MAX = Integer.MAX_VALUE;

  @Test
  void cutsLongPlainStringValuesAndReadsAsTheSameTree() throws Exception {
    String big = "x".repeat(5000);
    String text = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"" + big + "\",\"short\"],\"id\":1}";
    JsonSkeleton skeleton = JsonSkeleton.cut(bytes(text), 0, bytes(text).length, MAX);

    assertThat(skeleton).isNotNull();
    assertThat(new String(skeleton.bytes(), UTF_8))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"\",\"short\"],\"id\":1}");
    assertThat(readTree(skeleton)).isEqualTo(MAPPER.readTree(text));
  }

  @Test
  void leavesMemberNamesEscapesNonAsciiAndShortStringsToJackson() {
    String longName = "n".repeat(2000);
    String text = "{\"" + longName + "\" : 1, \"a\":\"" + "e".repeat(2000) + "\\n\", \"b\":\"" + "é".repeat(2000)
        + "\", \"c\":\"" + "s".repeat(JsonSkeleton.MIN_STRING_BYTES - 1) + "\", \"d\":\"" + "t\u0001".repeat(1000)
        + "\"}";
    assertThat(JsonSkeleton.cut(bytes(text), 0, bytes(text).length, MAX)).isNull();
  }

  @Test
  void leavesStringsOverJacksonsLimitForJacksonToRefuse() {
    String text = "[\"" + "x".repeat(5000) + "\"]";
    assertThat(JsonSkeleton.cut(bytes(text), 0, bytes(text).length, 4999)).isNull();
    assertThat(JsonSkeleton.cut(bytes(text), 0, bytes(text).length, 5000)).isNotNull();
  }

  @Test
  void findsStringsAfterEscapedQuotesAndWithinAnOffsetAndLength() throws Exception {
    String tail = "y".repeat(3000);
    String text = "garbage[\"a\\\"b\\\\\", \"" + tail + "\", {\"k\":\"" + tail + "\"}]garbage";
    byte[] bytes = bytes(text);
    int from = "garbage".length();
    int length = bytes.length - 2 * from;

    JsonSkeleton skeleton = JsonSkeleton.cut(bytes, from, length, MAX);

    assertThat(new String(skeleton.bytes(), UTF_8)).isEqualTo("[\"a\\\"b\\\\\", \"\", {\"k\":\"\"}]");
    assertThat(readTree(skeleton)).isEqualTo(MAPPER.readTree(text.substring(from, from + length)));
  }

  @Test
  void answersEveryWayOfReadingTheCutString() throws Exception {
    String big = "z".repeat(4000);
    String text = "[\"" + big + "\", \"small\"]";
    JsonSkeleton skeleton = JsonSkeleton.cut(bytes(text), 0, bytes(text).length, MAX);
    try (JsonParser p = skeleton.parser(FACTORY)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
      assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
      assertThat(p.getText()).isEqualTo(big);
      assertThat(p.getValueAsString()).isEqualTo(big);
      assertThat(p.getValueAsString("default")).isEqualTo(big);
      assertThat(p.hasTextCharacters()).isFalse();
      assertThat(new String(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())).isEqualTo(big);
      StringWriter writer = new StringWriter();
      assertThat(p.getText(writer)).isEqualTo(big.length());
      assertThat(writer.toString()).isEqualTo(big);
      assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
      assertThat(p.getText()).isEqualTo("small");
      assertThat(new String(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())).isEqualTo("small");
    }
  }

  @Test
  void readsRandomDocumentsAsJacksonReadsTheWholeText() throws Exception {
    Random random = new Random(5);
    int cut = 0;
    for (int n = 0; n < 500; n++) {
      String text = randomValue(random, 0);
      byte[] bytes = bytes(text);
      JsonSkeleton skeleton = JsonSkeleton.cut(bytes, 0, bytes.length, MAX);
      if (skeleton != null) {
        cut++;
        assertThat(readTree(skeleton)).as(text).isEqualTo(MAPPER.readTree(bytes));
      }
    }
    assertThat(cut).as("documents with a string to cut").isGreaterThan(40);
  }

  @Test
  void failsWhereTheWholeTextFails() throws Exception {
    String big = "q".repeat(3000);
    String[] broken = {
        "[\"" + big + "\",]",
        "[\"" + big + "\" \"" + big + "\"]",
        "{\"a\":\"" + big + "\",\"a\":\"" + big + "\"}", // duplicate member in a tree: the mapper refuses it
        "[\"" + big + "\", tru]",
        "[\"" + big + "\", \"\\x\"]",
        "[\"" + big + "\", 01]",
        "[\"" + big + "\"",
        "\"" + big + "\" \"" + big + "\"",
    };
    for (String text : broken) {
      byte[] bytes = bytes(text);
      assertThatThrownBy(() -> readWhole(FACTORY.createParser(bytes))).as(text)
          .isInstanceOf(JsonProcessingException.class);
      JsonSkeleton skeleton = JsonSkeleton.cut(bytes, 0, bytes.length, MAX);
      assertThat(skeleton).as(text).isNotNull();
      assertThatThrownBy(() -> readTree(skeleton)).as(text).isInstanceOf(JsonProcessingException.class);
    }
  }

  @Test
  void cutsTheStringsTheFramingScanFoundAsIfItHadLookedItself() throws Exception {
    String name = "n".repeat(2000);
    String big = "b".repeat(3000);
    String text = "  {\"" + name + "\": [\"" + big + "\", \"" + big + "\"]}";
    byte[] bytes = bytes("xx" + text);
    int n = name.length();
    int first = text.indexOf(big);
    int second = text.indexOf(big, first + 1);
    // Offsets from the text's start, as the framing decoder gives them, for a text at offset 2 of its array.
    int[] found = {4, 4 + n, first, first + big.length(), second, second + big.length()};

    JsonSkeleton skeleton = JsonSkeleton.of(bytes, 2, text.length(), found, MAX);

    assertThat(new String(skeleton.bytes(), UTF_8))
        .isEqualTo(new String(JsonSkeleton.cut(bytes, 2, text.length(), MAX).bytes(), UTF_8))
        .isEqualTo("  {\"" + name + "\": [\"\", \"\"]}");
    assertThat(readTree(skeleton)).isEqualTo(MAPPER.readTree(text));
    assertThat(JsonSkeleton.of(bytes, 2, text.length(), new int[] {4, 4 + n}, MAX)).as("a name only").isNull();
    assertThat(JsonSkeleton.of(bytes, 2, text.length(), found, 2999)).as("over the limit").isNull();
  }

  @Test
  void refusesFoundStringsThatAreNotStringsOfTheText() {
    String text = "[\"" + "a".repeat(2000) + "\"]";
    byte[] bytes = bytes(text);
    assertThatThrownBy(() -> JsonSkeleton.of(bytes, 0, bytes.length, new int[] {1, 2001}, MAX))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonSkeleton.of(bytes, 0, bytes.length, new int[] {2, 2004}, MAX))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(JsonSkeleton.of(bytes, 0, bytes.length, new int[] {2, 2002}, MAX)).isNotNull();
  }

  @Test
  void isOnlyUsedWithParsersThatReadStandardJson() {
    assertThat(JsonSkeleton.canCut(FACTORY)).isTrue();
    for (JsonReadFeature lenient : new JsonReadFeature[] {JsonReadFeature.ALLOW_JAVA_COMMENTS,
        JsonReadFeature.ALLOW_YAML_COMMENTS, JsonReadFeature.ALLOW_SINGLE_QUOTES,
        JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES}) {
      assertThat(JsonSkeleton.canCut(JsonMapper.builder().enable(lenient).build().getFactory())).isFalse();
    }
  }

  private static JsonNode readTree(JsonSkeleton skeleton) throws Exception {
    return readWhole(skeleton.parser(FACTORY));
  }

  /** Reads one value and makes sure nothing follows it, as the codec does. */
  private static JsonNode readWhole(JsonParser parser) throws Exception {
    try (JsonParser p = parser) {
      JsonNode tree = MAPPER.readTree(p);
      if (p.nextToken() != null) {
        throw new JsonProcessingException("trailing data") {};
      }
      return tree;
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  /** Nested arrays and objects whose strings are long or short, plain or escaped or not ASCII. */
  private static String randomValue(Random random, int depth) {
    int kind = depth > 3 ? 2 + random.nextInt(3) : random.nextInt(5);
    StringBuilder out = new StringBuilder();
    switch (kind) {
      case 0 -> {
        out.append('[');
        for (int i = random.nextInt(4); i > 0; i--) {
          out.append(randomValue(random, depth + 1)).append(i > 1 ? ", " : "");
        }
        out.append(']');
      }
      case 1 -> {
        out.append("{ ");
        int members = random.nextInt(4);
        for (int i = 0; i < members; i++) {
          out.append(randomString(random, "k" + i)).append(random.nextBoolean() ? ":" : " :\n")
              .append(randomValue(random, depth + 1)).append(i < members - 1 ? "," : "");
        }
        out.append('}');
      }
      case 2 -> out.append(random.nextInt(1000) - 500);
      case 3 -> out.append(random.nextBoolean() ? "true" : "null");
      default -> out.append(randomString(random, ""));
    }
    return out.toString();
  }

  private static String randomString(Random random, String prefix) {
    String[] pieces = {"a", "Z", " ", "~", "\\\"", "\\\\", "\\n", "\\u00e9", "é", "测", "?"};
    int length = random.nextBoolean() ? random.nextInt(20) : JsonSkeleton.MIN_STRING_BYTES - 5 + random.nextInt(40);
    boolean plain = random.nextInt(3) > 0;
    StringBuilder out = new StringBuilder("\"").append(prefix);
    for (int i = 0; i < length; i++) {
      out.append(plain ? (char) ('a' + random.nextInt(26)) : pieces[random.nextInt(pieces.length)]);
    }
    return out.append('"').toString();
  }
}
