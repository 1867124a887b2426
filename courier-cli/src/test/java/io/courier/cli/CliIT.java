package io.courier.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.client.RpcClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code courier} command as a user runs it: {@code bin/courier} on the shaded jar, in its own process. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Process> processes = new ArrayList<>();
  private Path stdout;
  private Path stderr;

  @BeforeEach
  void files() throws IOException {
    stdout = Files.createTempFile("courier-cli-out", ".log");
    stderr = Files.createTempFile("courier-cli-err", ".log");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    Files.deleteIfExists(stdout);
    Files.deleteIfExists(stderr);
  }

  /** The repository root: the nearest directory above the working directory holding {@code bin/courier}. */
  static Path repoRoot() {
    for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); dir != null;
        dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("bin").resolve("courier")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new AssertionError("bin/courier not found above " + System.getProperty("user.dir"));
  }

  private Process courier(String... args) throws IOException {
    Path root = repoRoot();
    assertThat(root.resolve("courier-cli/target/courier-cli.jar"))
        .as("the shaded jar (built by the package phase)").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(root.resolve("bin/courier").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().remove("COURIER_JAVA_OPTS");
    Process process = pb.start();
    process.getOutputStream().close();
    processes.add(process);
    return process;
  }

  private int finish(Process process, Duration limit) throws Exception {
    assertThat(process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS))
        .as("courier finished within %s; stdout: %s; stderr: %s", limit, out(), err()).isTrue();
    return process.exitValue();
  }

  private String out() throws IOException {
    return Files.readString(stdout, UTF_8);
  }

  private String err() throws IOException {
    return Files.readString(stderr, UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** Waits for the first complete line of stdout. */
  private String firstLine(Process process, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    for (;;) {
      String out = out();
      int nl = out.indexOf('\n');
      if (nl >= 0) {
        return out.substring(0, nl);
      }
      assertThat(process.isAlive()).as("courier still running; stdout: %s; stderr: %s", out, err()).isTrue();
      assertThat(System.nanoTime()).as("first line within %s; stderr: %s", limit, err()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  // ----------------------------------------------------------------------------------------------- tests

  @Test
  void demoPrintsTheTutorialsResultAndExitsWith0() throws Exception {
    Process p = courier("demo");
    int status = finish(p, Duration.ofSeconds(60));
    assertThat(status).as("exit status; stderr: %s", err()).isZero();
    assertThat(out()).contains("the test function has been called");
    assertThat(out()).contains("res = the test function has been called");
  }

  @Test
  void serveDemoServesUntilSigtermThenStopsGracefully() throws Exception {
    int port = freePort();
    Process p = courier("serve-demo", "--port", String.valueOf(port));
    String first = firstLine(p, Duration.ofSeconds(30));
    assertThat(first).contains("127.0.0.1:" + port);

    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [2, 40], \"id\": 1}\n".getBytes(UTF_8));
      out.flush();
      JsonNode reply = JSON.readTree(readLine(socket.getInputStream()));
      assertThat(reply).isEqualTo(JSON.readTree("{\"jsonrpc\": \"2.0\", \"result\": 42, \"id\": 1}"));
    }

    long start = System.nanoTime();
    p.destroy(); // SIGTERM
    int status = finish(p, Duration.ofSeconds(15));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    // The JVM ends a SIGTERM shutdown with 143 (128 + 15); a command that returned first would give 0.
    assertThat(status).as("exit status; stderr: %s", err()).isIn(0, 143);
    assertThat(err()).contains("stopped");
  }

  @Test
  void sigtermLetsACallInFlightFinishAndBeAnswered() throws Exception {
    int port = freePort();
    Process p = courier("serve-demo", "--port", String.valueOf(port));
    assertThat(firstLine(p, Duration.ofSeconds(30))).contains("127.0.0.1:" + port);

    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // A call answered first: the connection, a worker thread and the call path are up, so that the slow call
      // below starts at once even on a loaded machine; a SIGTERM before it ran would rightly refuse it instead.
      out.write("{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [2, 40], \"id\": 1}\n".getBytes(UTF_8));
      out.flush();
      assertThat(JSON.readTree(readLine(in)).get("result").asInt()).isEqualTo(42);
      out.write("{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [3000], \"id\": \"slow\"}\n"
          .getBytes(UTF_8));
      out.flush();
      Thread.sleep(1000); // let the call start running
      p.destroy();
      JsonNode reply = JSON.readTree(readLine(in));
      assertThat(reply).isEqualTo(JSON.readTree("{\"jsonrpc\": \"2.0\", \"result\": 3000, \"id\": \"slow\"}"));
    }
    finish(p, Duration.ofSeconds(15));
    assertThat(err()).contains("stopped");
  }

  @Test
  void serveDemoWithoutPortExitsWith2AndPrintsUsageOnStderr() throws Exception {
    Process p = courier("serve-demo");
    assertThat(finish(p, Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(err()).contains("--port is required").contains("usage: courier");
    assertThat(out()).isEmpty();
  }

  @Test
  void anUnknownCommandExitsWith2() throws Exception {
    Process p = courier("nonsense");
    assertThat(finish(p, Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(err()).contains("unknown command: nonsense").contains("usage: courier");
    assertThat(out()).isEmpty();
  }

  @Test
  void serveDemoOnAPortInUseFailsWithExitStatus1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Process p = courier("serve-demo", "--port", String.valueOf(taken.getLocalPort()));
      assertThat(finish(p, Duration.ofSeconds(60))).as("stderr: %s", err()).isEqualTo(1);
      assertThat(err()).contains(String.valueOf(taken.getLocalPort()));
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed before a full line; got: " + line.toString(UTF_8));
      }
      line.write(b);
    }
    return line.toString(UTF_8);
  }

  @Test
  void clusterDemoBalancesOverThreeServersAndLosesNoCallWhenOneStopsAndComesBack() throws Exception {
    Process p = courier("cluster-demo", "--phase-seconds", "2");
    int status = finish(p, Duration.ofSeconds(90));
    assertThat(status).as("exit status; stdout: %s; stderr: %s", out(), err()).isZero();
    assertThat(out()).contains("Three demo servers registered as \"demo\"")
        .contains("ok no call failed")
        .contains("got no call while stopped")
        .contains("got calls again once back")
        .doesNotContain("FAILED");
  }

  @Test
  void clusterDemoRefusesABadOptionWithExitStatus2() throws Exception {
    Process p = courier("cluster-demo", "--phase-seconds", "0");
    assertThat(finish(p, Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(err()).contains("--phase-seconds 0 (expected: 1-600)");
  }

  @Test
  void serveDemoWithZkRegistersAndAZkClientReachesIt() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      int port = freePort();
      Process p = courier("serve-demo", "--port", String.valueOf(port), "--zk", zk.getConnectString(),
          "--service", "calc");
      assertThat(firstLine(p, Duration.ofSeconds(30))).contains("127.0.0.1:" + port).contains("as calc");
      try (RpcClient client = RpcClient.builder()
          .target("zk://" + zk.getConnectString() + "/calc")
          .connectTimeout(Duration.ofSeconds(10))
          .build()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (client.servers().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(client.call("node", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("127.0.0.1:" + port);
      }
      p.destroy();
      finish(p, Duration.ofSeconds(20));
      assertThat(err()).contains("Unregistered");
    }
  }

  @Test
  void serveDemoWithServiceButNoZkExitsWith2() throws Exception {
    Process p = courier("serve-demo", "--port", "0", "--service", "calc");
    assertThat(finish(p, Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(err()).contains("--service needs --zk");
  }
}
