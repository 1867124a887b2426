package io.courier.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.RpcContext;
import io.courier.examples.demo.DemoServer;
import io.courier.server.RpcServer;
import io.courier.server.ServerTls;
import io.courier.zookeeper.ZooKeeperRegistry;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client commands ({@code call}, {@code notify}, {@code batch}, {@code listen}) as a user runs them:
 * {@code bin/courier} on the shaded jar, in its own process, against real servers on 127.0.0.1 (a demo server in
 * this JVM, {@code bin/courier serve-demo}, jayson under node, sockets that are not JSON-RPC).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliCallIT {

  private static final Duration LIMIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private Path stdout;
  private Path stderr;
  private RpcServer demo;
  private String tcp;

  @BeforeEach
  void startDemoServer() throws IOException {
    stdout = dir.resolve("out.log");
    stderr = dir.resolve("err.log");
    demo = DemoServer.builder().host("127.0.0.1").port(0).build().start();
    tcp = "tcp://127.0.0.1:" + demo.port();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    demo.stop(Duration.ZERO);
  }

  // ------------------------------------------------------------------------------------------ running courier

  /** The result of one finished run of {@code bin/courier}. */
  private record Run(int status, String out, String err) {}

  private Process start(Path input, String... args) throws IOException {
    Path root = CliIT.repoRoot();
    assertThat(root.resolve("courier-cli/target/courier-cli.jar"))
        .as("the shaded jar (built by the package phase)").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(root.resolve("bin/courier").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    if (input != null) {
      pb.redirectInput(input.toFile());
    }
    pb.environment().remove("COURIER_JAVA_OPTS");
    Process process = pb.start();
    if (input == null) {
      process.getOutputStream().close();
    }
    processes.add(process);
    return process;
  }

  private Run finish(Process process) throws Exception {
    assertThat(process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS))
        .as("courier finished within %s; stdout: %s; stderr: %s", LIMIT, read(stdout), read(stderr)).isTrue();
    return new Run(process.exitValue(), read(stdout), read(stderr));
  }

  private Run courier(String... args) throws Exception {
    return finish(start(null, args));
  }

  private Run courierWithInput(String input, String... args) throws Exception {
    Path in = Files.writeString(dir.resolve("stdin.txt"), input, UTF_8);
    return finish(start(in, args));
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, UTF_8) : "";
  }

  private static void assertNoStackTrace(Run run) {
    assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception:");
  }

  /** Waits for the first line a background process prints (a server's address or port). */
  private String firstLine(Process process) throws Exception {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    for (;;) {
      String out = read(stdout);
      int nl = out.indexOf('\n');
      if (nl >= 0) {
        return out.substring(0, nl);
      }
      assertThat(process.isAlive()).as("still running; stdout: %s; stderr: %s", out, read(stderr)).isTrue();
      assertThat(System.nanoTime()).as("first line within %s", LIMIT).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Starts {@code bin/courier serve-demo} with more options on a free port; returns its port. */
  private int serveDemo(String... options) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    List<String> args = new ArrayList<>(List.of("serve-demo", "--port", String.valueOf(port)));
    args.addAll(List.of(options));
    Process server = start(null, args.toArray(String[]::new));
    assertThat(firstLine(server)).contains("127.0.0.1:" + port);
    // The client runs write to the same files: give them fresh ones.
    stdout = dir.resolve("client-out.log");
    stderr = dir.resolve("client-err.log");
    return port;
  }

  // ------------------------------------------------------------------------------------------------- call

  @Test
  void callWithParamsByPositionPrintsTheResult() throws Exception {
    Run run = courier("call", tcp, "add", "2", "3");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("5\n");
  }

  @Test
  void listPrintsTheMethodsAndDescribePrintsOneFromTheServersOpenRpcDocument() throws Exception {
    Run list = courier("list", tcp);
    assertThat(list.status()).as(list.err()).isZero();
    assertThat(list.out().lines().map(l -> l.split(" ")[0]).toList())
        .contains("add", "subtract", "node", "count", "test", "get_data")
        .doesNotContain("rpc.discover");

    Run describe = courier("describe", tcp, "add", "--compact");
    assertThat(describe.status()).as(describe.err()).isZero();
    JsonNode add = new ObjectMapper().readTree(describe.out()).get("method");
    assertThat(add.get("name").asText()).isEqualTo("add");
    assertThat(add.get("params")).hasSize(2);
    assertThat(add.get("params").get(0).get("name").asText()).isEqualTo("a");

    Run all = courier("describe", "http://127.0.0.1:" + demo.port() + "/rpc", "--compact");
    assertThat(all.status()).as(all.err()).isZero();
    assertThat(new ObjectMapper().readTree(all.out()).get("openrpc").asText()).startsWith("1.3");

    Run missing = courier("describe", tcp, "nonsense");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).contains("describes no method nonsense");
  }

  @Test
  void callWithNameValuePairsSendsParamsByName() throws Exception {
    Run run = courier("call", tcp, "subtract", "minuend=42", "subtrahend=23");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("19\n");
  }

  @Test
  void callWithParamsOptionOverHttp() throws Exception {
    Run run = courier("call", "http://127.0.0.1:" + demo.port() + "/rpc", "add", "--params=[2, 40]");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("42\n");
  }

  @Test
  void callWithParamsFromAFileOverWebSocketKeepsTheJsonAsItIs() throws Exception {
    Path params = Files.writeString(dir.resolve("params.json"),
        "[{\"name\": \"测试项\", \"n\": 1.5, \"l\": [true]}]");
    Run run = courier("call", "ws://127.0.0.1:" + demo.port() + "/ws", "echo", "-d", "@" + params);
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("{\"name\":\"测试项\",\"n\":1.5,\"l\":[true]}\n");
  }

  @Test
  void callWithParamsOnStandardInputAndAWordThatIsNotJsonTakenAsAString() throws Exception {
    Run run = courierWithInput("{\"minuend\": 1, \"subtrahend\": 3}", "call", tcp, "subtract", "-d", "-");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("-2\n");
    Run word = courier("call", tcp, "echo", "hello");
    assertThat(word.out()).isEqualTo("\"hello\"\n");
  }

  @Test
  void prettyIndentsAndTheDefaultOffATerminalIsOneLine() throws Exception {
    Run compact = courier("call", tcp, "echo", "{\"a\": [1, 2]}");
    assertThat(compact.out()).isEqualTo("{\"a\":[1,2]}\n");
    Run pretty = courier("call", tcp, "echo", "{\"a\": [1, 2]}", "--pretty");
    assertThat(pretty.out()).contains("{\n").contains("\"a\" : [ 1, 2 ]");
  }

  @Test
  void callReachesAListOfServers() throws Exception {
    RpcServer second = DemoServer.builder().host("127.0.0.1").port(0).build().start();
    closeables.add(() -> second.stop(Duration.ZERO));
    Run run = courier("call", tcp + ",127.0.0.1:" + second.port(), "node");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isIn("\"127.0.0.1:" + demo.port() + "\"\n", "\"127.0.0.1:" + second.port() + "\"\n");
  }

  @Test
  void callWithContentLengthFramingOverTcp() throws Exception {
    Run run = courier("call", tcp, "add", "20", "22", "--framing", "content-length");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("42\n");
  }

  @Test
  void callFindsTheServerThroughZooKeeper() throws Exception {
    TestingServer zk = new TestingServer(true);
    closeables.add(zk);
    RpcServer registered = DemoServer.builder().host("127.0.0.1").port(0)
        .listener(ZooKeeperRegistry.builder().connectString(zk.getConnectString()).serviceName("calc").build())
        .build().start();
    closeables.add(() -> registered.stop(Duration.ZERO));
    Run run = courier("call", "zk://" + zk.getConnectString() + "/calc", "node");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("\"127.0.0.1:" + registered.port() + "\"\n");
  }

  @Test
  void anErrorReplyExitsWith1WithCodeAndMessageOnStderr() throws Exception {
    Run run = courier("call", tcp, "fail", "boom");
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).startsWith("error 1000: ").contains("boom");
    assertThat(run.out()).isEmpty();
    Run missing = courier("call", tcp, "nosuch");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error -32601: Method not found\n");
  }

  @Test
  void headersTravelAsTheCallsMetadataAndBadOnesAreBadUsage() throws Exception {
    RpcServer echo = RpcServer.builder().host("127.0.0.1").port(0)
        .method("meta", args -> RpcContext.current().metadata(args.arg(0, String.class)).orElse("(none)"))
        .build()
        .start();
    closeables.add(() -> echo.stop(Duration.ZERO));
    String target = "tcp://127.0.0.1:" + echo.port();
    Run tcpRun = courier("call", target, "meta", "tenant", "-H", "tenant: acme", "--header=trace:1");
    assertThat(tcpRun.status()).as(tcpRun.err()).isZero();
    assertThat(tcpRun.out()).isEqualTo("\"acme\"\n");
    Run httpRun = courier("call", "http://127.0.0.1:" + echo.port() + "/rpc", "meta", "trace", "-H", "trace:1");
    assertThat(httpRun.status()).as(httpRun.err()).isZero();
    assertThat(httpRun.out()).isEqualTo("\"1\"\n");

    Run noColon = courier("call", target, "meta", "x", "-H", "tenant");
    assertThat(noColon.status()).isEqualTo(2);
    assertThat(noColon.err()).contains("--header tenant: expected NAME:VALUE");
    Run badName = courier("call", target, "meta", "x", "-H", "bad name:v");
    assertThat(badName.status()).isEqualTo(2);
    assertThat(badName.err()).contains("--header: Metadata name 'bad name'");
    Run twice = courier("call", target, "meta", "x", "-H", "tenant:a", "-H", "tenant:b");
    assertThat(twice.status()).isEqualTo(2);
    assertThat(twice.err()).contains("--header tenant: given twice");
    assertNoStackTrace(noColon);
    assertNoStackTrace(badName);
    assertNoStackTrace(twice);
  }

  @Test
  void badUsageExitsWith2WithAClearMessageAndNoStackTrace() throws Exception {
    Run json = courier("call", tcp, "echo", "{\"a\": }");
    assertThat(json.status()).isEqualTo(2);
    assertThat(json.err()).contains("not valid JSON").contains("usage: courier call");
    assertNoStackTrace(json);

    Run option = courier("call", tcp, "add", "--nonsense");
    assertThat(option.status()).isEqualTo(2);
    assertThat(option.err()).contains("Unknown option: '--nonsense'");
    assertNoStackTrace(option);

    Run scheme = courier("call", "gopher://127.0.0.1:70", "add");
    assertThat(scheme.status()).isEqualTo(2);
    assertThat(scheme.err()).contains("gopher://").contains("expected a scheme of tcp, tls, http, https, ws or wss");
    assertNoStackTrace(scheme);
    assertThat(json.out() + option.out() + scheme.out()).isEmpty();
  }

  @Test
  void anUnreachableServerExitsWith3() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    Run run = courier("call", "tcp://127.0.0.1:" + closed, "add", "1", "2");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err()).contains("127.0.0.1:" + closed).contains("Connection refused");
    assertNoStackTrace(run);
  }

  @ParameterizedTest(name = "closes after answering: {0}")
  @ValueSource(booleans = {false, true})
  void aServerThatIsNotJsonRpcExitsWith3AndSaysSo(boolean closes) throws Exception {
    ServerSocket garbage = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    closeables.add(garbage);
    Thread answering = new Thread(() -> {
      while (!garbage.isClosed()) {
        try {
          Socket s = garbage.accept();
          closeables.add(s);
          s.getInputStream().read(new byte[1024]);
          s.getOutputStream().write("220 smtp.example ESMTP ready\r\n".getBytes(UTF_8));
          if (closes) {
            s.close();
          }
        } catch (IOException e) {
          return;
        }
      }
    });
    answering.setDaemon(true);
    answering.start();
    Run run = courier("call", "tcp://127.0.0.1:" + garbage.getLocalPort(), "add", "1", "2", "--timeout", "1s");
    assertThat(run.status()).as(run.err()).isEqualTo(3);
    assertThat(run.err()).contains("does not speak JSON-RPC").contains("220 smtp.example ESMTP ready");
    assertNoStackTrace(run);
  }

  @Test
  void aCallThatRunsOutOfTimeExitsWith4() throws Exception {
    Run run = courier("call", tcp, "sleep", "5000", "--timeout", "300ms");
    assertThat(run.status()).isEqualTo(4);
    assertThat(run.err()).contains("timed out");
    assertNoStackTrace(run);
  }

  // --------------------------------------------------------------------------------- notify, batch, listen

  @Test
  void notifyPrintsNothingAndExitsWith0OnceDelivered() throws Exception {
    Run run = courier("notify", tcp, "notify_hello", "7");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEmpty();
    Run http = courier("notify", "http://127.0.0.1:" + demo.port() + "/rpc", "update", "1", "2");
    assertThat(http.status()).as(http.err()).isZero();
  }

  @Test
  void batchPrintsOneLinePerEntryInOrder() throws Exception {
    Path file = Files.writeString(dir.resolve("batch.json"), """
        [{"method": "add", "params": [1, 2]},
         {"method": "notify_hello", "params": [7], "notify": true},
         {"method": "fail", "params": ["no"]},
         {"method": "subtract", "params": {"minuend": 5, "subtrahend": 1}}]
        """);
    Run run = courier("batch", tcp, "-d", "@" + file);
    assertThat(run.status()).as("an entry failed; stderr: %s", run.err()).isEqualTo(1);
    assertThat(run.out().lines()).containsExactly("3", "notified", "error 1000: fail: no", "4");

    Run ok = courierWithInput("[{\"method\": \"add\", \"params\": [1, 1]}, {\"method\": \"get_data\"}]",
        "batch", tcp, "-d", "-");
    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(ok.out().lines()).containsExactly("2", "[\"hello\",5]");
  }

  @Test
  void listenPrintsEachItemUntilTheServerCompletes() throws Exception {
    Run run = courier("listen", tcp, "count", "3");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("0\n1\n2\n");
    Run ws = courier("listen", "ws://127.0.0.1:" + demo.port() + "/ws", "count", "1000", "--max", "2");
    assertThat(ws.status()).as(ws.err()).isZero();
    assertThat(ws.out()).isEqualTo("0\n1\n");
  }

  // ------------------------------------------------------------------------------------------ auth and TLS

  @Test
  void tokenIsRequiredByServeDemoTokenAndAcceptedFromCallToken() throws Exception {
    int port = serveDemo("--token", "s3cret");
    String target = "tcp://127.0.0.1:" + port;
    Run none = courier("call", target, "add", "1", "2");
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.err()).contains("error -32001");

    Run plaintext = courier("call", target, "add", "1", "2", "--token", "s3cret");
    assertThat(plaintext.status()).as("a token over plaintext needs --allow-plaintext-token").isEqualTo(2);
    assertThat(plaintext.err()).contains("--allow-plaintext-token");

    Run ok = courier("call", target, "add", "1", "2", "--token=s3cret", "--allow-plaintext-token");
    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo("3\n");
    Run wrong = courier("call", target, "add", "1", "2", "--token", "guess", "--allow-plaintext-token");
    assertThat(wrong.status()).isEqualTo(1);
    assertThat(wrong.err()).contains("error -32001");
  }

  @Test
  void serveDemoTlsIsReachedWithCacertAndRefusedWithoutIt() throws Exception {
    Pki pki = Pki.create(dir);
    int port = serveDemo("--tls", pki.serverCert.toString(), pki.serverKey.toString());
    Run ok = courier("call", "tls://127.0.0.1:" + port, "add", "1", "2", "--cacert", pki.ca.toString());
    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo("3\n");
    Run https = courier("call", "https://127.0.0.1:" + port + "/rpc", "add", "2", "2", "--cacert=" + pki.ca);
    assertThat(https.status()).as(https.err()).isZero();
    assertThat(https.out()).isEqualTo("4\n");

    Run untrusted = courier("call", "tls://127.0.0.1:" + port, "add", "1", "2");
    assertThat(untrusted.status()).isEqualTo(3);
    assertThat(untrusted.err()).contains("TLS failed").contains("--cacert");
    assertNoStackTrace(untrusted);
  }

  @Test
  void mutualTlsPresentsTheClientCertificate() throws Exception {
    Pki pki = Pki.create(dir);
    RpcServer tls = DemoServer.builder().host("127.0.0.1").port(0)
        .tls(ServerTls.builder(pki.serverCert, pki.serverKey)
            .clientAuth(ServerTls.ClientAuth.REQUIRE).trustedCertificates(pki.ca).build())
        .build().start();
    closeables.add(() -> tls.stop(Duration.ZERO));
    String target = "tls://127.0.0.1:" + tls.port();
    Run ok = courier("call", target, "add", "1", "2", "--cacert", pki.ca.toString(),
        "--cert", pki.clientCert.toString(), "--key", pki.clientKey.toString());
    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo("3\n");
    Run without = courier("call", target, "add", "1", "2", "--cacert", pki.ca.toString());
    assertThat(without.status()).as(without.err()).isEqualTo(3);
    assertNoStackTrace(without);
  }

  @Test
  void insecureTrustsAnyCertificateWithAWarning() throws Exception {
    Pki pki = Pki.create(dir);
    RpcServer tls = DemoServer.builder().host("127.0.0.1").port(0)
        .tls(ServerTls.builder(pki.serverCert, pki.serverKey).build()).build().start();
    closeables.add(() -> tls.stop(Duration.ZERO));
    Run run = courier("call", "wss://127.0.0.1:" + tls.port() + "/ws", "add", "1", "2", "--insecure");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("3\n");
    assertThat(run.err()).contains("WARNING").contains("--insecure");
  }

  // ----------------------------------------------------------------------------------- help and version

  @Test
  void helpAndVersionExitWith0() throws Exception {
    Run help = courier("call", "--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("usage: courier call").contains("taken as a JSON string");
    Run version = courier("--version");
    assertThat(version.status()).isZero();
    assertThat(version.out()).startsWith("courier 0.");
    Run completion = courier("generate-completion");
    assertThat(completion.status()).isZero();
    assertThat(completion.out()).contains("complete -F");
  }

  // ------------------------------------------------------------------------------ a server not Courier's

  @Test
  void callNotifyAndErrorsAgainstJayson() throws Exception {
    requireNodeAndJayson();
    for (String transport : List.of("tcp", "http")) {
      Path interop = CliIT.repoRoot().resolve("interop");
      Path portFile = dir.resolve("jayson-" + transport + ".out");
      Process jayson = new ProcessBuilder("node", "jayson-server.js", transport)
          .directory(interop.toFile())
          .redirectOutput(portFile.toFile())
          .redirectError(dir.resolve("jayson-" + transport + ".err").toFile())
          .start();
      processes.add(jayson);
      Path clientOut = stdout;
      stdout = portFile;
      String port = firstLine(jayson);
      stdout = clientOut;
      String target = transport + "://127.0.0.1:" + port + (transport.equals("http") ? "/rpc" : "");

      Run add = courier("call", target, "add", "2", "3");
      assertThat(add.status()).as("%s: %s", transport, add.err()).isZero();
      assertThat(add.out()).isEqualTo("5\n");
      Run fail = courier("call", target, "fail", "boom");
      assertThat(fail.status()).isEqualTo(1);
      assertThat(fail.err()).isEqualTo("error 1000: boom\ndata: {\"from\":\"jayson\"}\n");
      Run notify = courier("notify", target, "echo", "1");
      assertThat(notify.status()).as("%s: %s", transport, notify.err()).isZero();
      jayson.destroy();
    }
  }

  /** Skips without node and {@code npm ci --prefix interop}, except under {@code COURIER_CI}, where it fails. */
  private static void requireNodeAndJayson() {
    boolean installed = Files.isRegularFile(CliIT.repoRoot().resolve("interop/node_modules/jayson/package.json"));
    boolean node;
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        in.readAllBytes();
      }
      node = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      node = false;
    }
    String message = "needs node and `npm ci --prefix interop` (installed: " + installed + ", node: " + node + ")";
    if (System.getenv("COURIER_CI") != null) {
      assertThat(installed && node).as(message + "; COURIER_CI is set, so this fails instead of skipping").isTrue();
    }
    Assumptions.assumeTrue(installed && node, message);
  }

  /** A CA, and a server certificate for 127.0.0.1 and a client certificate it signed, as PEM files; per test. */
  private record Pki(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

    static Pki create(Path dir) throws Exception {
      Instant now = Instant.now();
      X509Bundle ca = new CertificateBuilder().ecp256().subject("CN=Courier CLI Test CA")
          .serial(BigInteger.ONE)
          .notBefore(now.minus(1, ChronoUnit.HOURS)).notAfter(now.plus(1, ChronoUnit.DAYS))
          .setIsCertificateAuthority(true)
          .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign, CertificateBuilder.KeyUsage.cRLSign)
          .buildSelfSigned();
      X509Bundle server = new CertificateBuilder().ecp256().subject("CN=localhost")
          .serial(BigInteger.TWO)
          .notBefore(now.minus(1, ChronoUnit.HOURS)).notAfter(now.plus(1, ChronoUnit.DAYS))
          .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
          .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth()
          .buildIssuedBy(ca);
      X509Bundle client = new CertificateBuilder().ecp256().subject("CN=courier-cli")
          .serial(BigInteger.valueOf(3))
          .notBefore(now.minus(1, ChronoUnit.HOURS)).notAfter(now.plus(1, ChronoUnit.DAYS))
          .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature).addExtendedKeyUsageClientAuth()
          .buildIssuedBy(ca);
      return new Pki(Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM()),
          Files.writeString(dir.resolve("server.pem"), server.getCertificatePEM()),
          Files.writeString(dir.resolve("server-key.pem"), server.getPrivateKeyPEM()),
          Files.writeString(dir.resolve("client.pem"), client.getCertificatePEM()),
          Files.writeString(dir.resolve("client-key.pem"), client.getPrivateKeyPEM()));
    }
  }
}
