package io.courier.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.courier.protocol.JsonBytes;
import io.courier.testing.PlainStrings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

  private static final int MAX = 4 * 1024 * 1024;

  /** Only a guard against hangs (a quadratic scan of 1 MiB byte by byte would take hours), not a benchmark. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);

  /** A JSON stream exercising every kind of value and separator, ending with a complete value. */
  private static final String JSON_STREAM = ""
      + "{\"jsonrpc\":\"2.0\",\"method\":\"测试项\",\"params\":[\"a]b}{[\",\"q\\\"u\\\\\"],\"id\":1}\n"
      + "[{\"a\":[1,2,{\"b\":null}]},{}]  \r\n\r\n\t"
      + "42 \"str\\\"ing\" true{\"c\":{}}[]\n"
      + "{\"broken\":1]tail\n"
      + "\n   {\"after\":\"broken\"}";

  private static final List<String> JSON_STREAM_FRAMES = List.of(
      "{\"jsonrpc\":\"2.0\",\"method\":\"测试项\",\"params\":[\"a]b}{[\",\"q\\\"u\\\\\"],\"id\":1}",
      "[{\"a\":[1,2,{\"b\":null}]},{}]",
      "42",
      "\"str\\\"ing\"",
      "true",
      "{\"c\":{}}",
      "[]",
      "{\"broken\":1]",
      "{\"after\":\"broken\"}");

  private static final String BODY_1 =
      "{\"jsonrpc\":\"2.0\",\"method\":\"测试项\",\"params\":[\"\\r\\n\\r\\n\"],\"id\":1}";
  private static final String BODY_2 = "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":2}";
  private static final String BODY_3 = "not json at all";

  private static final String CL_STREAM = ""
      + "Content-Length: " + utf8Length(BODY_1) + "\r\n"
      + "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
      + "\r\n" + BODY_1
      + "\r\n"
      + "content-length: " + utf8Length(BODY_2) + "\n\n" + BODY_2
      + "CONTENT-LENGTH:" + utf8Length(BODY_3) + "\r\n\r\n" + BODY_3;

  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void closeChannels() {
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private EmbeddedChannel channel(int maxMessageBytes) {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(maxMessageBytes));
    channels.add(channel);
    return channel;
  }

  private static FrameDecoder decoder(EmbeddedChannel channel) {
    return channel.pipeline().get(FrameDecoder.class);
  }

  /** Writes bytes through the leak-tracked default allocator, so a frame we forget to release gets reported. */
  private static void write(EmbeddedChannel channel, byte[] bytes, int from, int to) {
    if (to > from) {
      channel.writeInbound(ByteBufAllocator.DEFAULT.buffer(to - from).writeBytes(bytes, from, to - from));
    }
  }

  private static void write(EmbeddedChannel channel, String text) {
    byte[] bytes = text.getBytes(UTF_8);
    write(channel, bytes, 0, bytes.length);
  }

  /**
   * Reads everything the decoder produced, frames as UTF-8 strings (a scanned frame's plain strings checked
   * against the frame), and releases the frames.
   */
  private static List<Object> read(EmbeddedChannel channel) {
    List<Object> out = new ArrayList<>();
    for (Object message; (message = channel.readInbound()) != null; ) {
      if (message instanceof ScannedFrame scanned) {
        assertThat(scanned.plainStrings()).isEqualTo(PlainStrings.in(ByteBufUtil.getBytes(scanned.content())));
        out.add(scanned.content().toString(UTF_8));
        scanned.release();
      } else if (message instanceof ByteBuf frame) {
        out.add(frame.toString(UTF_8));
        frame.release();
      } else {
        out.add(message);
      }
    }
    return out;
  }

  private List<Object> decode(int maxMessageBytes, String... chunks) {
    EmbeddedChannel channel = channel(maxMessageBytes);
    for (String chunk : chunks) {
      write(channel, chunk);
    }
    return read(channel);
  }

  private static List<Object> decodeSplit(byte[] bytes, int split) {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX));
    write(channel, bytes, 0, split);
    List<Object> out = new ArrayList<>(read(channel));
    write(channel, bytes, split, bytes.length);
    out.addAll(read(channel));
    assertThat(channel.finishAndReleaseAll()).isFalse();
    return out;
  }

  private static List<Object> decodeByteByByte(byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX));
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      write(channel, bytes, i, i + 1);
      out.addAll(read(channel));
    }
    assertThat(channel.finishAndReleaseAll()).isFalse();
    return out;
  }

  private static FrameError singleError(List<Object> out) {
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).isInstanceOf(FrameError.class);
    return (FrameError) out.get(0);
  }

  private static int utf8Length(String s) {
    return s.getBytes(UTF_8).length;
  }

  private static String contentLength(String body) {
    return "Content-Length: " + utf8Length(body) + "\r\n\r\n" + body;
  }

  /** A large JSON request whose strings are full of brackets, quotes, escapes and multi-byte characters. */
  private static byte[] bigJson(int approximateBytes, long seed) {
    Random random = new Random(seed);
    String[] pieces = {"a", "b", "[", "]", "{", "}", ",", ":", " ", "测", "试", "\\\"", "\\\\", "\\n", "x"};
    StringBuilder sb = new StringBuilder(approximateBytes + 1024);
    sb.append("{\"jsonrpc\":\"2.0\",\"method\":\"bulk\",\"params\":[");
    boolean first = true;
    while (sb.length() < approximateBytes) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      if (random.nextInt(4) == 0) {
        sb.append("{\"n\":[").append(random.nextInt()).append(",[{}],null]}");
        continue;
      }
      sb.append('"');
      for (int i = random.nextInt(200); i > 0; i--) {
        sb.append(pieces[random.nextInt(pieces.length)]);
      }
      sb.append('"');
    }
    sb.append("],\"id\":7}");
    return sb.toString().getBytes(UTF_8);
  }

  /** Feeds bytes in random-size chunks and returns every frame's bytes. */
  private List<byte[]> decodeInRandomChunks(byte[] bytes, long seed) {
    Random random = new Random(seed);
    EmbeddedChannel channel = channel(MAX);
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < bytes.length; ) {
      int end = Math.min(bytes.length, i + 1 + random.nextInt(64 * 1024));
      write(channel, bytes, i, end);
      i = end;
      for (Object message; (message = channel.readInbound()) != null; ) {
        ByteBuf frame = message instanceof ScannedFrame scanned ? scanned.content() : (ByteBuf) message;
        byte[] content = ByteBufUtil.getBytes(frame);
        if (message instanceof ScannedFrame scanned) {
          assertThat(scanned.plainStrings()).isEqualTo(PlainStrings.in(content));
        }
        frames.add(content);
        frame.release();
      }
    }
    return frames;
  }

  private static byte[] repeat(char c, int count) {
    byte[] bytes = new byte[count];
    Arrays.fill(bytes, (byte) c);
    return bytes;
  }

  // ------------------------------------------------------------------------------------------ construction

  @Test
  void rejectsANonPositiveMessageLimit() {
    assertThatThrownBy(() -> new FrameDecoder(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessageBytes: 0 (expected: > 0)");
    assertThatThrownBy(() -> new FrameDecoder(-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessageBytes: -5 (expected: > 0)");
  }

  // ------------------------------------------------------------------------------------------------ detection

  @Test
  void leavesFramingUndecidedUntilTheFirstNonWhitespaceByte() {
    EmbeddedChannel channel = channel(MAX);
    assertThat(decoder(channel).framing()).isNull();
    write(channel, " \r\n\t\n");
    assertThat(decoder(channel).framing()).isNull();
    assertThat(decoder(channel).bufferedBytes()).isZero();
    write(channel, "{");
    assertThat(decoder(channel).framing()).isEqualTo(Framing.JSON_STREAM);
  }

  @Test
  void detectsContentLengthFramingCaseInsensitivelyWhenThePrefixArrivesByteByByte() {
    EmbeddedChannel channel = channel(MAX);
    String input = "\r\ncOnTeNt-lEnGtH: 2\r\n\r\n{}";
    for (int i = 0; i < "\r\ncOnTeNt".length(); i++) {
      write(channel, input.substring(i, i + 1));
      assertThat(decoder(channel).framing()).isNull();
    }
    write(channel, input.substring("\r\ncOnTeNt".length()));
    assertThat(decoder(channel).framing()).isEqualTo(Framing.CONTENT_LENGTH);
    assertThat(read(channel)).containsExactly("{}");
  }

  @Test
  void decidesJsonStreamAsSoonAsAByteDiffersFromTheContentPrefix() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "Cont");
    assertThat(decoder(channel).framing()).isNull();
    write(channel, "ext\n");
    assertThat(decoder(channel).framing()).isEqualTo(Framing.JSON_STREAM);
    assertThat(read(channel)).containsExactly("Context");

    // The underscore cannot be part of a bare token: the token so far and the underscore are one unparseable frame,
    // and since no newline has come between values yet, the rest is skipped up to the line end.
    assertThat(decode(MAX, "Content_Length: 2\n")).containsExactly("Content_");
  }

  @Test
  void keepsTheDetectedFramingForTheRestOfTheConnection() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "{}\nContent-Length: 2\r\n\r\n{}\n");
    assertThat(decoder(channel).framing()).isEqualTo(Framing.JSON_STREAM);
    // A bare token, then a colon that cannot start a value, whose line is discarded.
    assertThat(read(channel)).containsExactly("{}", "Content-Length", ":", "{}");
  }

  // ---------------------------------------------------------------------------------------------- JSON stream

  @Test
  void emitsEachNewlineDelimitedValueAsOneFrame() {
    assertThat(decode(MAX, "{\"a\":1}\n{\"b\":2}\n[3]\n"))
        .containsExactly("{\"a\":1}", "{\"b\":2}", "[3]");
  }

  @Test
  void splitsValuesConcatenatedWithNoSeparator() {
    assertThat(decode(MAX, "{\"a\":1}{\"b\":2}[3]\"s\"{}"))
        .containsExactly("{\"a\":1}", "{\"b\":2}", "[3]", "\"s\"", "{}");
  }

  @Test
  void emitsAValueAsSoonAsItIsCompleteWithoutWaitingForANewline() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}");
    assertThat(read(channel)).containsExactly("{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}");
    assertThat(decoder(channel).bufferedBytes()).isZero();
  }

  @Test
  void skipsBlankLinesAndWhitespaceBetweenValuesAndStripsItFromFrames() {
    assertThat(decode(MAX, "\n\n  {\"a\":1} \t\r\n\r\n\n   [1, 2]\r\n  \n"))
        .containsExactly("{\"a\":1}", "[1, 2]");
  }

  @Test
  void emitsABatchArrayAsOneFrame() {
    String batch = "[{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2,4],\"id\":\"1\"},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"notify_hello\",\"params\":[7]}]";
    assertThat(decode(MAX, batch + "\n")).containsExactly(batch);
  }

  @Test
  void tracksDeeplyNestedObjectsAndArrays() {
    String nested = "{\"a\":[{\"b\":[[{\"c\":{\"d\":[]}}]]},{}],\"e\":{\"f\":[[[[1]]]]}}";
    String deep = "[".repeat(1000) + "]".repeat(1000);
    assertThat(decode(MAX, nested + deep + nested)).containsExactly(nested, deep, nested);
  }

  @Test
  void ignoresBracketsBracesAndEscapedQuotesInsideStrings() {
    String value = "{\"a\":\"}]{[\",\"b\":\"\\\"}\\\"]\",\"c\":[\"]\"]}";
    assertThat(decode(MAX, value + value)).containsExactly(value, value);
  }

  @Test
  void treatsAnEscapedBackslashAsEndingTheEscapeBeforeAClosingQuote() {
    String value = "{\"a\":\"x\\\\\",\"b\":\"\\\\\\\"}\"}";
    assertThat(decode(MAX, value + "[\"\\\\\"]")).containsExactly(value, "[\"\\\\\"]");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void findsAnEscapeOrNewlineAtAnyPositionOfALongStringWhateverTheChunksAndBuffers(boolean composite) {
    // Long strings are skipped a word at a time; a special byte must be seen wherever it falls in a word, in
    // one buffer or across a composite one.
    Random random = new Random(3);
    for (String special : new String[] {"\\\"", "\\\\", "\\n"}) {
      for (int at = 0; at < 24; at++) {
        String value = "[\"" + "a".repeat(at) + special + "b".repeat(20 + at) + "\"]";
        String text = value + value + "\n" + value;
        EmbeddedChannel channel = channel(MAX);
        if (composite) {
          decoder(channel).setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        }
        byte[] bytes = text.getBytes(UTF_8);
        for (int i = 0; i < bytes.length; ) {
          int end = Math.min(bytes.length, i + 1 + random.nextInt(40));
          write(channel, bytes, i, end);
          i = end;
        }
        write(channel, "\n");
        assertThat(read(channel)).as("%s at %d", special, at).containsExactly(value, value, value);
      }
    }
    for (int at = 0; at < 24; at++) {
      String broken = "[\"" + "a".repeat(at);
      assertThat(decode(MAX, broken + "\n[\"" + "c".repeat(30) + "\"]\n")).as("newline at %d", at)
          .containsExactly(broken, "[\"" + "c".repeat(30) + "\"]");
    }
  }

  @Test
  void tellsWhereAnObjectsLongPlainStringsAreWhateverTheChunks() {
    String name = "n".repeat(2000);
    String value = "{\"" + name + "\" : [\"" + "v".repeat(3000) + "\", \"" + "e".repeat(1500) + "\\n\", \""
        + "é".repeat(800) + "\", \"" + "s".repeat(JsonBytes.LONG_STRING_BYTES - 1) + "\", \"" + "~".repeat(1200)
        + "\u007f\", \"" + "x".repeat(1100) + "\u0001\"], \"k\": {\"deep\": \"" + "d".repeat(JsonBytes.LONG_STRING_BYTES)
        + "\"}, \"late\": [\"" + "a".repeat(30) + "é" + "b".repeat(2000) + "\", \"" + "c".repeat(5) + "\t"
        + "d".repeat(2000) + "\"]}";
    byte[] bytes = (value + "\n\"" + "t".repeat(2000) + "\"\n[1]\n").getBytes(UTF_8);
    int[] expected = PlainStrings.in(value.getBytes(UTF_8));
    // The name, the plain value, the one with DEL and the deep one; not the escaped, non-ASCII, short or control
    // ones, wherever their first bad byte is.
    assertThat(expected).hasSize(8);
    Random random = new Random(9);
    for (int run = 0; run < 50; run++) {
      EmbeddedChannel channel = channel(MAX);
      for (int i = 0; i < bytes.length; ) {
        int end = Math.min(bytes.length, i + 1 + random.nextInt(run % 2 == 0 ? 16 : 4000));
        write(channel, bytes, i, end);
        i = end;
      }
      List<Object> messages = new ArrayList<>();
      for (Object message; (message = channel.readInbound()) != null; ) {
        messages.add(message);
      }
      try {
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0)).isInstanceOfSatisfying(ScannedFrame.class, frame -> {
          assertThat(frame.content().toString(UTF_8)).isEqualTo(value);
          assertThat(frame.plainStrings()).isEqualTo(expected);
        });
        // A top-level string and a small array are plain frames: nothing in them to find.
        assertThat(messages.get(1)).isInstanceOf(ByteBuf.class);
        assertThat(messages.get(2)).isInstanceOf(ByteBuf.class);
      } finally {
        messages.forEach(ReferenceCountUtil::release);
      }
    }
  }

  @Test
  void passesMultiByteUtf8ThroughUnchanged() {
    String value = "{\"method\":\"测试项\",\"params\":[\"héllo\",\"😀\",\"ü[]{}\"]}";
    assertThat(decode(MAX, value + "\n\"测试项\"\n")).containsExactly(value, "\"测试项\"");
  }

  @Test
  void emitsTopLevelScalarsAndGarbageTokensAsFrames() {
    assertThat(decode(MAX, "1\n\"x\"\ntrue\nfoo\n-1.5e3 null\"a b\"false[]"))
        .containsExactly("1", "\"x\"", "true", "foo", "-1.5e3", "null", "\"a b\"", "false", "[]");
  }

  @Test
  void waitsForADelimiterBeforeEmittingABareTokenAtTheEndOfTheInput() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "123");
    assertThat(read(channel)).isEmpty();
    write(channel, "4");
    assertThat(read(channel)).isEmpty();
    write(channel, "\n");
    assertThat(read(channel)).containsExactly("1234");
  }

  @Test
  void endsABareTokenAtAStructuralCharacter() {
    assertThat(decode(MAX, "12{\"a\":1}true[1]null\"s\"\n"))
        .containsExactly("12", "{\"a\":1}", "true", "[1]", "null", "\"s\"");
  }

  @Test
  void decodesAMixedStreamIdenticallyWhenSplitAtEveryByteBoundary() {
    byte[] bytes = JSON_STREAM.getBytes(UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      assertThat(decodeSplit(bytes, split)).as("split at %d", split)
          .containsExactlyElementsOf(JSON_STREAM_FRAMES);
    }
  }

  @Test
  void decodesAMixedStreamFedOneByteAtATime() {
    assertThat(decodeByteByByte(JSON_STREAM.getBytes(UTF_8))).containsExactlyElementsOf(JSON_STREAM_FRAMES);
  }

  @Test
  void decodesManyValuesMergedIntoOneChunk() {
    StringBuilder input = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String value = "{\"jsonrpc\":\"2.0\",\"method\":\"m" + i + "\",\"params\":[\"]\"],\"id\":" + i + "}";
      expected.add(value);
      input.append(value).append(i % 3 == 0 ? "\n" : i % 3 == 1 ? "" : " \r\n");
    }
    assertThat(decode(MAX, input.toString())).containsExactlyElementsOf(expected);
  }

  @Test
  void acceptsValuesOfExactlyTheLimit() {
    int limit = 64;
    String object = "{\"a\":\"" + "x".repeat(limit - 8) + "\"}";
    String string = "\"" + "y".repeat(limit - 2) + "\"";
    String token = "9".repeat(limit);
    assertThat(object).hasSize(limit);
    assertThat(decode(limit, object + string + token + "\n")).containsExactly(object, string, token);
  }

  @Test
  void rejectsAnObjectOneByteOverTheLimitAsTooLarge() {
    int limit = 64;
    String object = "{\"a\":\"" + "x".repeat(limit - 7) + "\"}";
    FrameError error = singleError(decode(limit, object + "\n{}\n"));
    assertThat(error.kind()).isEqualTo(FrameError.Kind.TOO_LARGE);
    assertThat(error.message()).isEqualTo("message exceeds 64 bytes");
  }

  @Test
  void rejectsAStringOrTokenOneByteOverTheLimitAsTooLarge() {
    assertThat(singleError(decode(64, "\"" + "y".repeat(63) + "\"")).kind())
        .isEqualTo(FrameError.Kind.TOO_LARGE);
    assertThat(singleError(decode(64, "9".repeat(65) + "\n")).kind()).isEqualTo(FrameError.Kind.TOO_LARGE);
  }

  @Test
  void reportsAnOversizedValueWithoutWaitingForItsEnd() {
    EmbeddedChannel channel = channel(1024);
    write(channel, "[\"" + "z".repeat(1100));
    assertThat(singleError(read(channel)).kind()).isEqualTo(FrameError.Kind.TOO_LARGE);
  }

  @Test
  void decodesAThreeMebibyteValueInRandomSizeChunksToIdenticalBytes() {
    byte[] big = bigJson(3 * 1024 * 1024, 42);
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.writeBytes(big);
    input.write('\n');
    input.writeBytes(big);

    List<byte[]> frames = decodeInRandomChunks(input.toByteArray(), 7);

    assertThat(frames).hasSize(2);
    assertThat(frames.get(0)).isEqualTo(big);
    assertThat(frames.get(1)).isEqualTo(big);
  }

  @Test
  void cutsTheSpecsInvalidJsonExampleAtItsFirstBadByteAndResynchronisesOnTheNextLine() {
    String broken = "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]";
    String valid = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":1}";
    // After the value "foobar, " only a comma or a closing brace may come, not the p of params.
    String cut = "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"p";
    assertThat(decode(MAX, broken + "\n" + valid + "\n")).containsExactly(cut, valid);
    assertThat(decode(MAX, valid + "\n" + broken + "\n" + valid + "\n")).containsExactly(valid, cut, valid);
  }

  @Test
  void emitsTheSpecsInvalidBatchExampleAsOneBrokenLine() {
    String broken = "[{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
        + "{\"jsonrpc\": \"2.0\", \"method\"]";
    assertThat(decode(MAX, broken + "\n")).containsExactly(broken);
    assertThat(decode(MAX, broken + "\n[1]\n")).containsExactly(broken, "[1]");
  }

  @Test
  void answersALineStartingWithAClosingBracketCommaOrColonOnceOnANewlineDelimitedConnection() {
    assertThat(decode(MAX, "{}\n]{\"a\":1}\n}}]\n,\"x\",\n: 1\n{\"b\":2}\n"))
        .containsExactly("{}", "]", "}", ",", ":", "{\"b\":2}");
  }

  @Test
  void endsAStringAtARawNewlineAndResumesOnTheNextLine() {
    assertThat(decode(MAX, "{\"a\":\"unterminated\n{\"b\":1}\n\"also\n2\n"))
        .containsExactly("{\"a\":\"unterminated", "{\"b\":1}", "\"also", "2");
  }

  @Test
  void emitsABrokenValueAtItsBadByteWithoutWaitingForANewline() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "{\"a\":1");
    assertThat(read(channel)).isEmpty();
    write(channel, "]{\"b\":");
    assertThat(read(channel)).containsExactly("{\"a\":1]");
    write(channel, "2}");
    assertThat(read(channel)).containsExactly("{\"b\":2}");
  }

  @Test
  void neitherHoldsNorCountsTheDiscardedRestOfABrokenLineAgainstTheLimit() {
    EmbeddedChannel channel = channel(32);
    write(channel, "{}\n{\"a\":1]");
    assertThat(read(channel)).containsExactly("{}", "{\"a\":1]");
    byte[] rest = repeat('x', 1000);
    for (int i = 0; i < 100; i++) {
      write(channel, rest, 0, rest.length);
      assertThat(decoder(channel).bufferedBytes()).isZero();
    }
    write(channel, "\n[1]\n");
    assertThat(read(channel)).containsExactly("[1]");
    // The value itself still counts: cut one byte past the limit, it is too large.
    assertThat(singleError(decode(8, "{\"a\":12345]\n")).kind()).isEqualTo(FrameError.Kind.TOO_LARGE);
  }

  @Test
  void discardsAnIncompleteTrailingValueWhenTheChannelCloses() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX));
    write(channel, "{\"a\":1}{\"b\":[1,");
    assertThat(read(channel)).containsExactly("{\"a\":1}");
    assertThat(channel.finish()).isFalse();
    assertThat(channel.inboundMessages()).isEmpty();
  }

  @Test
  void discardsATrailingBareTokenWithoutDelimiterWhenTheChannelCloses() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX));
    write(channel, "42");
    assertThat(channel.finish()).isFalse();
  }

  // ------------------------------------------------------------------------------------------ JSON grammar

  /** A valid request, sent after each broken value to show the stream is back in step. */
  private static final String OK = "{\"jsonrpc\":\"2.0\",\"method\":\"ok\",\"id\":1}";

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      // An object: a member name or '}' after '{', a name after ',', ':' after a name, a value after ':'.
      "{1:2}|{1",
      "{a:1}|{a",
      "{'a':1}|{'",
      "{\"a\",1}|{\"a\",",
      "{\"a\" \"b\"}|{\"a\" \"",
      "{\"a\"::1}|{\"a\"::",
      "{\"a\":}|{\"a\":}",
      "{\"a\":1,}|{\"a\":1,}",
      "{\"a\":1,,\"b\":2}|{\"a\":1,,",
      "{,\"a\":1}|{,",
      // After a member's value: ',' or '}' only.
      "{\"a\":1{\"b\":2}}|{\"a\":1{",
      "{\"a\":\"x\" \"b\":2}|{\"a\":\"x\" \"",
      "{\"a\":{} []}|{\"a\":{} [",
      "{\"a\":1:2}|{\"a\":1:",
      "{\"a\":1]|{\"a\":1]",
      // An array: a value or ']' after '[', a value after ',', ',' or ']' after a value.
      "[,1]|[,",
      "[1,]|[1,]",
      "[1 2]|[1 2",
      "[true false]|[true f",
      "[\"a\" {}]|[\"a\" {",
      "[{} {}]|[{} {",
      "[1:2]|[1:",
      "[\"a\":1]|[\"a\":",
      "[1}|[1}",
      "[[1]}|[[1]}",
      // Bytes that belong to no token, outside strings.
      "[1@]|[1@",
      "[1_000]|[1_",
      "{\"a\":#}|{\"a\":#",
      "[/*c*/1]|[/",
      // As in the spec's invalid batch: after a member name a colon must come, not ']'.
      "`[{\"a\":1},{\"method\" ]`|`[{\"a\":1},{\"method\" ]`",
  })
  void cutsAValueAtTheFirstByteThatBreaksTheGrammarAndServesTheNextOne(String broken, String cut) {
    // Concatenated: what is left of the broken value is skipped up to the next object or array.
    assertThat(decode(MAX, broken + OK)).containsExactly(cut, OK);
    // Newline-delimited: the rest of the line goes, even a value on it; the next line is served.
    assertThat(decode(MAX, OK + "\n" + broken + " [1]\n" + OK + "\n")).containsExactly(OK, cut, OK);
  }

  @Test
  void cutsAtAControlOrNonAsciiByteOutsideAString() {
    for (byte bad : new byte[] {0x00, 0x01, 0x1f, 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xff}) {
      EmbeddedChannel channel = channel(MAX);
      byte[] input = {'[', '1', ',', ' ', bad, ']', '[', '2', ']'};
      write(channel, input, 0, input.length);
      List<byte[]> frames = new ArrayList<>();
      for (Object message; (message = channel.readInbound()) != null; ) {
        frames.add(ByteBufUtil.getBytes((ByteBuf) message));
        ((ByteBuf) message).release();
      }
      assertThat(frames).as("byte %02x", bad & 0xff).hasSize(2);
      assertThat(frames.get(0)).as("byte %02x", bad & 0xff).isEqualTo(Arrays.copyOf(input, 5));
      assertThat(frames.get(1)).isEqualTo(new byte[] {'[', '2', ']'});
    }
    // Inside a string such bytes are the parser's business, not the framer's.
    assertThat(decode(MAX, "[\"\u0001é\u007f\"]")).containsExactly("[\"\u0001é\u007f\"]");
  }

  @Test
  void acceptsEveryPlaceWhitespaceMayStandAndEveryKindOfValue() {
    String value = " { \"a\" : [ 1 , -2.5e+3 , true , false , null , \"s\" , { } , [ ] ] ,"
        + " \"b\" : { \"c\" : \"d\" } } ";
    assertThat(decode(MAX, value + value.replace(" ", "") + value.replace(" ", "\r\n\t")))
        .containsExactly(value.trim(), value.replace(" ", ""), value.replace(" ", "\r\n\t").trim());
  }

  @Test
  void answersTheSpecsInvalidJsonExamplesOnAConcatenatedStreamWithoutANewline() {
    String invalidJson = "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]";
    String invalidBatch = "[ {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
        + "{\"jsonrpc\": \"2.0\", \"method\" ]";
    EmbeddedChannel channel = channel(MAX);
    write(channel, OK + invalidJson);
    // Its leftovers ("arams", strings, "baz]") are skipped, and nothing is held while they are.
    assertThat(read(channel)).containsExactly(OK, "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"p");
    assertThat(decoder(channel).bufferedBytes()).isZero();
    write(channel, invalidBatch);
    assertThat(read(channel)).containsExactly(invalidBatch);
    write(channel, OK);
    assertThat(read(channel)).containsExactly(OK);
    assertThat(decoder(channel).hasPartialFrame()).isFalse();
  }

  @Test
  void answersARunOfStrayClosingBracketsCommasAndLeftoversOnceOnAConcatenatedStream() {
    assertThat(decode(MAX, OK + "}}]],,::" + OK)).containsExactly(OK, "}", OK);
    // Strings and bare tokens after an error are taken for the broken value's leftovers, not for messages.
    assertThat(decode(MAX, "]\"x\" 42 true,\"y\"}" + OK + "]]" + OK)).containsExactly("]", OK, "]", OK);
  }

  @Test
  void takesAConnectionForNewlineDelimitedOnceANewlineComesBetweenValues() {
    // Leading whitespace is not between values: still concatenated, so the value after the error is served.
    assertThat(decode(MAX, "\r\n  }" + OK)).containsExactly("}", OK);
    // A newline that ends the skipping after an error counts, and so does one after a value.
    assertThat(decode(MAX, "}x\n42\n]" + OK + "\n" + OK)).containsExactly("}", "42", "]", OK);
    assertThat(decode(MAX, OK + " \r\n }" + OK + "\n" + OK)).containsExactly(OK, "}", OK);
    // A newline inside a value (pretty-printed JSON) does not count.
    assertThat(decode(MAX, "{\n\"a\":\n1\n}}" + OK)).containsExactly("{\n\"a\":\n1\n}", "}", OK);
  }

  @Test
  void cutsBrokenConcatenatedValuesIdenticallyWhenSplitAtEveryByteBoundary() {
    String stream = OK + "{\"a\":1 \"b\"}}]" + "[1,,2]" + "{\"s\":\"]\"}" + "x@y" + OK + "\n" + "[1}tail{}\n" + OK;
    List<Object> expected = List.of(OK, "{\"a\":1 \"", "[1,,", "{\"s\":\"]\"}", "x@", OK, "[1}", OK);
    assertThat(decode(MAX, stream)).containsExactlyElementsOf(expected);
    byte[] bytes = stream.getBytes(UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      assertThat(decodeSplit(bytes, split)).as("split at %d", split).containsExactlyElementsOf(expected);
    }
    assertThat(decodeByteByByte(bytes)).containsExactlyElementsOf(expected);
  }

  // ------------------------------------------------------------------------------------------ partial state

  /** Records the user events and frames that reach the handler after the decoder, in order. */
  private static final class Downstream extends ChannelInboundHandlerAdapter {
    final List<Object> seen = new ArrayList<>();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      seen.add(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      seen.add(((ByteBuf) msg).toString(UTF_8));
      ((ByteBuf) msg).release();
    }
  }

  private Downstream downstream(EmbeddedChannel channel) {
    Downstream downstream = new Downstream();
    channel.pipeline().addLast(downstream);
    return downstream;
  }

  @Test
  void announcesItsStackOnlyOnceTheJsonStreamFramingIsDetected() {
    EmbeddedChannel channel = channel(MAX);
    Downstream downstream = downstream(channel);
    write(channel, " \r\n\t ");
    assertThat(downstream.seen).isEmpty();
    write(channel, "\n{\"a\":1}{}");
    assertThat(downstream.seen).containsExactly(decoder(channel), "{\"a\":1}", "{}");
    write(channel, "\n[]");
    assertThat(downstream.seen).containsExactly(decoder(channel), "{\"a\":1}", "{}", "[]");
  }

  @Test
  void announcesItsStackOnlyOnceTheContentLengthPrefixIsDecided() {
    EmbeddedChannel channel = channel(MAX);
    Downstream downstream = downstream(channel);
    write(channel, "\r\nContent");
    assertThat(downstream.seen).isEmpty();
    write(channel, "-Length: 2\r\n\r\n{}");
    assertThat(downstream.seen).containsExactly(decoder(channel), "{}");
  }

  @Test
  void takesWhitespaceForPartOfAMessageUntilTheFramingIsKnown() {
    EmbeddedChannel channel = channel(MAX);
    assertThat(decoder(channel).hasPartialFrame()).isFalse();
    write(channel, "\n");
    assertThat(decoder(channel).hasPartialFrame()).isTrue();
    assertThat(decoder(channel).partialBytes()).isZero();
    write(channel, "  Cont");
    assertThat(decoder(channel).hasPartialFrame()).isTrue();
    assertThat(decoder(channel).partialBytes()).isEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "\r", "\r\n"})
  void doesNotTakeTheLineEndAfterAMessageForPartOfTheNext(String lineEnd) {
    for (String message : new String[] {"{\"a\":1}", "[1]", "\"s\"", contentLength("{}")}) {
      EmbeddedChannel channel = channel(MAX);
      write(channel, message);
      // A bare token needs its delimiter, so it is checked with one.
      write(channel, "42" + (lineEnd.isEmpty() ? "\n" : lineEnd));
      write(channel, message);
      if (!lineEnd.isEmpty()) {
        write(channel, lineEnd.substring(0, 1));
        assertThat(decoder(channel).hasPartialFrame()).as("%s then %s", message, lineEnd.charAt(0)).isFalse();
        write(channel, lineEnd.substring(1));
      }
      assertThat(read(channel)).hasSize(message.startsWith("Content") ? 2 : 3);
      assertThat(decoder(channel).hasPartialFrame()).as("%s then %s", message, lineEnd).isFalse();
      assertThat(decoder(channel).partialBytes()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "\t", "\n\n", "\r\r", "\r\n\r\n", "\n ", "\r\n\t", " \n"})
  void takesWhitespaceBeyondTheLineEndAfterAMessageForPartOfTheNext(String whitespace) {
    for (String message : new String[] {"{\"a\":1}", contentLength("{}")}) {
      EmbeddedChannel channel = channel(MAX);
      write(channel, message);
      for (char c : whitespace.toCharArray()) {
        write(channel, String.valueOf(c)); // however it is sliced
      }
      assertThat(read(channel)).hasSize(1);
      assertThat(decoder(channel).hasPartialFrame()).as("%s then %s", message, whitespace.replace("\n", "\\n")
          .replace("\r", "\\r")).isTrue();
      assertThat(decoder(channel).partialBytes()).isZero();
      write(channel, message);
      assertThat(read(channel)).hasSize(1);
      assertThat(decoder(channel).hasPartialFrame()).isFalse();
    }
  }

  @Test
  void takesInputBeingDiscardedAfterASyntaxErrorForPartOfAMessage() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, OK + "\n{\"a\":1]rest of the line");
    assertThat(read(channel)).containsExactly(OK, "{\"a\":1]");
    assertThat(decoder(channel).hasPartialFrame()).isTrue();
    assertThat(decoder(channel).partialBytes()).isZero();
    write(channel, " and more\n");
    assertThat(decoder(channel).hasPartialFrame()).as("the newline ends the broken line").isFalse();

    EmbeddedChannel concatenated = channel(MAX);
    write(concatenated, "{\"a\":1]\"rest\"");
    assertThat(read(concatenated)).containsExactly("{\"a\":1]");
    assertThat(decoder(concatenated).hasPartialFrame()).isTrue();
    write(concatenated, OK);
    assertThat(read(concatenated)).containsExactly(OK);
    assertThat(decoder(concatenated).hasPartialFrame()).isFalse();
  }

  @Test
  void countsTheBytesOfAnUnfinishedMessageAsPartial() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "{\"a\":");
    assertThat(decoder(channel).hasPartialFrame()).isTrue();
    assertThat(decoder(channel).partialBytes()).isEqualTo(5);
    write(channel, "\"" + "x".repeat(100));
    assertThat(decoder(channel).partialBytes()).isEqualTo(106);
    write(channel, "\"}\n");
    assertThat(read(channel)).hasSize(1);
    assertThat(decoder(channel).partialBytes()).isZero();
    assertThat(decoder(channel).hasPartialFrame()).isFalse();
  }

  // ------------------------------------------------------------------------------------------- Content-Length

  @Test
  void decodesAContentLengthFramedMessage() {
    String body = "{\"jsonrpc\":\"2.0\",\"method\":\"initialize\",\"id\":0}";
    EmbeddedChannel channel = channel(MAX);
    write(channel, contentLength(body));
    assertThat(decoder(channel).framing()).isEqualTo(Framing.CONTENT_LENGTH);
    assertThat(read(channel)).containsExactly(body);
    assertThat(decoder(channel).bufferedBytes()).isZero();
  }

  @Test
  void ignoresContentTypeAndOtherHeaders() {
    String body = "{\"m\":\"测试项\"}";
    String input = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
        + "Content-Length: " + utf8Length(body) + "\r\n"
        + "X-Whatever:\r\n"
        + "\r\n" + body;
    assertThat(decode(MAX, input)).containsExactly(body);
  }

  @Test
  void matchesHeaderNamesCaseInsensitivelyAndAcceptsBareNewlines() {
    assertThat(decode(MAX, "content-length: 2\n\n{}", "CONTENT-LENGTH:   3  \r\n\r\n[1]"))
        .containsExactly("{}", "[1]");
  }

  @Test
  void decodesTwoMessagesInOneChunk() {
    assertThat(decode(MAX, contentLength("{\"a\":1}") + contentLength("[2]"))).containsExactly("{\"a\":1}", "[2]");
  }

  @Test
  void allowsLineBreaksBetweenMessages() {
    assertThat(decode(MAX, "\r\n" + contentLength("{}") + "\r\n\r\n\n" + contentLength("[]") + "\r\n"))
        .containsExactly("{}", "[]");
  }

  @Test
  void emitsBodiesAsIsEvenWhenTheyAreNotJson() {
    assertThat(decode(MAX, contentLength("{\"a\":1]") + contentLength("  \n\n  ") + contentLength("é")))
        .containsExactly("{\"a\":1]", "  \n\n  ", "é");
  }

  @Test
  void emitsAnEmptyFrameForAZeroContentLength() {
    assertThat(decode(MAX, "Content-Length: 0\r\n\r\n" + contentLength("{}"))).containsExactly("", "{}");
  }

  @Test
  void waitsForTheWholeBodyBeforeEmittingIt() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "Content-Length: 10\r\n\r\n{\"a\":");
    assertThat(read(channel)).isEmpty();
    write(channel, "123}{");
    assertThat(read(channel)).containsExactly("{\"a\":123}{");
  }

  @Test
  void decodesContentLengthMessagesIdenticallyWhenSplitAtEveryByteBoundary() {
    byte[] bytes = CL_STREAM.getBytes(UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      assertThat(decodeSplit(bytes, split)).as("split at %d", split).containsExactly(BODY_1, BODY_2, BODY_3);
    }
  }

  @Test
  void decodesContentLengthMessagesFedOneByteAtATime() {
    assertThat(decodeByteByByte(CL_STREAM.getBytes(UTF_8))).containsExactly(BODY_1, BODY_2, BODY_3);
  }

  @Test
  void decodesManyContentLengthMessagesMergedIntoOneChunk() {
    StringBuilder input = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String body = "{\"jsonrpc\":\"2.0\",\"result\":\"r" + i + "测\",\"id\":" + i + "}";
      expected.add(body);
      input.append(contentLength(body));
    }
    assertThat(decode(MAX, input.toString())).containsExactlyElementsOf(expected);
  }

  @Test
  void decodesAThreeMebibyteContentLengthBodyInRandomSizeChunksToIdenticalBytes() {
    byte[] big = bigJson(3 * 1024 * 1024, 43);
    byte[] header = ("Content-Length: " + big.length + "\r\n\r\n").getBytes(UTF_8);
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.writeBytes(header);
    input.writeBytes(big);
    input.writeBytes(header);
    input.writeBytes(big);

    List<byte[]> frames = decodeInRandomChunks(input.toByteArray(), 11);

    assertThat(frames).hasSize(2);
    assertThat(frames.get(0)).isEqualTo(big);
    assertThat(frames.get(1)).isEqualTo(big);
  }

  @Test
  void acceptsABodyOfExactlyTheLimitAndRejectsALargerContentLengthAsTooLarge() {
    assertThat(decode(16, contentLength("x".repeat(16)))).containsExactly("x".repeat(16));

    FrameError error = singleError(decode(16, "Content-Length: 17\r\n\r\n"));
    assertThat(error.kind()).isEqualTo(FrameError.Kind.TOO_LARGE);
    assertThat(error.message()).isEqualTo("message exceeds 16 bytes (Content-Length: 17)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "12a", "2147483648", "99999999999999999999", "", "  ", "+5", "1.5", "0x10", "１２"})
  void rejectsAnInvalidContentLengthAsABadHeaderBeforeTheBodyArrives(String value) {
    FrameError error = singleError(decode(MAX, "Content-Length: " + value + "\r\n"));
    assertThat(error.kind()).isEqualTo(FrameError.Kind.BAD_HEADER);
    assertThat(error.message()).startsWith("invalid Content-Length: ");
  }

  @Test
  void namesTheInvalidContentLengthValueInTheError() {
    assertThat(singleError(decode(MAX, "Content-Length: 12a\r\n\r\n")).message())
        .isEqualTo("invalid Content-Length: 12a");
    assertThat(singleError(decode(MAX, "Content-Length:\r\n\r\n")).message())
        .isEqualTo("invalid Content-Length: (empty)");
    assertThat(singleError(decode(MAX, "Content-Length: " + "7".repeat(5000) + "\r\n")).message())
        .isEqualTo("invalid Content-Length: " + "7".repeat(32) + "...");
  }

  @Test
  void rejectsTwoContentLengthHeadersEvenWhenTheyAgree() {
    FrameError error = singleError(decode(MAX, "Content-Length: 2\r\ncontent-length: 2\r\n\r\n{}"));
    assertThat(error.kind()).isEqualTo(FrameError.Kind.BAD_HEADER);
    assertThat(error.message()).isEqualTo("duplicate Content-Length header");
  }

  @Test
  void rejectsAHeaderBlockWithoutContentLength() {
    FrameError error = singleError(decode(MAX, "Content-Type: application/json\r\n\r\n{}"));
    assertThat(error.kind()).isEqualTo(FrameError.Kind.BAD_HEADER);
    assertThat(error.message()).isEqualTo("missing Content-Length header");
  }

  @Test
  void rejectsAHeaderLineWithoutAName() {
    assertThat(singleError(decode(MAX, "Content-Length: 2\r\nno colon here\r\n\r\n{}")).kind())
        .isEqualTo(FrameError.Kind.BAD_HEADER);
    assertThat(singleError(decode(MAX, "Content-Length: 2\r\n: value\r\n\r\n{}")).kind())
        .isEqualTo(FrameError.Kind.BAD_HEADER);
  }

  @Test
  void acceptsAHeaderBlockOfExactlyTheLimit() {
    String first = "Content-Length: 2\r\n";
    String padding = "X-Pad: " + "p".repeat(FrameDecoder.MAX_HEADER_BYTES - first.length() - 2 - 9) + "\r\n";
    String header = first + padding + "\r\n";
    assertThat(header).hasSize(FrameDecoder.MAX_HEADER_BYTES);
    assertThat(decode(MAX, header + "{}")).containsExactly("{}");
  }

  @Test
  void rejectsAHeaderBlockOverTheLimitWithoutWaitingForItsEnd() {
    EmbeddedChannel channel = channel(MAX);
    write(channel, "Content-Length: 2\r\nX-Pad: " + "p".repeat(FrameDecoder.MAX_HEADER_BYTES));
    FrameError error = singleError(read(channel));
    assertThat(error.kind()).isEqualTo(FrameError.Kind.BAD_HEADER);
    assertThat(error.message()).isEqualTo("header block exceeds 8192 bytes");
  }

  @Test
  void rejectsEndlessHeaderLinesFedByteByByte() {
    EmbeddedChannel channel = channel(MAX);
    byte[] lines = "Content-Type: x\r\n".repeat(1000).getBytes(UTF_8);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      write(channel, lines, i, i + 1);
      out.addAll(read(channel));
      assertThat(decoder(channel).bufferedBytes()).isLessThanOrEqualTo(FrameDecoder.MAX_HEADER_BYTES);
    }
    assertThat(singleError(out).message()).isEqualTo("header block exceeds 8192 bytes");
  }

  // ------------------------------------------------------------------------------------------ after an error

  @Test
  void discardsAllInputAfterAFrameErrorWithoutBufferingIt() {
    for (String trigger : new String[] {"[".repeat(2000), "Content-Length: 12a\r\n\r\n"}) {
      EmbeddedChannel channel = channel(1024);
      write(channel, trigger);
      assertThat(singleError(read(channel))).isNotNull();
      assertThat(decoder(channel).bufferedBytes()).isZero();

      byte[] chunk = (contentLength("{}") + "{\"a\":1}\n" + "[".repeat(100)).repeat(1000).getBytes(UTF_8);
      long fed = 0;
      while (fed < 10L * 1024 * 1024) {
        write(channel, chunk, 0, chunk.length);
        fed += chunk.length;
        assertThat(decoder(channel).bufferedBytes()).isZero();
      }
      assertThat(read(channel)).isEmpty();
      assertThat(channel.finish()).isFalse();
    }
  }

  @Test
  void neverBuffersMoreThanTheLimitPlusTheCurrentChunk() {
    int limit = 64 * 1024;
    int chunkSize = 1000;
    EmbeddedChannel channel = channel(limit);
    byte[] chunk = "s".repeat(chunkSize).getBytes(UTF_8);
    write(channel, "\"");
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < 200 && out.isEmpty(); i++) {
      write(channel, chunk, 0, chunk.length);
      assertThat(decoder(channel).bufferedBytes()).isLessThanOrEqualTo(limit + chunkSize);
      out.addAll(read(channel));
    }
    assertThat(singleError(out).kind()).isEqualTo(FrameError.Kind.TOO_LARGE);
  }

  @Test
  void doesNotBufferWhitespaceBetweenValues() {
    EmbeddedChannel channel = channel(1024);
    byte[] spaces = " \r\n\t".repeat(16 * 1024).getBytes(UTF_8);
    write(channel, "{}");
    for (int i = 0; i < 160; i++) {
      write(channel, spaces, 0, spaces.length);
      assertThat(decoder(channel).bufferedBytes()).isZero();
    }
    write(channel, "[1]");
    assertThat(read(channel)).containsExactly("{}", "[1]");
  }

  // ----------------------------------------------------------------------------------------------- linear time

  private static List<Object> feedOneByteAtATime(int maxMessageBytes, byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(maxMessageBytes));
    List<Object> out = new ArrayList<>();
    try {
      for (int i = 0; i < bytes.length; i++) {
        // Unpooled wrappers keep a million one-byte writes cheap under paranoid leak detection.
        channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, 1));
        if (channel.inboundMessages().size() > 0) {
          out.addAll(read(channel));
        }
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    return out;
  }

  @Test
  void scansAOneMebibyteStringValueFedOneByteAtATimeInLinearTime() {
    String value = "[\"" + "a\\\"[{".repeat(256 * 1024) + "\"]";
    byte[] bytes = value.getBytes(UTF_8);
    List<Object> out = assertTimeoutPreemptively(HANG_GUARD, () -> feedOneByteAtATime(MAX, bytes));
    assertThat(out).containsExactly(value);
  }

  @Test
  void scansAOneMebibyteArrayFedOneByteAtATimeInLinearTime() {
    String value = "[" + "[1],{},".repeat(1024 * 1024 / 7) + "0]";
    byte[] bytes = value.getBytes(UTF_8);
    List<Object> out = assertTimeoutPreemptively(HANG_GUARD, () -> feedOneByteAtATime(MAX, bytes));
    assertThat(out).containsExactly(value);
  }

  @Test
  void tracksOneMebibyteOfNestingFedOneByteAtATimeInLinearTime() {
    byte[] bytes = ("[".repeat(512 * 1024) + "]".repeat(512 * 1024)).getBytes(UTF_8);
    List<Object> out = assertTimeoutPreemptively(HANG_GUARD, () -> feedOneByteAtATime(MAX, bytes));
    assertThat(out).hasSize(1);
    assertThat((String) out.get(0)).hasSize(1024 * 1024);
  }

  @Test
  void rejectsOneMebibyteOfOpenBracketsFedOneByteAtATimeOnceTheLimitIsHit() {
    byte[] bytes = repeat('[', 1024 * 1024);
    List<Object> out = assertTimeoutPreemptively(HANG_GUARD, () -> feedOneByteAtATime(64 * 1024, bytes));
    assertThat(singleError(out).kind()).isEqualTo(FrameError.Kind.TOO_LARGE);
  }
}
