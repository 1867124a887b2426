package io.courier.examples.tutorial;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Arguments;
import io.courier.client.Dialect;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interoperability with the tutorial's own Python code, used unchanged: its client against a Courier server,
 * and Courier's seed-dialect client against its server.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TutorialInteropIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The tutorial's argument "测试项", written with Python escapes so the script is ASCII whatever the locale. */
  private static final String PY_TEST_ITEM = "'\\u6d4b\\u8bd5\\u9879'";

  /** The tutorial's Python code: {@code <workspace>/shared/seed/python}, found by walking up from here. */
  static Path seedPython() {
    for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); dir != null;
        dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("seed").resolve("python");
      if (Files.isDirectory(candidate.resolve("client")) && Files.isDirectory(candidate.resolve("server"))) {
        return candidate;
      }
    }
    Assumptions.abort("../shared/seed/python not found: interop with the tutorial's Python code is skipped "
        + "outside the development workspace");
    throw new AssertionError("unreachable");
  }

  static void assumePython() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      Assumptions.assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "python3 does not run");
    } catch (IOException | InterruptedException e) {
      Assumptions.abort("python3 is not available: " + e);
    }
  }

  /** Runs python3 with a script on PYTHONPATH {@code path}; the process's output goes to {@code log}. */
  static Process startPython(Path path, String script, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("python3", "-u", "-c", script)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("PYTHONPATH", path.toString());
    pb.environment().put("PYTHONIOENCODING", "utf-8");
    pb.environment().remove("PYTHONSTARTUP");
    return pb.start();
  }

  // ------------------------------------------------------------------------------ Python client, our server

  @Nested
  class TheTutorialsPythonClientAgainstCourier {

    private RpcServer server;
    private final List<Arguments> calls = new CopyOnWriteArrayList<>();
    private Path clientDir;
    private Path log;

    @BeforeEach
    void start() throws IOException {
      clientDir = seedPython().resolve("client");
      assumePython();
      server = RpcServer.builder()
          .host("127.0.0.1")
          .port(0)
          .method("test", arguments -> {
            calls.add(arguments);
            return TutorialFunctions.test(arguments);
          })
          .build()
          .start();
      log = Files.createTempFile("courier-python-client", ".log");
    }

    @AfterEach
    void stop() throws IOException {
      if (server != null) {
        server.stop(Duration.ofSeconds(2));
      }
      if (log != null) {
        Files.deleteIfExists(log);
      }
    }

    private String runClient(String calls) throws Exception {
      String script = "import rpcclient\n"
          + "c = rpcclient.RPCClient()\n"
          + "c.connect('127.0.0.1', " + server.port() + ")\n"
          + calls;
      Process process = startPython(clientDir, script, log);
      try {
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("python client finished").isTrue();
        String output = Files.readString(log, UTF_8);
        assertThat(process.exitValue()).as("python client exit status; output: %s", output).isZero();
        return output;
      } finally {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }

    @Test
    void theTutorialsCallPrintsExactlyWhatThePythonServerWouldAnswer() throws Exception {
      String output = runClient("print(c.test(" + PY_TEST_ITEM + ", kw1='1'))\n");
      assertThat(output).isEqualTo("{\"res\": \"the test function has been called\"}\n");

      assertThat(calls).hasSize(1);
      Arguments received = calls.get(0);
      assertThat(received.args()).extracting(JsonNode::textValue).containsExactly("测试项");
      assertThat(received.kwargs()).containsOnlyKeys("kw1");
      assertThat(received.kwargs().get("kw1").textValue()).isEqualTo("1");
    }

    @Test
    void severalCallsOnTheSameConnectionAreEachAnswered() throws Exception {
      // The tutorial's client keeps its socket: a Courier server, unlike the tutorial's, serves it again.
      String output = runClient("print(c.test(" + PY_TEST_ITEM + ", kw1='1'))\n"
          + "print(c.test(1, 2.5, None, [True], k={'a': 1}))\n"
          + "print(c.test())\n");
      assertThat(output.split("\n")).containsExactly(
          "{\"res\": \"the test function has been called\"}",
          "{\"res\": \"the test function has been called\"}",
          "{\"res\": \"the test function has been called\"}");
      assertThat(calls).hasSize(3);
      assertThat(calls.get(1).args()).hasSize(4);
      assertThat(calls.get(1).kwargs().get("k")).isEqualTo(JSON.readTree("{\"a\": 1}"));
      assertThat(calls.get(2).args()).isEmpty();
      assertThat(calls.get(2).kwargs()).isEmpty();
    }

    @Test
    void anUnknownMethodGivesAnErrorReplyNotAPlainResult() throws Exception {
      String output = runClient("print(c.no_such_method(" + PY_TEST_ITEM + ", kw1='1'))\n");
      JsonNode reply = JSON.readTree(output.trim());
      assertThat(reply.has("error")).as("reply %s", output).isTrue();
      assertThat(reply.has("res")).as("reply %s", output).isFalse();
      assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32601);
      assertThat(reply.path("error").path("message").asText()).isNotBlank();
      assertThat(calls).isEmpty();
    }
  }

  // ------------------------------------------------------------------------------ our client, Python server

  @Nested
  class CourierSeedClientAgainstTheTutorialsPythonServer {

    private Process python;
    private Path log;
    private int port;
    private RpcClient client;

    @BeforeEach
    void start() throws Exception {
      Path serverDir = seedPython().resolve("server");
      assumePython();
      port = freePort();
      log = Files.createTempFile("courier-python-server", ".log");
      // The tutorial's own test function from its main.py (importing it does not run its __main__ block).
      String script = "import main, rpcserver\n"
          + "s = rpcserver.RPCServer()\n"
          + "s.register_function(main.test)\n"
          + "s.loop('127.0.0.1', " + port + ")\n";
      python = startPython(serverDir, script, log);
      awaitListening(port, Duration.ofSeconds(20));
      client = RpcClient.builder()
          .target("tcp://127.0.0.1:" + port)
          .dialect(Dialect.SEED)
          .callTimeout(Duration.ofSeconds(10))
          .build();
    }

    @AfterEach
    void stop() throws Exception {
      if (client != null) {
        client.close();
      }
      if (python != null) {
        python.destroy();
        if (!python.waitFor(5, TimeUnit.SECONDS)) {
          python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      if (log != null) {
        Files.deleteIfExists(log);
      }
    }

    /**
     * Waits for the server's start line, which it prints after listen(). Probing the port with a connection
     * would kill the tutorial's server: it parses whatever one recv() returns, and an empty read is not JSON.
     */
    private void awaitListening(int port, Duration limit) throws Exception {
      long deadline = System.nanoTime() + limit.toNanos();
      String expected = "Server start at 127.0.0.1:" + port + ".";
      for (;;) {
        String output = Files.readString(log, UTF_8);
        if (output.contains(expected)) {
          return;
        }
        if (!python.isAlive()) {
          throw new AssertionError("python server exited: " + output);
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("python server not listening on " + port + " within " + limit
              + "; output: " + output);
        }
        Thread.sleep(20);
      }
    }

    @Test
    void theTutorialsCallReturnsTheTestFunctionsResult() throws Exception {
      String res = client.callArgs("test", String.class, List.of("测试项"), Map.of("kw1", "1"))
          .get(15, TimeUnit.SECONDS);
      assertThat(res).isEqualTo("the test function has been called");
      assertThat(waitForOutput("kwargs = {'kw1': '1'}")).contains("test: args = ('测试项',), kwargs = {'kw1': '1'}");
    }

    @Test
    void severalCallsInARowEachUseTheirOwnConnection() throws Exception {
      for (int i = 0; i < 5; i++) {
        String res = client.callArgs("test", String.class, List.of("测试项", i), Map.of("kw1", String.valueOf(i)))
            .get(15, TimeUnit.SECONDS);
        assertThat(res).as("call %d", i).isEqualTo("the test function has been called");
      }
      String output = waitForOutput("kwargs = {'kw1': '4'}");
      for (int i = 0; i < 5; i++) {
        assertThat(output).contains("test: args = ('测试项', " + i + "), kwargs = {'kw1': '" + i + "'}");
      }
      assertThat(python.isAlive()).as("the python server survived every call").isTrue();
    }

    @Test
    void positionalAndNamedCallsWorkInTheSeedDialect() throws Exception {
      assertThat(client.call("test", String.class, "a", 1).get(15, TimeUnit.SECONDS))
          .isEqualTo("the test function has been called");
      assertThat(client.callNamed("test", String.class, Map.of("x", List.of(1, 2))).get(15, TimeUnit.SECONDS))
          .isEqualTo("the test function has been called");
      String output = waitForOutput("kwargs = {'x': [1, 2]}");
      assertThat(output).contains("test: args = ('a', 1), kwargs = {}");
    }

    @Test
    void anUnknownMethodGetsThePythonServersPlainStringAnswer() throws Exception {
      // The tutorial's server answers an unknown method with {"res": "Please use the correct function"}.
      assertThat(client.callArgs("nope", String.class, List.of(), Map.of()).get(15, TimeUnit.SECONDS))
          .isEqualTo("Please use the correct function");
    }

    private String waitForOutput(String marker) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String output = Files.readString(log, UTF_8);
      while (!output.contains(marker) && System.nanoTime() < deadline) {
        Thread.sleep(20);
        output = Files.readString(log, UTF_8);
      }
      return output;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
