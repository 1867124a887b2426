package io.courier.examples.demo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.server.RpcServer;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example of section 7 of the JSON-RPC 2.0 specification, sent verbatim to the demo server over a raw
 * socket on each framing the server accepts, posted over HTTP and sent over WebSocket; and the demo's own
 * methods.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpecExamplesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a read may block before the test calls it a hang. */
  private static final int READ_TIMEOUT_MS = 10_000;
  /** How long to listen for a reply that must not come. */
  private static final int SILENCE_MS = 300;

  /** One example: what is sent, and what must come back ({@code null}: nothing at all). */
  record Example(String name, String request, String response) {
    boolean silent() {
      return response == null;
    }

    /** Whether the request is valid JSON, so that it can be concatenated with others. */
    boolean validJson() {
      try {
        JSON.readTree(request);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Example> EXAMPLES = List.of(
      new Example("positional params 1",
          "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}",
          "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 1}"),
      new Example("positional params 2",
          "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [23, 42], \"id\": 2}",
          "{\"jsonrpc\": \"2.0\", \"result\": -19, \"id\": 2}"),
      new Example("named params 1",
          "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}",
          "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 3}"),
      new Example("named params 2",
          "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}",
          "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 4}"),
      new Example("notification update",
          "{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}",
          null),
      new Example("notification foobar",
          "{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}",
          null),
      new Example("non-existent method",
          "{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}",
          "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"1\"}"),
      new Example("invalid JSON",
          "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]",
          "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}"),
      new Example("invalid Request object",
          "{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}",
          "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}"),
      new Example("batch, invalid JSON",
          "[ {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
              + " {\"jsonrpc\": \"2.0\", \"method\" ]",
          "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}"),
      new Example("empty Array",
          "[]",
          "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}"),
      new Example("invalid batch (but not empty)",
          "[1]",
          "[ {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null} ]"),
      new Example("invalid Batch",
          "[1,2,3]",
          "[ {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null},"
              + " {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null},"
              + " {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null} ]"),
      new Example("batch",
          "[ {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
              + " {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},"
              + " {\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},"
              + " {\"foo\": \"boo\"},"
              + " {\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},"
              + " {\"jsonrpc\": \"2.0\", \"method\": \"get_data\",  \"id\": \"9\"} ]",
          "[ {\"jsonrpc\": \"2.0\", \"result\": 7, \"id\": \"1\"},"
              + " {\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": \"2\"},"
              + " {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null},"
              + " {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"5\"},"
              + " {\"jsonrpc\": \"2.0\", \"result\": [\"hello\", 5], \"id\": \"9\"} ]"),
      new Example("batch (all notifications)",
          "[ {\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},"
              + " {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]} ]",
          null));

  /** A request sent after a silent example: its reply proves the server sent nothing before it. */
  private static final String PROBE = "{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [40, 2], \"id\": \"probe\"}";
  private static final String PROBE_REPLY = "{\"jsonrpc\": \"2.0\", \"result\": 42, \"id\": \"probe\"}";

  private static RpcServer server;

  @BeforeAll
  static void startServer() {
    server = DemoServer.builder().host("127.0.0.1").port(0).build().start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  static Stream<Example> examples() {
    return EXAMPLES.stream();
  }

  // ------------------------------------------------------------------------------------------ newline framing

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void eachSpecificationExampleSentAsOneLineGetsTheSpecifiedReply(Example example) throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      peer.write(example.request() + "\n");
      if (example.silent()) {
        peer.assertSilentLine();
        peer.write(PROBE + "\n");
        assertSameJson(PROBE_REPLY, peer.readLine());
      } else {
        assertSameJson(example.response(), peer.readLine());
        peer.assertSilentLine();
      }
    }
  }

  // ----------------------------------------------------------------------------------- HTTP and WebSocket

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void eachSpecificationExamplePostedOverHttpGetsTheSpecifiedReply(Example example) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/rpc"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofMillis(READ_TIMEOUT_MS))
        .POST(HttpRequest.BodyPublishers.ofString(example.request()))
        .build(), HttpResponse.BodyHandlers.ofString());

    if (example.silent()) {
      assertThat(reply.statusCode()).as("status").isEqualTo(204);
      assertThat(reply.body()).isEmpty();
    } else {
      assertThat(reply.statusCode()).as("status").isEqualTo(200);
      assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
      assertSameJson(example.response(), reply.body());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void eachSpecificationExampleSentOverWebSocketGetsTheSpecifiedReply(Example example) throws Exception {
    BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              replies.add(text.toString());
              text.setLength(0);
            }
            ws.request(1);
            return null;
          }
        })
        .get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    try {
      socket.sendText(example.request(), true).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (example.silent()) {
        assertThat(replies.poll(SILENCE_MS, TimeUnit.MILLISECONDS)).as("a reply to a notification").isNull();
        socket.sendText(PROBE, true).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertSameJson(PROBE_REPLY, replies.poll(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS));
      } else {
        assertSameJson(example.response(), replies.poll(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS));
        assertThat(replies.poll(SILENCE_MS, TimeUnit.MILLISECONDS)).as("a second reply").isNull();
      }
    } finally {
      socket.abort();
    }
  }

  @Test
  void allSpecificationExamplesInTurnOnOneConnectionGetTheSpecifiedReplies() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      for (Example example : EXAMPLES) {
        peer.write(example.request() + "\n");
        if (example.silent()) {
          peer.write(PROBE + "\n");
          assertSameJson(PROBE_REPLY, peer.readLine(), example.name());
        } else {
          assertSameJson(example.response(), peer.readLine(), example.name());
        }
      }
      peer.assertSilentLine();
    }
  }

  @Test
  void examplesSeparatedByCarriageReturnLineFeedGetTheSpecifiedReplies() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      for (Example example : EXAMPLES) {
        if (!example.silent()) {
          peer.write(example.request() + "\r\n");
          assertSameJson(example.response(), peer.readLine(), example.name());
        }
      }
    }
  }

  @Test
  void theBatchExamplesPrintedOverSeveralLinesAsInTheSpecificationGetTheSpecifiedReplies() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      for (Example example : EXAMPLES) {
        if (!example.request().startsWith("[ ")) {
          continue;
        }
        String multiLine = example.request().replace("[ {", "[\n  {").replace("}, {", "},\n  {")
            .replace(" ]", "\n]");
        assertThat(multiLine).contains("\n  {");
        peer.write(multiLine + "\n");
        if (example.silent()) {
          peer.assertSilent();
          peer.write(PROBE + "\n");
          assertSameJson(PROBE_REPLY, peer.readLine(), example.name());
        } else {
          assertSameJson(example.response(), peer.readLine(), example.name());
        }
      }
      peer.assertSilent();
    }
  }

  // --------------------------------------------------------------------------------- Content-Length framing

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void eachSpecificationExampleWithContentLengthFramingGetsTheSpecifiedReplyFramedTheSameWay(Example example)
      throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      peer.write(contentLength(example.request(), false));
      if (example.silent()) {
        peer.assertSilent();
        peer.write(contentLength(PROBE, true));
        assertSameJson(PROBE_REPLY, peer.readContentLengthFrame());
      } else {
        assertSameJson(example.response(), peer.readContentLengthFrame());
        peer.assertSilent();
      }
    }
  }

  @Test
  void allExamplesInTurnWithContentLengthAndContentTypeHeadersGetTheSpecifiedReplies() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      boolean withType = false;
      for (Example example : EXAMPLES) {
        peer.write(contentLength(example.request(), withType));
        withType = !withType;
        if (example.silent()) {
          peer.write(contentLength(PROBE, withType));
          assertSameJson(PROBE_REPLY, peer.readContentLengthFrame(), example.name());
        } else {
          assertSameJson(example.response(), peer.readContentLengthFrame(), example.name());
        }
      }
      peer.assertSilent();
    }
  }

  @Test
  void contentLengthMessagesWrittenBackToBackInOneWriteAreEachAnswered() throws IOException {
    StringBuilder all = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (Example example : EXAMPLES) {
      all.append(contentLength(example.request(), expected.size() % 2 == 0));
      if (!example.silent()) {
        expected.add(example.response());
      }
    }
    try (Peer peer = Peer.open(server.port())) {
      peer.write(all.toString());
      List<String> replies = new ArrayList<>();
      for (int i = 0; i < expected.size(); i++) {
        replies.add(peer.readContentLengthFrame());
      }
      assertSameJsonInAnyOrder(expected, replies);
      peer.assertSilent();
    }
  }

  // ------------------------------------------------------------------------------------ concatenated values

  @Test
  void examplesConcatenatedWithNoSeparatorInOneWriteAreEachAnswered() throws IOException {
    StringBuilder all = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (Example example : EXAMPLES) {
      // The invalid-JSON examples cannot be delimited without a line end; the others are plain JSON values.
      if (example.validJson()) {
        all.append(example.request());
        if (!example.silent()) {
          expected.add(example.response());
        }
      }
    }
    assertThat(expected).hasSizeGreaterThanOrEqualTo(8);
    try (Peer peer = Peer.open(server.port())) {
      peer.write(all.toString());
      List<String> replies = new ArrayList<>();
      for (int i = 0; i < expected.size(); i++) {
        replies.add(peer.readLine());
      }
      assertSameJsonInAnyOrder(expected, replies);
      peer.assertSilentLine();
      peer.write(PROBE);
      assertSameJson(PROBE_REPLY, peer.readLine());
    }
  }

  // ------------------------------------------------------------------------------------------- split writes

  @Test
  void thePositionalExampleSplitAtEveryByteOnAFreshConnectionIsAnswered() throws Exception {
    Example example = EXAMPLES.get(0);
    byte[] bytes = (example.request() + "\n").getBytes(UTF_8);
    for (int cut = 1; cut < bytes.length; cut++) {
      try (Peer peer = Peer.open(server.port())) {
        peer.writeSplit(bytes, cut);
        assertSameJson(example.response(), peer.readLine(), "cut at " + cut);
      }
    }
  }

  @Test
  void theBatchExampleSplitAtEveryByteIsAnswered() throws Exception {
    Example example = byName("batch");
    byte[] bytes = (example.request() + "\n").getBytes(UTF_8);
    try (Peer peer = Peer.open(server.port())) {
      for (int cut = 1; cut < bytes.length; cut++) {
        peer.writeSplit(bytes, cut);
        assertSameJson(example.response(), peer.readLine(), "cut at " + cut);
      }
    }
  }

  @Test
  void theInvalidJsonExampleSplitAtEveryByteIsOneParseErrorEachTime() throws Exception {
    Example example = byName("invalid JSON");
    byte[] bytes = (example.request() + "\n").getBytes(UTF_8);
    try (Peer peer = Peer.open(server.port())) {
      for (int cut = 1; cut < bytes.length; cut++) {
        peer.writeSplit(bytes, cut);
        assertSameJson(example.response(), peer.readLine(), "cut at " + cut);
      }
      peer.assertSilentLine();
    }
  }

  @Test
  void theNamedExampleWithContentLengthSplitAtEveryByteOnAFreshConnectionIsAnswered() throws Exception {
    Example example = EXAMPLES.get(2);
    byte[] bytes = contentLength(example.request(), true).getBytes(UTF_8);
    for (int cut = 1; cut < bytes.length; cut++) {
      try (Peer peer = Peer.open(server.port())) {
        peer.writeSplit(bytes, cut);
        assertSameJson(example.response(), peer.readContentLengthFrame(), "cut at " + cut);
      }
    }
  }

  // ----------------------------------------------------------------------------------------- size limits

  @Test
  void aMessageOverTheLimitGetsLimitExceededOrACloseNeverAHang() throws IOException {
    RpcServer small = DemoServer.builder().host("127.0.0.1").port(0).maxMessageBytes(64 * 1024).build().start();
    try (Peer peer = Peer.open(small.port())) {
      String big = "{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": [\"" + "x".repeat(100 * 1024)
          + "\"], \"id\": 1}\n";
      try {
        peer.write(big);
      } catch (SocketException e) {
        return; // the server closed the connection while we were still writing: closed, not hung
      }
      String reply;
      try {
        reply = peer.readLineOrNull();
      } catch (SocketException e) {
        return; // reset by the server: closed
      }
      if (reply != null) {
        JsonNode node = parse(reply);
        assertThat(node.path("error").path("code").asInt()).as("reply %s", reply).isEqualTo(-32004);
        assertThat(node.get("id").isNull()).isTrue();
        assertThat(peer.readLineOrNullQuietly()).as("after the limit error the connection is closed").isNull();
      }
    } finally {
      small.stop(Duration.ofSeconds(2));
    }
  }

  @Test
  void aContentLengthHeaderOverTheLimitIsAnsweredWithLimitExceededAndTheConnectionClosed() throws IOException {
    RpcServer small = DemoServer.builder().host("127.0.0.1").port(0).maxMessageBytes(64 * 1024).build().start();
    try (Peer peer = Peer.open(small.port())) {
      peer.write("Content-Length: " + (100 * 1024) + "\r\n\r\n{\"jsonrpc\": \"2.0\"");
      JsonNode node = parse(peer.readContentLengthFrame());
      assertThat(node.path("error").path("code").asInt()).isEqualTo(-32004);
      assertThat(node.get("jsonrpc").asText()).isEqualTo("2.0");
      assertThat(peer.readLineOrNullQuietly()).as("after the limit error the connection is closed").isNull();
    } finally {
      small.stop(Duration.ofSeconds(2));
    }
  }

  @Test
  void aMessageJustUnderTheLimitIsServed() throws IOException {
    RpcServer small = DemoServer.builder().host("127.0.0.1").port(0).maxMessageBytes(64 * 1024).build().start();
    try (Peer peer = Peer.open(small.port())) {
      String text = "y".repeat(60 * 1024);
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": [\"" + text + "\"], \"id\": 1}\n");
      JsonNode node = parse(peer.readLine());
      assertThat(node.path("result").asText()).isEqualTo(text);
    } finally {
      small.stop(Duration.ofSeconds(2));
    }
  }

  // ------------------------------------------------------------------------------------------- demo methods

  @Test
  void echoReturnsItsArgumentWhateverJsonItIs() throws IOException {
    String[] values = {"\"测试项 😀 \\\"q\\\\\"", "12345678901234567890", "-0.5", "true", "null", "[]", "{}",
        "{\"a\": [1, {\"b\": null}], \"c\": \"d\"}"};
    try (Peer peer = Peer.open(server.port())) {
      int id = 0;
      for (String value : values) {
        id++;
        peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": [" + value + "], \"id\": " + id + "}\n");
        assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": " + value + ", \"id\": " + id + "}", peer.readLine(),
            value);
      }
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"echo\", \"params\": {\"x\": [7]}, \"id\": \"named\"}\n");
      assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": [7], \"id\": \"named\"}", peer.readLine());
    }
  }

  @Test
  void addAddsByPositionAndByName() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [2, 3], \"id\": 1}\n");
      assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": 5, \"id\": 1}", peer.readLine());
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": {\"b\": -10, \"a\": 4}, \"id\": 2}\n");
      assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": -6, \"id\": 2}", peer.readLine());
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [4000000000, 5000000000], \"id\": 3}\n");
      assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": 9000000000, \"id\": 3}", peer.readLine());
    }
  }

  @Test
  void addWithWrongParamsIsInvalidParams() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      for (String params : new String[] {"[1]", "[1, 2, 3]", "[\"a\", 2]", "[1.5, 2]", "{\"a\": 1}"}) {
        peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": " + params + ", \"id\": 1}\n");
        JsonNode node = parse(peer.readLine());
        assertThat(node.path("error").path("code").asInt()).as("add %s -> %s", params, node).isEqualTo(-32602);
        assertThat(node.get("id").asInt()).isEqualTo(1);
      }
    }
  }

  @Test
  void sleepAnswersAfterTheGivenMilliseconds() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      long start = System.nanoTime();
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [200], \"id\": 1}\n");
      assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": 200, \"id\": 1}", peer.readLine());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
    }
  }

  @Test
  void sleepIsBoundedSoThatOneCallCannotHoldAWorkerForLong() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      long start = System.nanoTime();
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [10001], \"id\": 1}\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [-1], \"id\": 2}\n");
      assertThat(parse(peer.readLine()).path("error").path("code").asInt()).isEqualTo(-32602);
      assertThat(parse(peer.readLine()).path("error").path("code").asInt()).isEqualTo(-32602);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void aQuickCallIsAnsweredBeforeASlowerOneSentEarlierOnTheSameConnection() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [500], \"id\": \"slow\"}\n"
          + "{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [1, 1], \"id\": \"fast\"}\n");
      assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": 2, \"id\": \"fast\"}", peer.readLine());
      assertSameJson("{\"jsonrpc\": \"2.0\", \"result\": 500, \"id\": \"slow\"}", peer.readLine());
    }
  }

  @Test
  void failRaisesAnApplicationErrorOutsideTheReservedRange() throws IOException {
    try (Peer peer = Peer.open(server.port())) {
      peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"fail\", \"params\": [\"boom 测试\"], \"id\": 7}\n");
      JsonNode node = parse(peer.readLine());
      assertThat(node.get("jsonrpc").asText()).isEqualTo("2.0");
      assertThat(node.has("result")).isFalse();
      assertThat(node.get("id").asInt()).isEqualTo(7);
      int code = node.path("error").path("code").asInt();
      assertThat(code).isEqualTo(DemoService.FAIL_CODE).isEqualTo(1000);
      assertThat(code < -32768 || code > -32000).as("code %d outside -32768..-32000", code).isTrue();
      assertThat(node.path("error").path("message").asText()).contains("boom 测试");
    }
  }

  @Test
  void idsOfEveryLegalTypeEchoExactly() throws IOException {
    String[] ids = {"1.50", "12345678901234567890", "-3", "1e3", "null", "\"测试项 \\\"x\\\"\""};
    try (Peer peer = Peer.open(server.port())) {
      for (String id : ids) {
        peer.write("{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [1, 2], \"id\": " + id + "}\n");
        String line = peer.readLine();
        if (id.startsWith("\"")) {
          assertThat(parse(line).get("id")).isEqualTo(parse(id));
        } else {
          assertThat(line).as("reply to id %s", id).endsWith("\"id\":" + id + "}");
        }
        assertThat(parse(line).get("result").asInt()).isEqualTo(3);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static Example byName(String name) {
    return EXAMPLES.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
  }

  private static String contentLength(String body, boolean withContentType) {
    int length = body.getBytes(UTF_8).length;
    String headers = withContentType
        ? "Content-Length: " + length + "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        : "Content-Length: " + length + "\r\n\r\n";
    return headers + body;
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("reply is not JSON: " + text, e);
    }
  }

  private static void assertSameJson(String expected, String actual) {
    assertSameJson(expected, actual, "");
  }

  /** Compares as JSON; a batch (array) reply is compared as a multiset since its order may differ. */
  private static void assertSameJson(String expected, String actual, String what) {
    JsonNode e = parse(expected);
    JsonNode a = parse(actual);
    if (e.isArray()) {
      assertThat(a.isArray()).as("%s: reply %s is an array", what, actual).isTrue();
      assertThat(elements(a)).as("%s: batch reply %s", what, actual)
          .containsExactlyInAnyOrderElementsOf(elements(e));
    } else {
      assertThat(a).as("%s: reply %s", what, actual).isEqualTo(e);
    }
  }

  private static void assertSameJsonInAnyOrder(List<String> expected, List<String> actual) {
    List<JsonNode> e = expected.stream().map(SpecExamplesIT::normalized).collect(Collectors.toList());
    List<JsonNode> a = actual.stream().map(SpecExamplesIT::normalized).collect(Collectors.toList());
    assertThat(a).as("replies %s", actual).containsExactlyInAnyOrderElementsOf(e);
  }

  /** A batch reply with its elements sorted by text, so that replies compare regardless of element order. */
  private static JsonNode normalized(String text) {
    JsonNode node = parse(text);
    if (!node.isArray()) {
      return node;
    }
    List<String> sorted = elements(node).stream().map(JsonNode::toString).sorted().collect(Collectors.toList());
    return parse("[" + String.join(",", sorted) + "]");
  }

  private static List<JsonNode> elements(JsonNode array) {
    List<JsonNode> list = new ArrayList<>();
    array.forEach(list::add);
    return list;
  }

  /** A raw client connection that reads replies byte by byte, so that nothing is hidden in a buffer. */
  static final class Peer implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Peer(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    static Peer open(int port) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      return new Peer(socket);
    }

    void write(String text) throws IOException {
      out.write(text.getBytes(UTF_8));
      out.flush();
    }

    void writeSplit(byte[] bytes, int cut) throws IOException {
      out.write(bytes, 0, cut);
      out.flush();
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      out.write(bytes, cut, bytes.length - cut);
      out.flush();
    }

    /** Reads one line, without its line end; fails on end of stream or when nothing comes in time. */
    String readLine() throws IOException {
      String line = readLineOrNull();
      if (line == null) {
        throw new EOFException("connection closed by the server");
      }
      return line;
    }

    /** Reads one line, or returns null at end of stream. */
    String readLineOrNull() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      try {
        for (;;) {
          int b = in.read();
          if (b < 0) {
            if (line.size() > 0) {
              fail("connection closed in the middle of a line: " + line.toString(UTF_8));
            }
            return null;
          }
          if (b == '\n') {
            return line.toString(UTF_8);
          }
          line.write(b);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no complete reply within " + READ_TIMEOUT_MS + " ms; got so far: "
            + line.toString(UTF_8), e);
      }
    }

    /** Reads one line, or null at end of stream or when the connection was reset. */
    String readLineOrNullQuietly() throws IOException {
      try {
        return readLineOrNull();
      } catch (SocketException e) {
        return null;
      }
    }

    /** Reads one {@code Content-Length} framed message and returns its body. */
    String readContentLengthFrame() throws IOException {
      int length = -1;
      for (;;) {
        String header = readLine();
        assertThat(header).as("header line ends with CR").endsWith("\r");
        header = header.substring(0, header.length() - 1);
        if (header.isEmpty()) {
          break;
        }
        int colon = header.indexOf(':');
        assertThat(colon).as("header %s", header).isPositive();
        if (header.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
          length = Integer.parseInt(header.substring(colon + 1).trim());
        }
      }
      assertThat(length).as("Content-Length header in the reply").isNotNegative();
      byte[] body = in.readNBytes(length);
      assertThat(body).as("reply body").hasSize(length);
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Asserts that not a single byte arrives within the silence window. */
    void assertSilent() throws IOException {
      socket.setSoTimeout(SILENCE_MS);
      try {
        int b = in.read();
        fail("expected no reply, but got " + (b < 0 ? "end of stream" : "byte '" + (char) b + "' and more: "
            + new String(in.readNBytes(Math.min(in.available(), 500)), US_ASCII)));
      } catch (SocketTimeoutException expected) {
        // nothing came
      } finally {
        socket.setSoTimeout(READ_TIMEOUT_MS);
      }
    }

    /** Same as {@link #assertSilent()}, for the newline framing. */
    void assertSilentLine() throws IOException {
      assertSilent();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
