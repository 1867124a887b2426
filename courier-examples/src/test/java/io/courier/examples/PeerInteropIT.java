package io.courier.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Framing;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.examples.demo.DemoServer;
import io.courier.server.RpcServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls both ways between Courier and {@code vscode-jsonrpc} (the npm package behind VS Code's language clients),
 * over raw TCP with the Language Server Protocol's {@code Content-Length} framing:
 * <ul>
 *   <li>{@code interop/vscode-peer.js} connects to the demo server as a client that serves methods, and has the
 *       demo's {@code callback} call them: the Courier server calls a peer nobody here wrote;</li>
 *   <li>{@code interop/vscode-server.js} listens, and a Courier client built with
 *       {@link Framing#CONTENT_LENGTH} calls it: its method calls the client's own method back and notifies it.</li>
 * </ul>
 * Each script prints one JSON line that this test checks exactly. See {@link NodeScripts} for when it is skipped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeerInteropIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long one script may run; each bounds itself (10 s, 20 s) and exits 2 past that. */
  private static final Duration SCRIPT_LIMIT = Duration.ofSeconds(30);
  /** The codes the scripts' failing methods answer with (interop/vscode-peer.js, interop/vscode-server.js). */
  private static final int PEER_REFUSED_CODE = 4242;
  private static final int SERVER_FAIL_CODE = 4243;
  /** The code the Courier client's {@code clientGreet} refuses {@code nobody} with. */
  private static final int NO_GREETING_CODE = 4001;

  @BeforeEach
  void requireNode() {
    NodeScripts.requireNodeAndPackages();
  }

  @Test
  void theDemoServerCallsAVscodeJsonrpcClientBackAndGetsItsAnswersAndErrors() throws Exception {
    try (RpcServer server = DemoServer.builder().host("127.0.0.1").port(0).build().start()) {
      JsonNode out = runToEnd("vscode-peer.js", "127.0.0.1", String.valueOf(server.port()));

      assertThat(out.path("peer").asText()).isEqualTo("vscode-jsonrpc");
      assertThat(out.path("log")).as("what vscode-jsonrpc complained about").isEqualTo(json("[]"));
      assertThat(out.path("served")).as("the server's calls, as the peer got them")
          .isEqualTo(JSON.valueToTree(List.of("greet(\"node\")", "refuse(\"too late\")")));
      JsonNode cases = out.path("cases");
      assertThat(cases.path("greet")).isEqualTo(json("{'result': 'hello node'}"));
      // The peer's error is callback's error: code, message and data as the peer sent them.
      assertThat(cases.path("refused")).isEqualTo(json("{'error': {'code': " + PEER_REFUSED_CODE
          + ", 'message': 'refused: too late', 'data': {'retry': false}}}"));
      assertThat(cases.path("unknown"))
          .isEqualTo(json("{'error': {'code': -32601, 'message': 'Unhandled method no_such_method'}}"));
    }
  }

  @Test
  void aVscodeJsonrpcServerCallsAContentLengthCourierClientBack() throws Exception {
    BlockingQueue<String> notified = new LinkedBlockingQueue<>();
    Script script = start("vscode-server.js", "127.0.0.1");
    try {
      int port = Integer.parseInt(script.nextLine().strip());
      try (RpcClient client = RpcClient.builder()
          .target("tcp://127.0.0.1:" + port)
          .framing(Framing.CONTENT_LENGTH)
          .callTimeout(Duration.ofSeconds(10))
          .method("clientGreet", args -> {
            String name = args.arg(0, String.class);
            if (name.equals("nobody")) {
              throw new RpcException(RpcError.of(NO_GREETING_CODE, "no greeting for nobody"));
            }
            return "hello " + name;
          })
          .notificationListener((method, params) -> notified.add(method + params))
          .build()) {

        assertThat(client.call("ask", String.class, "courier").get(10, TimeUnit.SECONDS))
            .isEqualTo("client said: hello courier");
        assertThat(notified.poll(10, TimeUnit.SECONDS)).isEqualTo("told{\"name\":\"courier\"}");
        assertThat(client.call("ask", String.class, "nobody").get(10, TimeUnit.SECONDS))
            .as("the client's error, as the server got it")
            .isEqualTo("client said: " + NO_GREETING_CODE + " no greeting for nobody");
        assertThat(notified.poll(10, TimeUnit.SECONDS)).isEqualTo("told{\"name\":\"nobody\"}");

        ExecutionException failed = catchThrowableOfType(ExecutionException.class,
            () -> client.call("fail", String.class, "boom").get(10, TimeUnit.SECONDS));
        assertThat(failed.getCause()).isInstanceOf(RpcException.class);
        RpcException error = (RpcException) failed.getCause();
        assertThat(error.code()).isEqualTo(SERVER_FAIL_CODE);
        assertThat(error.getMessage()).contains("fail: boom");
      }
      // Closing the client closes the connection, and the script reports what it saw.
      JsonNode out = JSON.readTree(script.nextLine());
      assertThat(out.path("log")).as("what vscode-jsonrpc complained about").isEqualTo(json("[]"));
      assertThat(out.path("served"))
          .isEqualTo(JSON.valueToTree(List.of("ask(\"courier\")", "ask(\"nobody\")", "fail(\"boom\")")));
      assertThat(notified).as("no more notifications").isEmpty();
      script.awaitExit();
    } finally {
      script.destroy();
    }
  }

  // ------------------------------------------------------------------------------------------------------ helpers

  /** Runs a script that prints one JSON line and exits, and returns the line. */
  private static JsonNode runToEnd(String... command) throws Exception {
    Script script = start(command);
    try {
      String line = script.nextLine();
      script.awaitExit();
      return JSON.readTree(line);
    } finally {
      script.destroy();
    }
  }

  private static Script start(String... command) throws IOException {
    List<String> full = new ArrayList<>(List.of("node"));
    full.addAll(List.of(command));
    return new Script(full);
  }

  /** A running node script in interop/: its stdout read line by line, its stderr in a file for failure messages. */
  private static final class Script {
    private final List<String> command;
    private final Path stderr;
    private final Process process;
    private final BufferedReader out;

    Script(List<String> command) throws IOException {
      this.command = command;
      this.stderr = Files.createTempFile("courier-interop", ".err");
      this.process = new ProcessBuilder(command)
          .directory(NodeScripts.dir().toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectError(stderr.toFile())
          .start();
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
    }

    /** The next line the script prints, waited for no longer than a script may run. */
    String nextLine() throws Exception {
      // readLine cannot be interrupted, so it runs elsewhere and the wait is bounded here; destroy() ends it.
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).get(SCRIPT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(line).as("%s printed a line; stderr: %s", command, errors()).isNotNull();
      return line;
    }

    void awaitExit() throws Exception {
      boolean finished = process.waitFor(SCRIPT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(finished).as("%s finished within %s; stderr: %s", command, SCRIPT_LIMIT, errors()).isTrue();
      assertThat(process.exitValue())
          .as("exit status of %s (1: transport failure, 2: its timer); stderr: %s", command, errors())
          .isZero();
    }

    void destroy() throws Exception {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      Files.deleteIfExists(stderr);
    }

    private String errors() throws IOException {
      return Files.readString(stderr, UTF_8);
    }
  }

  /** JSON written with single quotes, for readability in Java strings. */
  private static JsonNode json(String singleQuoted) throws IOException {
    return JSON.readTree(singleQuoted.replace('\'', '"'));
  }
}
