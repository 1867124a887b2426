package io.courier.protocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.TestAbortedException;

/** The codec on bytes alone: decoding per the JSON-RPC 2.0 specification, encoding, and the seed dialect. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonRpcCodecTest {

  private static final ObjectMapper MAPPER = CourierJson.newMapper();
  private static final JsonRpcCodec CODEC = new JsonRpcCodec(MAPPER);

  // ------------------------------------------------------------------------------------------------ helpers

  private static Decoded decode(String text) {
    byte[] bytes = text.getBytes(UTF_8);
    return CODEC.decode(bytes, 0, bytes.length);
  }

  /** Decodes a frame that must hold one message (not a batch) and returns it. */
  private static Message single(String text) {
    Decoded decoded = decode(text);
    assertThat(decoded.batch()).as("batch flag of %s", text).isFalse();
    assertThat(decoded.messages()).as("messages of %s", text).hasSize(1);
    return decoded.messages().get(0);
  }

  private static Request request(String text) {
    Message message = single(text);
    assertThat(message).as("decoded %s", text).isInstanceOf(Request.class);
    return (Request) message;
  }

  private static InvalidMessage invalid(String text, int expectedCode) {
    Message message = single(text);
    assertThat(message).as("decoded %s", text).isInstanceOf(InvalidMessage.class);
    InvalidMessage invalid = (InvalidMessage) message;
    assertThat(invalid.error().code()).as("error code for %s", text).isEqualTo(expectedCode);
    return invalid;
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private interface Writer {
    void write(ByteArrayOutputStream out) throws IOException;
  }

  private static String written(Writer writer) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out);
    return out.toString(UTF_8);
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  // ---------------------------------------------------------------------------------- specification examples

  @Nested
  class SpecificationExamples {

    @Test
    void positionalParamsDecodeAsRequestWithArrayParams() {
      Request r = request("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}");
      assertThat(r.id()).isEqualTo(RequestId.of(1));
      assertThat(r.method()).isEqualTo("subtract");
      assertThat(r.params()).isEqualTo(json("[42, 23]"));
      assertThat(r.isNotification()).isFalse();

      Request r2 = request("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [23, 42], \"id\": 2}");
      assertThat(r2.id().json()).isEqualTo("2");
      assertThat(r2.params()).isEqualTo(json("[23, 42]"));
    }

    @Test
    void namedParamsDecodeAsRequestWithObjectParams() {
      Request r = request(
          "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}");
      assertThat(r.id().json()).isEqualTo("3");
      assertThat(r.method()).isEqualTo("subtract");
      assertThat(r.params()).isEqualTo(json("{\"minuend\": 42, \"subtrahend\": 23}"));

      Request r4 = request(
          "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}");
      assertThat(r4.id().json()).isEqualTo("4");
      assertThat(r4.params().get("minuend").intValue()).isEqualTo(42);
    }

    @Test
    void notificationsDecodeWithNullIdAndAreNotifications() {
      Request update = request("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}");
      assertThat(update.id()).isNull();
      assertThat(update.isNotification()).isTrue();
      assertThat(update.method()).isEqualTo("update");
      assertThat(update.params()).isEqualTo(json("[1,2,3,4,5]"));

      Request foobar = request("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}");
      assertThat(foobar.id()).isNull();
      assertThat(foobar.isNotification()).isTrue();
      assertThat(foobar.params()).isNull();
    }

    @Test
    void anIdOfNullIsARequestWithTheNullIdNotANotification() {
      Request r = request("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": null}");
      assertThat(r.id()).isEqualTo(RequestId.NULL);
      assertThat(r.id().isNull()).isTrue();
      assertThat(r.isNotification()).isFalse();
    }

    @Test
    void aStringIdOfTheNonExistentMethodExampleIsKeptAsAString() {
      Request r = request("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}");
      assertThat(r.id()).isEqualTo(RequestId.of("1"));
      assertThat(r.id().isString()).isTrue();
      assertThat(r.id().json()).isEqualTo("\"1\"");
    }

    @Test
    void theInvalidJsonExampleIsOneParseErrorWithNullId() {
      InvalidMessage m = invalid("{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]",
          RpcError.PARSE_ERROR_CODE);
      assertThat(m.id()).isEqualTo(RequestId.NULL);
      assertThat(m.seed()).isFalse();
    }

    @Test
    void theInvalidRequestObjectExampleIsAnInvalidRequestWithNullId() {
      InvalidMessage m = invalid("{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}",
          RpcError.INVALID_REQUEST_CODE);
      assertThat(m.id()).isEqualTo(RequestId.NULL);
      assertThat(m.error().message()).isEqualTo("Invalid Request");
    }

    @Test
    void theBatchWithInvalidJsonExampleIsOneParseErrorNotABatch() {
      InvalidMessage m = invalid("[ {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
          + "{\"jsonrpc\": \"2.0\", \"method\" ]", RpcError.PARSE_ERROR_CODE);
      assertThat(m.id()).isEqualTo(RequestId.NULL);
    }

    @Test
    void anEmptyArrayIsOneInvalidRequestNotABatch() {
      InvalidMessage m = invalid("[]", RpcError.INVALID_REQUEST_CODE);
      assertThat(m.id()).isEqualTo(RequestId.NULL);
    }

    @Test
    void anArrayHoldingOneNumberIsABatchOfOneInvalidRequest() {
      Decoded d = decode("[1]");
      assertThat(d.batch()).isTrue();
      assertThat(d.messages()).singleElement().isInstanceOfSatisfying(InvalidMessage.class, m -> {
        assertThat(m.error().code()).isEqualTo(RpcError.INVALID_REQUEST_CODE);
        assertThat(m.id()).isEqualTo(RequestId.NULL);
      });
    }

    @Test
    void anArrayOfThreeNumbersIsABatchOfThreeInvalidRequests() {
      Decoded d = decode("[1,2,3]");
      assertThat(d.batch()).isTrue();
      assertThat(d.messages()).hasSize(3).allSatisfy(m -> assertThat(m).isInstanceOfSatisfying(
          InvalidMessage.class, invalid -> {
            assertThat(invalid.error().code()).isEqualTo(RpcError.INVALID_REQUEST_CODE);
            assertThat(invalid.id()).isEqualTo(RequestId.NULL);
          }));
    }

    @Test
    void theMixedBatchExampleDecodesElementByElementInOrder() {
      Decoded d = decode("[\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},\n"
          + "{\"foo\": \"boo\"},\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}\n"
          + "]");
      assertThat(d.batch()).isTrue();
      List<Message> m = d.messages();
      assertThat(m).hasSize(6);
      assertThat(m.get(0)).isEqualTo(new Request(RequestId.of("1"), "sum", json("[1,2,4]")));
      assertThat(m.get(1)).isEqualTo(new Request(null, "notify_hello", json("[7]")));
      assertThat(m.get(2)).isEqualTo(new Request(RequestId.of("2"), "subtract", json("[42,23]")));
      assertThat(m.get(3)).isEqualTo(new InvalidMessage(RequestId.NULL, RpcError.INVALID_REQUEST, false));
      assertThat(m.get(4)).isEqualTo(new Request(RequestId.of("5"), "foo.get", json("{\"name\": \"myself\"}")));
      assertThat(m.get(5)).isEqualTo(new Request(RequestId.of("9"), "get_data", null));
    }

    @Test
    void theAllNotificationsBatchDecodesAsTwoNotifications() {
      Decoded d = decode("[\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]}\n"
          + "]");
      assertThat(d.batch()).isTrue();
      assertThat(d.messages()).hasSize(2).allSatisfy(m -> assertThat(m).isInstanceOfSatisfying(
          Request.class, r -> assertThat(r.isNotification()).isTrue()));
    }
  }

  // ------------------------------------------------------------------------------------------------- ids echo

  @Nested
  class IdsEcho {

    static Stream<String> numericIds() {
      return Stream.of("0", "1", "-1", "-42", "12345678901234567890", "-12345678901234567890", "1.50", "1e3",
          "1E+3", "-0.0", "2.5e-7", "9007199254740993");
    }

    @ParameterizedTest(name = "id {0}")
    @MethodSource("numericIds")
    void aNumericIdEchoesByteForByteInResultsAndErrors(String id) throws IOException {
      Request r = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":" + id + "}");
      assertThat(r.id().json()).isEqualTo(id);

      String result = written(out -> CODEC.writeResult(out, r.id(), "ok"));
      assertThat(result).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"ok\",\"id\":" + id + "}");
      assertThat(json(result).get("id").asText()).isNotEmpty();

      String error = written(out -> CODEC.writeError(out, r.id(), RpcError.METHOD_NOT_FOUND));
      assertThat(error).isEqualTo(
          "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":" + id + "}");
    }

    static Stream<String> stringIds() {
      return Stream.of("\"1\"", "\"\"", "\"abc\"", "\"q\\\"uote\\\\back\\nline\\ttab\"", "\"\\u0001ctl\"",
          "\"测试项\"", "\"emoji 😀\"", "\"escaped \\u00e9\\u6d4b \\ud83d\\ude00\"", "\"slash \\/ x\"");
    }

    @ParameterizedTest(name = "id {0}")
    @MethodSource("stringIds")
    void aStringIdEchoesAsTheSameStringInResultsAndErrors(String id) throws IOException {
      String expected = json(id).textValue();
      Request r = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":" + id + "}");
      assertThat(r.id()).isEqualTo(RequestId.of(expected));
      assertThat(r.id().isString()).isTrue();

      JsonNode result = json(written(out -> CODEC.writeResult(out, r.id(), 7)));
      assertThat(result.get("id").isTextual()).isTrue();
      assertThat(result.get("id").textValue()).isEqualTo(expected);
      assertThat(result.get("result").intValue()).isEqualTo(7);

      JsonNode error = json(written(out -> CODEC.writeError(out, r.id(), RpcError.INTERNAL_ERROR)));
      assertThat(error.get("id").textValue()).isEqualTo(expected);
      assertThat(error.get("error").get("code").intValue()).isEqualTo(-32603);
    }

    @Test
    void aStringIdInCanonicalFormEchoesByteForByte() throws IOException {
      String id = "\"q\\\"uote\\\\back\\nline 测试项 😀\"";
      Request r = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":" + id + "}");
      String result = written(out -> CODEC.writeResult(out, r.id(), null));
      assertThat(result).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":" + id + "}");
    }

    @Test
    void theNullIdEchoesAsNull() throws IOException {
      Request r = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":null}");
      assertThat(written(out -> CODEC.writeResult(out, r.id(), 1)))
          .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":null}");
      assertThat(written(out -> CODEC.writeError(out, r.id(), RpcError.PARSE_ERROR)))
          .isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}");
    }

    @Test
    void anErrorWithDataWritesTheData() throws IOException {
      RpcError error = RpcError.of(1000, "fail: x", json("{\"detail\":[1,\"two\"]}"));
      JsonNode reply = json(written(out -> CODEC.writeError(out, RequestId.of(5), error)));
      assertThat(reply).isEqualTo(json(
          "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1000,\"message\":\"fail: x\",\"data\":{\"detail\":[1,\"two\"]}},"
              + "\"id\":5}"));
    }
  }

  // ---------------------------------------------------------------------------------------- invalid messages

  @Nested
  class InvalidInput {

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {"", "   ", "{", "{\"jsonrpc\": \"2.0\"", "{\"a\" 1}", "nul", "[1,]", "{'a': 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": 1,}", "\"unterminated", "[1, 2"})
    void invalidJsonIsOneParseErrorWithNullId(String text) {
      InvalidMessage m = invalid(text, RpcError.PARSE_ERROR_CODE);
      assertThat(m.id()).isEqualTo(RequestId.NULL);
      assertThat(m.error().message()).isEqualTo("Parse error");
      assertThat(m.seed()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
        "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1} {\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":2}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}x",
        "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1} 1",
        "[1] []",
        "1 2",
        "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}}"})
    void trailingDataAfterTheValueIsAParseError(String text) {
      invalid(text, RpcError.PARSE_ERROR_CODE);
    }

    @Test
    void whitespaceAroundTheValueIsAccepted() {
      Request r = request(" \r\n\t{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}\n \t");
      assertThat(r.method()).isEqualTo("m");
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {"42", "-1.5", "\"a string\"", "true", "false", "null"})
    void validJsonThatIsNotAnObjectIsAnInvalidRequest(String text) {
      InvalidMessage m = invalid(text, RpcError.INVALID_REQUEST_CODE);
      assertThat(m.id()).isEqualTo(RequestId.NULL);
      assertThat(m.error().message()).isEqualTo("Invalid Request");
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
        "{\"method\": \"m\", \"id\": 1}",
        "{\"jsonrpc\": \"1.0\", \"method\": \"m\", \"id\": 1}",
        "{\"jsonrpc\": 2.0, \"method\": \"m\", \"id\": 1}",
        "{\"jsonrpc\": 2, \"method\": \"m\", \"id\": 1}",
        "{\"jsonrpc\": null, \"method\": \"m\", \"id\": 1}",
        "{\"jsonrpc\": \"2.0 \", \"method\": \"m\", \"id\": 1}",
        "{\"jsonrpc\": [\"2.0\"], \"method\": \"m\", \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": 1, \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": null, \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": [\"m\"], \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": {\"name\": \"m\"}, \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": \"bar\", \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": 3, \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": true, \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": null, \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"id\": 1}",
        "{}",
        "{\"foo\": \"boo\"}"})
    void anEnvelopeBreakingTheSpecificationIsAnInvalidRequest(String text) {
      invalid(text, RpcError.INVALID_REQUEST_CODE);
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": {\"a\": 1}}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": {}}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": [1]}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": []}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": true}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": false}"})
    void anIdThatIsAnObjectArrayOrBooleanIsAnInvalidRequestAnsweredWithNullId(String text) {
      InvalidMessage m = invalid(text, RpcError.INVALID_REQUEST_CODE);
      assertThat(m.id()).isEqualTo(RequestId.NULL);
    }

    @Test
    void anInvalidRequestWithAReadableIdIsAnsweredWithThatId() {
      InvalidMessage m = invalid("{\"jsonrpc\": \"2.0\", \"method\": 1, \"id\": 7}", RpcError.INVALID_REQUEST_CODE);
      assertThat(m.id()).isEqualTo(RequestId.of(7));
      InvalidMessage v = invalid("{\"jsonrpc\": \"1.0\", \"method\": \"m\", \"id\": \"x\"}",
          RpcError.INVALID_REQUEST_CODE);
      assertThat(v.id()).isEqualTo(RequestId.of("x"));
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
        "{\"jsonrpc\": \"2.0\", \"method\": \"a\", \"method\": \"b\", \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"a\", \"id\": 1, \"id\": 2}",
        "{\"jsonrpc\": \"2.0\", \"jsonrpc\": \"2.0\", \"method\": \"a\", \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"a\", \"params\": [1], \"params\": [2], \"id\": 1}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"a\", \"method\": \"a\"}"})
    void aDuplicateEnvelopeMemberIsAnInvalidRequestNeverLastKeyWins(String text) {
      Message m = single(text);
      assertThat(m).isInstanceOfSatisfying(InvalidMessage.class,
          invalid -> assertThat(invalid.error().code()).isEqualTo(RpcError.INVALID_REQUEST_CODE));
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
        "{\"jsonrpc\": \"2.0\", \"method\": \"a\", \"id\": 1, \"id\": 2}",
        "{\"jsonrpc\": \"2.0\", \"id\": \"x\", \"method\": \"a\", \"id\": \"x\"}",
        "{\"id\": 7, \"jsonrpc\": \"2.0\", \"method\": \"a\", \"id\": null}"})
    void anIdGivenTwiceIsAnsweredWithANullIdNeitherTheFirstNorTheLast(String text) {
      assertThat(invalid(text, RpcError.INVALID_REQUEST_CODE).id()).isEqualTo(RequestId.NULL);
    }

    @Test
    void anotherMemberGivenTwiceStillEchoesTheOneId() {
      InvalidMessage v = invalid("{\"jsonrpc\": \"2.0\", \"method\": \"a\", \"method\": \"b\", \"id\": 5}",
          RpcError.INVALID_REQUEST_CODE);
      assertThat(v.id()).isEqualTo(RequestId.of(5));
    }

    @Test
    void aDuplicateMethodInsideABatchInvalidatesOnlyThatElement() {
      Decoded d = decode("[{\"jsonrpc\": \"2.0\", \"method\": \"a\", \"method\": \"b\", \"id\": 1},"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"c\", \"id\": 2}]");
      assertThat(d.batch()).isTrue();
      assertThat(d.messages()).hasSize(2);
      assertThat(d.messages().get(0)).isInstanceOf(InvalidMessage.class);
      assertThat(d.messages().get(1)).isEqualTo(new Request(RequestId.of(2), "c", null));
    }

    @Test
    void unknownMembersAreIgnored() {
      Request r = request("{\"jsonrpc\": \"2.0\", \"extra\": {\"deep\": [1, {\"x\": null}]}, \"method\": \"m\","
          + " \"id\": 1, \"more\": \"x\"}");
      assertThat(r).isEqualTo(new Request(RequestId.of(1), "m", null));
    }

    @Test
    void membersMayComeInAnyOrder() {
      Request r = request("{\"id\": 9, \"params\": {\"a\": 1}, \"method\": \"m\", \"jsonrpc\": \"2.0\"}");
      assertThat(r).isEqualTo(new Request(RequestId.of(9), "m", json("{\"a\":1}")));
    }

    @Test
    void batchElementsThatAreNotObjectsAreEachAnInvalidRequest() {
      Decoded d = decode("[1, \"s\", null, [], {\"jsonrpc\": \"2.0\", \"method\": \"m\", \"id\": 1}, [{}]]");
      assertThat(d.batch()).isTrue();
      List<Message> m = d.messages();
      assertThat(m).hasSize(6);
      for (int i : new int[] {0, 1, 2, 3, 5}) {
        assertThat(m.get(i)).as("element %d", i)
            .isEqualTo(new InvalidMessage(RequestId.NULL, RpcError.INVALID_REQUEST, false));
      }
      assertThat(m.get(4)).isEqualTo(new Request(RequestId.of(1), "m", null));
    }
  }

  // ---------------------------------------------------------------------------------------------- responses

  @Nested
  class Responses {

    @Test
    void aResultResponseDecodesAsResponse() {
      Message m = single("{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 1}");
      assertThat(m).isInstanceOfSatisfying(Response.class, r -> {
        assertThat(r.id()).isEqualTo(RequestId.of(1));
        assertThat(r.isError()).isFalse();
        assertThat(r.result()).isEqualTo(json("19"));
        assertThat(r.error()).isNull();
      });
    }

    @Test
    void aNullResultIsAResultNotAnError() {
      Message m = single("{\"jsonrpc\": \"2.0\", \"result\": null, \"id\": \"a\"}");
      assertThat(m).isInstanceOfSatisfying(Response.class, r -> {
        assertThat(r.isError()).isFalse();
        assertThat(r.result().isNull()).isTrue();
        assertThat(r.id()).isEqualTo(RequestId.of("a"));
      });
    }

    @Test
    void anErrorResponseDecodesWithCodeMessageAndData() {
      Message m = single("{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\","
          + " \"data\": {\"method\": \"foobar\", \"n\": [1, 2]}}, \"id\": \"1\"}");
      assertThat(m).isInstanceOfSatisfying(Response.class, r -> {
        assertThat(r.isError()).isTrue();
        assertThat(r.result()).isNull();
        assertThat(r.id()).isEqualTo(RequestId.of("1"));
        assertThat(r.error().code()).isEqualTo(-32601);
        assertThat(r.error().message()).isEqualTo("Method not found");
        assertThat(r.error().data()).isEqualTo(json("{\"method\": \"foobar\", \"n\": [1, 2]}"));
      });
    }

    @Test
    void anErrorResponseWithoutDataHasNoData() {
      Message m = single("{\"jsonrpc\": \"2.0\", \"error\": {\"code\": 1000, \"message\": \"fail: boom\"},"
          + " \"id\": null}");
      assertThat(m).isInstanceOfSatisfying(Response.class, r -> {
        assertThat(r.id()).isEqualTo(RequestId.NULL);
        assertThat(r.error().code()).isEqualTo(1000);
        assertThat(r.error().message()).isEqualTo("fail: boom");
        assertThat(r.error().data()).isNull();
      });
    }

    @Test
    void aResponseWithBothResultAndErrorIsInvalid() {
      invalid("{\"jsonrpc\": \"2.0\", \"result\": 1, \"error\": {\"code\": 1, \"message\": \"x\"}, \"id\": 1}",
          RpcError.INVALID_REQUEST_CODE);
    }

    @Test
    void aResponseWithoutIdIsInvalid() {
      invalid("{\"jsonrpc\": \"2.0\", \"result\": 1}", RpcError.INVALID_REQUEST_CODE);
    }

    @Test
    void aResponseWrittenByTheCodecDecodesBackToTheSameResponse() throws IOException {
      String text = written(out -> CODEC.writeResult(out, RequestId.of("r-1"), List.of("hello", 5)));
      assertThat(single(text)).isEqualTo(new Response(RequestId.of("r-1"), json("[\"hello\",5]"), null));
    }
  }

  // -------------------------------------------------------------------------------------------- seed dialect

  @Nested
  class SeedDialect {

    @Test
    void theTutorialsCallDecodesAsSeedRequest() {
      Message m = single("{\"method_name\": \"test\", \"method_args\": [\"\\u6d4b\\u8bd5\\u9879\"],"
          + " \"method_kwargs\": {\"kw1\": \"1\"}}");
      assertThat(m).isEqualTo(new SeedRequest("test", (com.fasterxml.jackson.databind.node.ArrayNode)
          json("[\"测试项\"]"), (com.fasterxml.jackson.databind.node.ObjectNode) json("{\"kw1\": \"1\"}")));
    }

    @Test
    void absentArgsAndKwargsDefaultToEmpty() {
      Message m = single("{\"method_name\": \"test\"}");
      assertThat(m).isInstanceOfSatisfying(SeedRequest.class, s -> {
        assertThat(s.method()).isEqualTo("test");
        assertThat(s.args()).isEmpty();
        assertThat(s.kwargs()).isEmpty();
      });
    }

    @Test
    void nullArgsAndKwargsDefaultToEmpty() {
      Message m = single("{\"method_name\": \"test\", \"method_args\": null, \"method_kwargs\": null}");
      assertThat(m).isInstanceOfSatisfying(SeedRequest.class, s -> {
        assertThat(s.args()).isEqualTo(JsonNodeFactory.instance.arrayNode());
        assertThat(s.kwargs()).isEqualTo(JsonNodeFactory.instance.objectNode());
      });
    }

    @Test
    void onlyArgsOrOnlyKwargsAreKept() {
      assertThat(single("{\"method_name\": \"f\", \"method_args\": [1, 2]}")).isInstanceOfSatisfying(
          SeedRequest.class, s -> {
            assertThat(s.args()).isEqualTo(json("[1, 2]"));
            assertThat(s.kwargs()).isEmpty();
          });
      assertThat(single("{\"method_kwargs\": {\"a\": true}, \"method_name\": \"f\"}")).isInstanceOfSatisfying(
          SeedRequest.class, s -> {
            assertThat(s.args()).isEmpty();
            assertThat(s.kwargs()).isEqualTo(json("{\"a\": true}"));
          });
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
        "{\"method_name\": 5}",
        "{\"method_name\": null}",
        "{\"method_name\": [\"test\"]}",
        "{\"method_name\": \"test\", \"method_args\": \"x\"}",
        "{\"method_name\": \"test\", \"method_args\": {\"a\": 1}}",
        "{\"method_name\": \"test\", \"method_args\": 1}",
        "{\"method_name\": \"test\", \"method_kwargs\": [1]}",
        "{\"method_name\": \"test\", \"method_kwargs\": \"k\"}",
        "{\"method_name\": \"test\", \"method_kwargs\": false}",
        "{\"method_name\": \"a\", \"method_name\": \"b\"}",
        "{\"method_name\": \"a\", \"method_args\": [], \"method_args\": [1]}"})
    void aMalformedSeedCallIsAnInvalidSeedMessage(String text) {
      InvalidMessage m = invalid(text, RpcError.INVALID_REQUEST_CODE);
      assertThat(m.seed()).isTrue();
      assertThat(m.id()).isEqualTo(RequestId.NULL);
    }

    @Test
    void aMessageWithJsonrpcAndMethodNameIsJudgedAsJsonRpc() {
      Message m = single("{\"jsonrpc\": \"2.0\", \"method_name\": \"test\", \"id\": 1}");
      assertThat(m).isInstanceOfSatisfying(InvalidMessage.class, invalid -> {
        assertThat(invalid.seed()).isFalse();
        assertThat(invalid.error().code()).isEqualTo(RpcError.INVALID_REQUEST_CODE);
      });
    }

    @Test
    void aSeedErrorIsWrittenInPythonsStyle() throws IOException {
      assertThat(written(out -> CODEC.writeSeedError(out, RpcError.METHOD_NOT_FOUND)))
          .isEqualTo("{\"error\": {\"code\": -32601, \"message\": \"Method not found\"}}");
    }

    @Test
    void aNonFiniteSeedResultThatTheServerWritesInPythonsStyleIsReadBackByTheSeedClient() throws IOException {
      // Python's json.dumps writes NaN and Infinity, and its json.loads reads them back; so must Courier.
      for (double value : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CODEC.writeSeedResult(out, value);
        byte[] bytes = out.toByteArray();
        Response r = CODEC.decodeSeedReply(RequestId.of(1), bytes, 0, bytes.length);
        assertThat(r.isError()).as("decoding %s: %s", out.toString(US_ASCII), r.error()).isFalse();
        assertThat(Double.valueOf(r.result().doubleValue())).isEqualTo(Double.valueOf(value));
      }
    }

    @Test
    void aSeedReplyDecodesIntoAResponse() {
      byte[] reply = "{\"res\": \"the test function has been called\"}".getBytes(US_ASCII);
      Response r = CODEC.decodeSeedReply(RequestId.of(1), reply, 0, reply.length);
      assertThat(r.isError()).isFalse();
      assertThat(r.result().textValue()).isEqualTo("the test function has been called");

      byte[] error = "{\"error\": {\"code\": -32601, \"message\": \"Method not found\"}}".getBytes(US_ASCII);
      Response e = CODEC.decodeSeedReply(RequestId.of(2), error, 0, error.length);
      assertThat(e.isError()).isTrue();
      assertThat(e.error().code()).isEqualTo(-32601);

      byte[] garbage = "not json".getBytes(US_ASCII);
      assertThat(CODEC.decodeSeedReply(RequestId.of(3), garbage, 0, garbage.length).isError()).isTrue();
    }
  }

  // ------------------------------------------------------------------------------------------------- limits

  @Nested
  class LargeStrings {

    private final String big = "p".repeat(64 * 1024);

    @Test
    void aLongPlainParamOrIdOrMethodIsReadWhole() {
      String longId = "i".repeat(JsonRpcCodec.MAX_ID_CHARS); // the longest id, still long enough to be cut
      String longMethod = "m".repeat(2000);
      Request r = request("{\"jsonrpc\":\"2.0\",\"method\":\"" + longMethod + "\",\"params\":[\"" + big
          + "\", {\"k\": \"" + big + "\"}],\"id\":\"" + longId + "\"}");

      assertThat(r.method()).isEqualTo(longMethod);
      assertThat(r.id()).isEqualTo(RequestId.of(longId));
      assertThat(r.params()).isEqualTo(json("[\"" + big + "\", {\"k\": \"" + big + "\"}]"));
    }

    @Test
    void aLongResultInAResponseAndInABatchIsReadWhole() {
      Message message = single("{\"jsonrpc\":\"2.0\",\"result\":\"" + big + "\",\"id\":7}");
      assertThat(message).isInstanceOfSatisfying(Response.class,
          r -> assertThat(r.result().textValue()).isEqualTo(big));

      Decoded batch = decode("[{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":[\"" + big + "\"],\"id\":1},"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"b\",\"params\":[\"" + big + "x\"],\"id\":2}]");
      assertThat(batch.messages()).extracting(m -> ((Request) m).params().get(0).textValue())
          .containsExactly(big, big + "x");
    }

    @Test
    void aDuplicateMemberAfterALongStringIsStillAnInvalidRequest() {
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[\"" + big + "\"],\"method\":\"n\",\"id\":1}",
          RpcError.INVALID_REQUEST_CODE);
    }

    @Test
    void brokenJsonAroundALongStringIsStillAParseError() {
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[\"" + big + "\" \"x\"],\"id\":1}",
          RpcError.PARSE_ERROR_CODE);
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[\"" + big + "\"],\"id\":1} trailing",
          RpcError.PARSE_ERROR_CODE);
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[\"" + big + "\u0001\"],\"id\":1}",
          RpcError.PARSE_ERROR_CODE);
    }

    @Test
    void theFramingScansStringsGiveTheSameMessageAndWrongOnesAreLoggedAndIgnored() {
      String text = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[\"" + big + "\"],\"id\":1}";
      byte[] bytes = text.getBytes(UTF_8);
      int start = text.indexOf(big);
      Decoded expected = CODEC.decode(bytes, 0, bytes.length);

      assertThat(CODEC.decode(bytes, 0, bytes.length, new int[] {start, start + big.length()})).isEqualTo(expected);
      assertThat(CODEC.decode(bytes, 0, bytes.length, new int[0])).isEqualTo(expected);
      try (LogCapture log = new LogCapture()) {
        assertThat(CODEC.decode(bytes, 0, bytes.length, new int[] {start + 1, start + big.length()}))
            .isEqualTo(expected);
        assertThat(log.lines("Ignoring the framing scan's plain strings")).isEqualTo(1);
      }
    }

    @Test
    void invalidUtf8InALongStringIsStillAParseError() {
      byte[] bytes = ("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[\"" + big + "\"],\"id\":1}")
          .getBytes(UTF_8);
      bytes[100] = (byte) 0xff;
      assertThat(CODEC.decode(bytes, 0, bytes.length).messages()).singleElement()
          .isInstanceOfSatisfying(InvalidMessage.class,
              m -> assertThat(m.error().code()).isEqualTo(RpcError.PARSE_ERROR_CODE));
    }
  }

  @Nested
  class Limits {

    @Test
    void aStringIdOfUpToMaxIdCharsIsKeptAndALongerOneIsAnInvalidRequestWithNullId() {
      String longest = "i".repeat(JsonRpcCodec.MAX_ID_CHARS);
      assertThat(request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":\"" + longest + "\"}").id())
          .isEqualTo(RequestId.of(longest));
      // Long enough to be cut out of a large frame's skeleton, which must tell the same length.
      for (int length : new int[] {JsonRpcCodec.MAX_ID_CHARS + 1, 64 * 1024}) {
        InvalidMessage m = invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":\"" + "i".repeat(length) + "\"}",
            RpcError.INVALID_REQUEST_CODE);
        assertThat(m.id()).isEqualTo(RequestId.NULL);
        assertThat(m.error().message()).contains("id longer than " + JsonRpcCodec.MAX_ID_CHARS);
      }
    }

    @Test
    void nestingDeeperThan256IsAParseError() {
      // The envelope object is one level; params add the rest.
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":" + nested(256) + ",\"id\":1}",
          RpcError.PARSE_ERROR_CODE);
      invalid(nested(257), RpcError.PARSE_ERROR_CODE);
    }

    @Test
    void nestingOfExactly256IsAccepted() {
      Request r = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":" + nested(255) + ",\"id\":1}");
      assertThat(r.method()).isEqualTo("m");
    }

    @Test
    void enormousNestingIsAParseErrorWithoutStackOverflow() {
      String deepArrays = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":" + nested(200_000) + ",\"id\":1}";
      invalid(deepArrays, RpcError.PARSE_ERROR_CODE);
      String deepObjects = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"a\":" + "{\"a\":".repeat(100_000)
          + "1" + "}".repeat(100_001) + ",\"id\":1}";
      invalid(deepObjects, RpcError.PARSE_ERROR_CODE);
      invalid("[".repeat(500_000), RpcError.PARSE_ERROR_CODE);
      // Deep nesting in members the codec skips or reads as trees is bounded too.
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"extra\":" + nested(100_000) + ",\"id\":1}",
          RpcError.PARSE_ERROR_CODE);
      invalid("{\"jsonrpc\":\"2.0\",\"result\":" + nested(100_000) + ",\"id\":1}", RpcError.PARSE_ERROR_CODE);
      invalid("{\"method_name\":\"m\",\"method_args\":" + nested(100_000) + "}", RpcError.PARSE_ERROR_CODE);
    }

    @Test
    void aNumberLiteralLongerThan1000DigitsInParamsIsAParseError() {
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[" + "9".repeat(1001) + "],\"id\":1}",
          RpcError.PARSE_ERROR_CODE);
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"x\":1." + "5".repeat(5000) + "},\"id\":1}",
          RpcError.PARSE_ERROR_CODE);
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[1],\"id\":" + "7".repeat(100_000) + "}",
          RpcError.PARSE_ERROR_CODE);
    }

    @Test
    void aNumberLiteralOf1000DigitsIsAccepted() {
      String digits = "1" + "0".repeat(999);
      Request r = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[" + digits + "],\"id\":1}");
      assertThat(r.params().get(0).bigIntegerValue()).isEqualTo(new BigInteger(digits));
    }
  }

  // ------------------------------------------------------------------------------------------------ requests

  @Nested
  class WritingRequests {

    @Test
    void positionalParamsFromAnArrayAreWrittenAsAJsonArray() throws IOException {
      String text = written(out -> CODEC.writeRequest(out, RequestId.of(1), "subtract", new Object[] {42, 23}));
      assertThat(json(text)).isEqualTo(
          json("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}"));
      assertThat(single(text)).isEqualTo(new Request(RequestId.of(1), "subtract", json("[42, 23]")));
    }

    @Test
    void positionalParamsFromAListWithNullsAndNestingAreWrittenAsAJsonArray() throws IOException {
      List<Object> params = Arrays.asList("a", null, List.of(1, 2), Map.of("k", "v"), 1.5, true);
      String text = written(out -> CODEC.writeRequest(out, RequestId.of("x"), "m", params));
      assertThat(single(text)).isEqualTo(
          new Request(RequestId.of("x"), "m", json("[\"a\", null, [1, 2], {\"k\": \"v\"}, 1.5, true]")));
      Object[] array = {null};
      String one = written(out -> CODEC.writeRequest(out, RequestId.of(2), "m", array));
      assertThat(single(one)).isEqualTo(new Request(RequestId.of(2), "m", json("[null]")));
    }

    @Test
    void namedParamsAreWrittenAsAJsonObject() throws IOException {
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("subtrahend", 23);
      params.put("minuend", 42);
      String text = written(out -> CODEC.writeRequest(out, RequestId.of(3), "subtract", params));
      assertThat(json(text)).isEqualTo(json(
          "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42},"
              + " \"id\": 3}"));
    }

    @Test
    void noParamsLeavesParamsOut() throws IOException {
      String text = written(out -> CODEC.writeRequest(out, RequestId.of("9"), "get_data", null));
      assertThat(json(text)).isEqualTo(json("{\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}"));
      assertThat(json(text).has("params")).isFalse();
    }

    @Test
    void aNullIdWritesANotificationWithoutId() throws IOException {
      String text = written(out -> CODEC.writeRequest(out, null, "update", new Object[] {1, 2, 3, 4, 5}));
      assertThat(json(text)).isEqualTo(
          json("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}"));
      assertThat(request(text).isNotification()).isTrue();
    }

    @Test
    void aMethodNameNeedingEscapesIsWrittenAsValidJson() throws IOException {
      String method = "we\"ird\\name\n测试项";
      String text = written(out -> CODEC.writeRequest(out, RequestId.NULL, method, List.of()));
      Request r = request(text);
      assertThat(r.method()).isEqualTo(method);
      assertThat(r.id()).isEqualTo(RequestId.NULL);
      assertThat(r.params()).isEqualTo(json("[]"));
    }
  }

  // ------------------------------------------------------------------------------- seed bytes against Python

  /**
   * {@code writeSeedResult} promises Python's {@code json.dumps({"res": value})} byte for byte. Each case pairs
   * a Java value with the Python expression of the same value; python3 itself produces the expected bytes.
   */
  @Nested
  class SeedBytesAgainstPython {

    private static final List<Object[]> CASES = new ArrayList<>();

    private static void add(String name, Object javaValue, String pythonExpression) {
      CASES.add(new Object[] {name, javaValue, pythonExpression});
    }

    static {
      add("the tutorial's result", "the test function has been called", "'the test function has been called'");
      add("non-ASCII 测试项", "测试项", "'\\u6d4b\\u8bd5\\u9879'");
      add("emoji outside the BMP", "smile 😀!", "'smile \\U0001F600!'");
      add("quotes, backslashes, slash", "q\"b\\s/'", "'q\"b\\\\s/\\''");
      add("control characters", "\n\r\t\b\f\u0000\u0001\u001f\u007f\u0080\u00ff",
          "'\\n\\r\\t\\b\\f\\x00\\x01\\x1f\\x7f\\x80\\xff'");
      add("line and paragraph separators", "\u2028\u2029\ufeff", "'\\u2028\\u2029\\ufeff'");
      add("a lone surrogate", "\ud800", "'\\ud800'");
      add("empty string", "", "''");
      add("zero", 0, "0");
      add("negative int", -7, "-7");
      add("2^53 + 1", 9007199254740993L, "9007199254740993");
      add("long max", Long.MAX_VALUE, "9223372036854775807");
      add("long min", Long.MIN_VALUE, "-9223372036854775808");
      add("big integer", new BigInteger("1" + "0".repeat(30)), "10**30");
      add("0.1", 0.1, "0.1");
      add("0.1 + 0.2", 0.1 + 0.2, "0.1 + 0.2");
      add("1.5", 1.5, "1.5");
      add("100.0", 100.0, "100.0");
      add("123456789.0", 123456789.0, "123456789.0");
      add("1e15", 1e15, "1e15");
      add("1e16", 1e16, "1e16");
      add("1.5e16", 1.5e16, "1.5e16");
      add("1e22", 1e22, "1e22");
      add("1e23", 1e23, "1e23");
      add("1e-4", 1e-4, "1e-4");
      add("1e-5", 1e-5, "1e-5");
      add("-2.5e-7", -2.5e-7, "-2.5e-7");
      add("123456789012345680.0", 123456789012345680.0, "123456789012345680.0");
      add("max double", Double.MAX_VALUE, "1.7976931348623157e308");
      add("min normal double", Double.MIN_NORMAL, "2.2250738585072014e-308");
      add("min subnormal double 5e-324", Double.MIN_VALUE, "5e-324");
      add("2.82879384806159e17", 2.82879384806159e17, "2.82879384806159e17");
      add("8.41e21", 8.41e21, "8.41e21");
      add("2e-3", 2e-3, "2e-3");
      add("negative zero", -0.0, "-0.0");
      add("NaN", Double.NaN, "float('nan')");
      add("infinity", Double.POSITIVE_INFINITY, "float('inf')");
      add("negative infinity", Double.NEGATIVE_INFINITY, "float('-inf')");
      add("true", true, "True");
      add("false", false, "False");
      add("null", null, "None");
      add("empty list", List.of(), "[]");
      add("empty dict", Map.of(), "{}");
      add("list of mixed values", Arrays.asList(1, "a", 2.5, null, true, List.of()),
          "[1, 'a', 2.5, None, True, []]");
      Map<String, Object> inner = new LinkedHashMap<>();
      inner.put("b", Arrays.asList(1, Map.of("c", "\u00e9")));
      inner.put("z", null);
      Map<String, Object> outer = new LinkedHashMap<>();
      outer.put("a", inner);
      outer.put("é 测", false);
      outer.put("k\"ey", 0.5);
      add("nested dicts", outer, "{'a': {'b': [1, {'c': '\\xe9'}], 'z': None}, '\\xe9 \\u6d4b': False, 'k\"ey': 0.5}");
      add("the demo's get_data", List.of("hello", 5), "['hello', 5]");
    }

    private static List<String> pythonOutput;

    @BeforeAll
    static void runPython() throws Exception {
      StringBuilder script = new StringBuilder("import json, sys\nvals = [\n");
      for (Object[] c : CASES) {
        script.append("  ").append(c[2]).append(",\n");
      }
      script.append("]\nsys.stdout.write('\\n'.join(json.dumps({'res': v}) for v in vals))\n");
      pythonOutput = List.of(runPythonScript(script.toString()).split("\n", -1));
      assertThat(pythonOutput).hasSize(CASES.size());
    }

    static Stream<Arguments> cases() {
      List<Arguments> args = new ArrayList<>();
      for (int i = 0; i < CASES.size(); i++) {
        args.add(Arguments.of(CASES.get(i)[0], i));
      }
      return args.stream();
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @MethodSource("cases")
    void writeSeedResultMatchesPythonsJsonDumpsByteForByte(String name, int index) throws IOException {
      Object value = CASES.get(index)[1];
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CODEC.writeSeedResult(out, value);
      assertThat(out.toString(US_ASCII)).as("Courier's bytes for %s", name).isEqualTo(pythonOutput.get(index));
    }

    @Test
    void writeSeedRequestMatchesThePythonClientsBytes() throws Exception {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Map<String, Object> kwargs = new LinkedHashMap<>();
      kwargs.put("kw1", "1");
      kwargs.put("n", 2.0);
      CODEC.writeSeedRequest(out, "test", List.of("测试项", 3), kwargs);
      String expected = runPythonScript("import json, sys\n"
          + "sys.stdout.write(json.dumps({'method_name': 'test', 'method_args': ('\\u6d4b\\u8bd5\\u9879', 3),"
          + " 'method_kwargs': {'kw1': '1', 'n': 2.0}}))\n");
      assertThat(out.toString(US_ASCII)).isEqualTo(expected);
    }
  }

  /** Runs a Python script (ASCII source) and returns its standard output; aborts the test when python3 is absent. */
  static String runPythonScript(String script) throws Exception {
    Path file = Files.createTempFile("courier-codec-test", ".py");
    try {
      Files.writeString(file, script, US_ASCII);
      Process process;
      try {
        process = new ProcessBuilder("python3", file.toString()).redirectErrorStream(false).start();
      } catch (IOException e) {
        throw new TestAbortedException("python3 is not available: " + e.getMessage());
      }
      try (InputStream stdout = process.getInputStream(); InputStream stderr = process.getErrorStream()) {
        process.getOutputStream().close();
        byte[] out = stdout.readAllBytes();
        byte[] err = stderr.readAllBytes();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("python3 finished").isTrue();
        assertThat(process.exitValue()).as("python3 exit status; stderr: %s", new String(err, UTF_8)).isZero();
        return new String(out, UTF_8);
      } finally {
        process.destroyForcibly();
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  // ------------------------------------------------------------------------------------ numbers in magnitude

  /** Numbers short in text but huge in scale: refused before anything is computed with them. */
  @Nested
  class NumberScale {

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
        "{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1e100000000, 1], \"id\": 3}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1e10000], \"id\": 3}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1E-10000], \"id\": 3}",
        "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": {\"a\": {\"b\": [[2.5e-20000]]}}, \"id\": 3}",
        "{\"jsonrpc\": \"2.0\", \"params\": [{\"x\": -7e99999}], \"method\": \"m\", \"id\": 3}",
        "{\"id\": 3, \"params\": [1e100000], \"jsonrpc\": \"2.0\", \"method\": \"m\"}"})
    void aDecimalBeyondTheScaleBoundMakesInvalidParamsAnsweredWithTheRequestsId(String text) {
      InvalidMessage v = invalid(text, RpcError.INVALID_PARAMS_CODE);
      assertThat(v.id()).isEqualTo(RequestId.of(3));
      assertThat(v.error().data().asText()).contains("9999");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"1e9999", "1e-9999", "-9.5e9998", "123.456", "100000000000000000000000000000.5e-9000"})
    void decimalsWithinTheBoundAreRead(String number) {
      Request r = request("{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": [" + number + "], \"id\": 1}");
      assertThat(r.params().get(0).isNumber()).isTrue();
    }

    @Test
    void theBoundIsConfigurable() {
      JsonRpcCodec strict = new JsonRpcCodec(MAPPER, 10);
      byte[] ok = "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": [1e10], \"id\": 1}".getBytes(UTF_8);
      byte[] over = "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": [1e11], \"id\": 1}".getBytes(UTF_8);
      assertThat(strict.decode(ok, 0, ok.length).messages().get(0)).isInstanceOf(Request.class);
      assertThat(strict.decode(over, 0, over.length).messages().get(0)).isInstanceOfSatisfying(InvalidMessage.class,
          m -> assertThat(m.error().code()).isEqualTo(RpcError.INVALID_PARAMS_CODE));
    }

    @Test
    void aNotificationWithSuchANumberIsAParseErrorSinceInvalidParamsAreNotAnsweredToNotifications() {
      InvalidMessage v = invalid("{\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1e100000000]}",
          RpcError.PARSE_ERROR_CODE);
      assertThat(v.id()).isEqualTo(RequestId.NULL);
    }

    @Test
    void inABatchOnlyTheElementHoldingTheNumberIsInvalid() {
      Decoded d = decode("[{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": [1e100000000], \"id\": 1},"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"m\", \"params\": [1.5], \"id\": 2}]");
      assertThat(d.messages()).hasSize(2);
      assertThat(d.messages().get(0)).isInstanceOfSatisfying(InvalidMessage.class,
          m -> assertThat(m.error().code()).isEqualTo(RpcError.INVALID_PARAMS_CODE));
      assertThat(d.messages().get(1)).isInstanceOf(Request.class);
    }

    @Test
    void aSeedCallWithSuchANumberIsAnsweredInTheSeedDialect() {
      InvalidMessage v = invalid("{\"method_name\": \"sum\", \"method_args\": [1e100000000], \"method_kwargs\": {}}",
          RpcError.INVALID_PARAMS_CODE);
      assertThat(v.seed()).isTrue();
      invalid("{\"method_name\": \"sum\", \"method_args\": [], \"method_kwargs\": {\"x\": 1e-100000000}}",
          RpcError.INVALID_PARAMS_CODE);
    }

    @Test
    void aReplyHoldingSuchANumberFailsItsCallWithAParseError() {
      Message m = single("{\"jsonrpc\": \"2.0\", \"result\": [1, 1e100000000], \"id\": 4}");
      assertThat(m).isInstanceOfSatisfying(Response.class, r -> {
        assertThat(r.id()).isEqualTo(RequestId.of(4));
        assertThat(r.error().code()).isEqualTo(RpcError.PARSE_ERROR_CODE);
      });
      byte[] seed = "{\"res\": 1e100000000}".getBytes(UTF_8);
      assertThat(CODEC.decodeSeedReply(RequestId.of(5), seed, 0, seed.length).error().code())
          .isEqualTo(RpcError.PARSE_ERROR_CODE);
    }
  }

  @Nested
  class PerCallMetadata {

    @Test
    void metaMemberIsReadIntoTheRequest() {
      Request request = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1,"
          + "\"meta\":{\"traceparent\":\"00-abc-def-01\",\"tenant\":\"acme\"}}");
      assertThat(request.meta()).containsExactly(Map.entry("traceparent", "00-abc-def-01"),
          Map.entry("tenant", "acme"));
    }

    @Test
    void requestWithoutMetaHasNone() {
      assertThat(request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}").meta()).isNull();
      assertThat(request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1,\"meta\":{}}").meta()).isNull();
    }

    @Test
    void malformedMetaIsIgnoredAsAWholeAndTheCallStillGoes() {
      String longValue = "v".repeat(JsonRpcCodec.MAX_META_VALUE_CHARS + 1);
      StringBuilder tooMany = new StringBuilder("{");
      for (int i = 0; i <= JsonRpcCodec.MAX_META_ENTRIES; i++) {
        tooMany.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
      }
      tooMany.append('}');
      for (String meta : List.of("[\"a\"]", "\"text\"", "7", "{\"a\":1}", "{\"a\":\"x\",\"b\":{\"c\":\"d\"}}",
          "{\"\":\"x\"}", "{\"" + "n".repeat(JsonRpcCodec.MAX_META_NAME_CHARS + 1) + "\":\"x\"}",
          "{\"a\":\"" + longValue + "\"}", tooMany.toString())) {
        Request request = request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[1],\"id\":1,\"meta\":"
            + meta + "}");
        assertThat(request.meta()).as("meta %s", meta.length() > 60 ? meta.substring(0, 60) : meta).isNull();
        assertThat(request.params()).isEqualTo(json("[1]"));
      }
    }

    @Test
    void metaAtItsLimitsIsKept() {
      StringBuilder full = new StringBuilder("{");
      for (int i = 0; i < JsonRpcCodec.MAX_META_ENTRIES; i++) {
        full.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
      }
      full.append('}');
      assertThat(request("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1,\"meta\":" + full + "}").meta())
          .hasSize(JsonRpcCodec.MAX_META_ENTRIES);
    }

    @Test
    void metaGivenTwiceIsAnInvalidRequestLikeAnyDuplicateMember() {
      invalid("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1,\"meta\":{},\"meta\":{}}",
          RpcError.INVALID_REQUEST_CODE);
    }

    @Test
    void writtenMetaReadsBackBesideTheTimeout() throws IOException {
      String text = written(out -> CODEC.writeRequest(out, RequestId.of(3), "m", new Object[] {1}, 250,
          Map.of("traceparent", "00-1-2-01")));
      assertThat(json(text)).isEqualTo(json("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[1],\"id\":3,"
          + "\"timeout_ms\":250,\"meta\":{\"traceparent\":\"00-1-2-01\"}}"));
      Request back = request(text);
      assertThat(back.meta()).containsEntry("traceparent", "00-1-2-01");
      assertThat(back.timeoutMs()).isEqualTo(250);
    }

    @Test
    void noMetaIsWrittenWhenThereIsNone() throws IOException {
      assertThat(written(out -> CODEC.writeRequest(out, RequestId.of(3), "m", null, -1, Map.of())))
          .doesNotContain("meta");
      assertThat(written(out -> CODEC.writeRequest(out, RequestId.of(3), "m", null, -1, null)))
          .doesNotContain("meta");
    }
  }
}
