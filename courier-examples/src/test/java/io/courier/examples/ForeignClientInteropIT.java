package io.courier.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.courier.examples.demo.DemoServer;
import io.courier.examples.demo.DemoService;
import io.courier.server.RpcServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JSON-RPC clients nobody here wrote, against the demo service: the npm packages {@code jayson} (over raw TCP, where
 * it sends newline-delimited JSON, and over HTTP {@code POST /rpc}) and {@code vscode-jsonrpc} (over raw TCP with the
 * Language Server Protocol's {@code Content-Length} framing). The clients are the node scripts in {@code interop/} at
 * the repository root; each makes a fixed set of calls and prints one JSON line that this test checks exactly.
 *
 * <p>They need {@code npm ci --prefix interop} first; see {@link NodeScripts} for when the test is skipped instead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForeignClientInteropIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long one script may run; each bounds itself to 10 s and exits 2 past that. */
  private static final Duration SCRIPT_LIMIT = Duration.ofSeconds(30);

  private static Path interop;

  private RpcServer server;
  /** The notifications the server got, as {@code method} followed by the params' JSON, in arrival order. */
  private final List<String> notifications = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void findScripts() {
    interop = NodeScripts.dir();
  }

  @BeforeEach
  void startServer() {
    NodeScripts.requireNodeAndPackages();
    // The demo server as `courier serve-demo` builds it, plus an interceptor that records each notification (nothing
    // comes back for one on the wire, so the test looks at what the server got).
    server = DemoServer.builder()
        .host("127.0.0.1")
        .port(0)
        .intercept(chain -> {
          if (chain.context().id() == null) {
            notifications.add(chain.context().method() + chain.params());
          }
          return chain.proceed();
        })
        .build()
        .start();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  // ------------------------------------------------------------------------------------------------------ jayson

  @Test
  void jaysonOverTcp() throws Exception {
    JsonNode out = run("jayson-client.js", "tcp");
    assertThat(out.path("client").asText()).isEqualTo("jayson");
    assertJaysonCases(out.path("cases"), false);
    awaitNotifications("notify_hello[7]", "notify_sum[1,2]");
  }

  @Test
  void jaysonOverHttp() throws Exception {
    JsonNode out = run("jayson-client.js", "http");
    assertJaysonCases(out.path("cases"), true);
    assertThat(out.path("cases").path("notificationBatch"))
        .as("a batch of notifications only: an empty 204")
        .isEqualTo(json("{'status': 204, 'noReply': true}"));
    assertThat(out.path("cases").path("rootPath"))
        .as("POST / answers like POST /rpc")
        .isEqualTo(json("{'status': 200, 'jsonrpc': '2.0', 'idMatches': true, 'result': 42}"));
    awaitNotifications("notify_hello[7]", "notify_sum[1,2]", "notify_hello[1]", "notify_sum[2,3]");
  }

  /** What jayson got over either transport; over HTTP each case also has its status code. */
  private void assertJaysonCases(JsonNode cases, boolean http) throws IOException {
    String ok = http ? "'status': 200, " : "";
    String noContent = http ? "'status': 204, " : "";
    // Requests by jayson carry random UUID string ids; "idMatches" says the reply's id was the very same string.
    assertThat(cases.path("positional")).isEqualTo(json("{" + ok + "'jsonrpc': '2.0', 'idMatches': true, 'result': 5}"));
    assertThat(cases.path("named")).isEqualTo(json("{" + ok + "'jsonrpc': '2.0', 'idMatches': true, 'result': 19}"));
    assertThat(cases.path("numericId"))
        .isEqualTo(json("{" + ok + "'jsonrpc': '2.0', 'idMatches': true, 'result': 42}"));
    assertThat(cases.path("unicodeEchoEqual").asBoolean()).as("unicode echo %s", cases.path("unicodeEcho")).isTrue();
    assertThat(cases.path("unicodeEcho").path("result").path("text").asText())
        .isEqualTo("héllo, 世界 ✓ \"quoted\" \\ back\nslash");
    assertThat(cases.path("bigEcho"))
        .isEqualTo(json("{" + ok + "'jsonrpc': '2.0', 'idMatches': true, 'resultLength': 100000, 'resultEqual': true}"));
    assertThat(cases.path("notification")).isEqualTo(json("{" + noContent + "'noReply': true}"));
    assertThat(cases.path("fail")).isEqualTo(json("{" + ok + "'jsonrpc': '2.0', 'idMatches': true, "
        + "'error': {'code': " + DemoService.FAIL_CODE + ", 'message': 'fail: boom'}}"));
    assertThat(cases.path("methodNotFound")).isEqualTo(json("{" + ok + "'jsonrpc': '2.0', 'idMatches': true, "
        + "'error': {'code': -32601, 'message': 'Method not found'}}"));
    assertWrongParamType(cases.path("wrongParamType"), http ? 200 : null);

    JsonNode batch = cases.path("batch");
    if (http) {
      assertThat(batch.path("status").asInt()).as("batch %s", batch).isEqualTo(200);
    }
    assertThat(batch.path("replies")).as("batch %s", batch).isInstanceOf(ArrayNode.class);
    List<JsonNode> replies = new ArrayList<>();
    batch.path("replies").forEach(replies::add);
    // One reply per request with an id, none for the notification, in any order.
    assertThat(replies).containsExactlyInAnyOrder(
        json("{'jsonrpc': '2.0', 'id': 'b1', 'result': 3}"),
        json("{'jsonrpc': '2.0', 'id': 'b2', 'result': 6}"),
        json("{'jsonrpc': '2.0', 'id': 'b3', 'error': {'code': -32601, 'message': 'Method not found'}}"));

    assertThat(cases.path("afterAll"))
        .isEqualTo(json("{" + ok + "'jsonrpc': '2.0', 'idMatches': true, 'result': ['hello', 5]}"));
  }

  // ---------------------------------------------------------------------------------------------- vscode-jsonrpc

  @Test
  void vscodeJsonrpcOverTcpWithContentLengthFraming() throws Exception {
    JsonNode out = run("vscode-client.js", null);
    assertThat(out.path("client").asText()).isEqualTo("vscode-jsonrpc");
    assertThat(out.path("log")).as("what vscode-jsonrpc complained about").isEqualTo(json("[]"));
    JsonNode cases = out.path("cases");
    // vscode-jsonrpc matches replies to its numeric ids (the first is 0) itself: a wrong id would leave a call
    // unanswered (the script's timer) or put a complaint in the log.
    assertThat(cases.path("positional")).isEqualTo(json("{'result': 5}"));
    assertThat(cases.path("named")).isEqualTo(json("{'result': 19}"));
    assertThat(cases.path("unicodeEchoEqual").asBoolean()).as("unicode echo %s", cases.path("unicodeEcho")).isTrue();
    assertThat(cases.path("unicodeEcho").path("result").path("text").asText())
        .isEqualTo("héllo, 世界 ✓ \"quoted\" \\ back\nslash");
    // 100,000 characters of which two thirds take 2 or 3 bytes: Content-Length must count bytes.
    assertThat(cases.path("bigEcho")).isEqualTo(json("{'resultLength': 100000, 'resultEqual': true}"));
    assertThat(cases.path("notification")).isEqualTo(json("{'sent': true}"));
    assertThat(cases.path("fail"))
        .isEqualTo(json("{'error': {'code': " + DemoService.FAIL_CODE + ", 'message': 'fail: boom'}}"));
    assertThat(cases.path("methodNotFound")).isEqualTo(json("{'error': {'code': -32601, 'message': 'Method not found'}}"));
    assertWrongParamType(cases.path("wrongParamType"), null);

    // Twenty calls in flight at once, answered out of order (shorter sleeps last), each matched to its own id.
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(i % 2 == 0 ? i + 1000 : (20 - i) * 5);
    }
    assertThat(cases.path("concurrent")).isEqualTo(JSON.valueToTree(expected));

    // $/cancelRequest {"id": N} stops the 5 s sleep early; the cancelled call still gets its reply, an error.
    assertThat(cases.path("cancelled"))
        .isEqualTo(json("{'error': {'code': -32003, 'message': 'Cancelled'}, 'elapsedUnder3s': true}"));
    assertThat(cases.path("afterAll")).isEqualTo(json("{'result': ['hello', 5]}"));
    awaitNotifications("notify_hello[7]");
  }

  // ------------------------------------------------------------------------------------------------------ helpers

  /** {@code add("two", 3)}: Invalid params, with data naming the parameter whose type is wrong. */
  private static void assertWrongParamType(JsonNode node, Integer status) {
    if (status != null) {
      assertThat(node.path("status").asInt()).as("%s", node).isEqualTo(status);
    }
    assertThat(node.path("error").path("code").asInt()).as("%s", node).isEqualTo(-32602);
    assertThat(node.path("error").path("message").asText()).as("%s", node).isEqualTo("Invalid params");
    assertThat(node.path("error").path("data").asText()).as("%s", node).contains("'a'");
    assertThat(node.has("result")).as("%s", node).isFalse();
  }

  /**
   * Waits for the notifications the script sent to reach the demo service (a client that half-closes right after
   * one does not wait for it), then checks that exactly these notifications were called, each once.
   */
  private void awaitNotifications(String... expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (notifications.size() < expected.length && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(notifications).as("notifications the server got").containsExactlyInAnyOrder(expected);
  }

  /** Runs {@code node SCRIPT 127.0.0.1 PORT [TRANSPORT]} in interop/ and parses the JSON line it prints. */
  private JsonNode run(String script, String transport) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", script, "127.0.0.1", String.valueOf(server.port())));
    if (transport != null) {
      command.add(transport);
    }
    Path stdout = Files.createTempFile("courier-interop", ".out");
    Path stderr = Files.createTempFile("courier-interop", ".err");
    Process process = null;
    try {
      process = new ProcessBuilder(command)
          .directory(interop.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile())
          .start();
      boolean finished = process.waitFor(SCRIPT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      String err = Files.readString(stderr, UTF_8);
      String out = Files.readString(stdout, UTF_8);
      assertThat(finished).as("%s finished within %s; stderr: %s", command, SCRIPT_LIMIT, err).isTrue();
      assertThat(process.exitValue())
          .as("exit status of %s (1: transport failure, 2: 10 s timer); stderr: %s; stdout: %s", command, err, out)
          .isZero();
      String line = out.strip();
      assertThat(line).as("%s printed one JSON line; stderr: %s", command, err).isNotEmpty().doesNotContain("\n");
      return JSON.readTree(line);
    } finally {
      if (process != null) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }

  /** JSON written with single quotes, for readability in Java strings. */
  private static JsonNode json(String singleQuoted) throws IOException {
    return JSON.readTree(singleQuoted.replace('\'', '"'));
  }
}
