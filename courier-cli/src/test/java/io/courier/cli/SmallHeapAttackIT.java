package io.courier.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.cli.AttackHarness.Attack;
import io.courier.cli.AttackHarness.LineReader;
import io.courier.cli.AttackHarness.LineTooLongException;
import io.courier.cli.AttackHarness.Prober;
import io.courier.cli.AttackHarness.ServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Small requests that must not take down {@code courier serve-demo}. Each test runs the server in a JVM of its
 * own with {@code -Xmx256m -XX:MaxDirectMemorySize=256m}, makes one attack of bounded size and duration from
 * 127.0.0.1, and meanwhile calls {@code add(1, 2)} on a fresh raw connection every 250 ms: every such probe must
 * be answered with 3 within 1 s, during the attack and three more times after the attack's connections are
 * closed. The server's output goes to {@code target/attack-logs/<test>.log}.
 *
 * <ol>
 *   <li>{@link #httpHeadersDeclaringANearlyFullBodyDoNotReserveIt}: 300 connections each send only the headers
 *       of a {@code POST /rpc} declaring a {@code Content-Length} of 4,194,000 bytes (just under the 4 MiB
 *       limit), and never the body. The server must not set aside memory for bodies that have not arrived.
 *   <li>{@link #unfinishedRawMessagesDoNotExhaustMemory}: 80 raw TCP connections each send 4 MiB less 1 KiB
 *       of one JSON string that never ends, in 64 KiB writes, and stay open. 320 MiB of would-be messages,
 *       each within the message limit, must not exhaust a 256 MiB server; the server may close attack
 *       connections to stay within a budget, so failed attack writes are counted, not failures.
 *   <li>{@link #hugeDecimalExponentsAreRefusedQuickly}: 8 connections call {@code sum} with
 *       {@code [1e100000000, 1]} (62 bytes) in a loop, each call waiting at most 1 s for its reply. Besides the
 *       probes, every such call must be answered within 1 s with error -32602 or -32700 rather than make a
 *       worker build a number of a hundred million digits.
 *   <li>{@link #repliesThatExpandEnormouslyAreRefused}: 5 connections each send one {@code echo} of an array
 *       of {@code 1e9999} repeated to about 1 MB and never read; the reply would be some 1.5 GB in plain
 *       notation. A sixth connection sends the same call and reads: it must get an error object (any code)
 *       within 5 s.
 *   <li>{@link #messagesThatSwellWhenParsedAreBounded}: 8 connections each send two {@code echo} calls whose
 *       params are {@code [{},{},...]} to just under the 4 MiB limit, 63 MiB in all, and never read. Parsed,
 *       each is over 100 MB of heap; the server must parse no more of them at once than its heap holds.
 *   <li>{@link #oneConnectionCannotTakeEveryWorker}: one connection sends 8 calls of {@code sleep(10000)},
 *       twice the default 4 workers of a 2-core machine; a call from another connection must still run.
 * </ol>
 *
 * <p>Every count and wait here is bounded and each test aims to end within about 40 s, server start included.
 * The first failed probe ends a test; {@code -Dcourier.attack.allProbes=true} runs and prints every probe
 * instead, and fails at the end, to show whether and when the server recovers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SmallHeapAttackIT {

  private static final Duration PROBE_PERIOD = Duration.ofMillis(250);

  private ServerProcess server;
  private Prober probe;
  private final Attack attack = new Attack();

  @BeforeEach
  void startServer(TestInfo test) throws Exception {
    server = ServerProcess.start(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
    probe = new Prober(server);
    probe.warmUp(Duration.ofSeconds(15));
  }

  @AfterEach
  void stopServer() throws Exception {
    try {
      attack.close();
      System.out.println("attack: " + attack.summary() + "; " + probe.summary());
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /** Probes while the attack runs and for {@code hold} after its tasks end, at most {@code window} in all. */
  private void probeDuring(Duration window, Duration hold) throws InterruptedException {
    long start = System.nanoTime();
    probe.every(PROBE_PERIOD, window, "during the attack", attack::done);
    Duration left = window.minusNanos(System.nanoTime() - start);
    probe.every(PROBE_PERIOD, hold.compareTo(left) < 0 ? hold : left, "during the attack, its connections held",
        () -> false);
  }

  /** Closes the attack's connections and probes three more times. */
  private void probeAfter() throws InterruptedException {
    attack.close();
    for (int i = 0; i < 3; i++) {
      Thread.sleep(PROBE_PERIOD.toMillis());
      probe.once("after the attack");
    }
    probe.assertAllAnswered();
  }

  // ----------------------------------------------------------------------------------------------- attacks

  @Test
  void httpHeadersDeclaringANearlyFullBodyDoNotReserveIt() throws Exception {
    byte[] head = ("POST /rpc HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + server.port + "\r\n"
        + "Content-Type: application/json\r\n"
        + "Content-Length: 4194000\r\n"
        + "\r\n").getBytes(US_ASCII);
    probe.attackStarts();
    attack.start("http-head", 4, 300, i -> {
      Socket s = attack.open(server.port);
      attack.write(s, head, 0, head.length);
    });
    probeDuring(Duration.ofSeconds(15), Duration.ofSeconds(5));
    System.out.println("attack connections closed by the server while held: " + attack.connectionsClosedByServer());
    probeAfter();
  }

  @Test
  void unfinishedRawMessagesDoNotExhaustMemory() throws Exception {
    int total = 4 * 1024 * 1024 - 1024;
    int chunk = 64 * 1024;
    byte[] first = new byte[chunk];
    byte[] rest = new byte[chunk];
    Arrays.fill(first, (byte) 'a');
    Arrays.fill(rest, (byte) 'a');
    byte[] prefix = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"".getBytes(US_ASCII);
    System.arraycopy(prefix, 0, first, 0, prefix.length);
    probe.attackStarts();
    // A thread each: a write the server holds back must not hold back the other connections' writes.
    attack.start("raw-unfinished", 80, 80, i -> {
      Socket s = attack.open(server.port);
      for (int sent = 0; sent < total; sent += chunk) {
        attack.write(s, sent == 0 ? first : rest, 0, Math.min(chunk, total - sent));
      }
    });
    probeDuring(Duration.ofSeconds(25), Duration.ofSeconds(3));
    System.out.println("attack connections closed by the server while held: " + attack.connectionsClosedByServer());
    probeAfter();
  }

  @Test
  void hugeDecimalExponentsAreRefusedQuickly() throws Exception {
    AtomicInteger refused = new AtomicInteger();
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    long attackEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
    probe.attackStarts();
    attack.start("huge-decimal", 8, 8, i -> {
      Socket s = attack.open(server.port);
      LineReader in = new LineReader(s, 64 * 1024);
      // Paced and bounded in count: a server that refuses at once must still face the attack for the whole
      // window, and must not be flooded by it instead.
      for (int n = 0; n < 240 && System.nanoTime() < attackEnd; n++) {
        if (n > 0) {
          Thread.sleep(50);
        }
        int id = i * 1000 + n;
        byte[] bytes = ("{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1e100000000, 1],\"id\":" + id
            + "}\n").getBytes(US_ASCII);
        attack.write(s, bytes, 0, bytes.length);
        long sent = System.nanoTime();
        String line = in.readLine(sent + TimeUnit.SECONDS.toNanos(1));
        while (line != null && AttackHarness.JSON.readTree(line).path("id").asInt() != id) {
          line = in.readLine(sent + TimeUnit.SECONDS.toNanos(1)); // a late reply to an earlier call
        }
        if (line == null) {
          wrong.add("call " + id + ": no reply within 1 s");
          continue;
        }
        int code = AttackHarness.JSON.readTree(line).path("error").path("code").asInt();
        if (code == -32602 || code == -32700) {
          refused.incrementAndGet();
        } else {
          wrong.add("call " + id + ": " + abbreviate(line));
        }
      }
    });
    probeDuring(Duration.ofSeconds(15), Duration.ZERO);
    probeAfter();
    assertThat(wrong.size()).as("sum calls not refused with -32602/-32700 within 1 s (%d were); the first: %s",
        refused.get(), wrong.stream().limit(5).collect(Collectors.toList())).isZero();
    assertThat(refused.get()).as("sum calls refused").isPositive();
  }

  @Test
  void repliesThatExpandEnormouslyAreRefused() throws Exception {
    StringBuilder array = new StringBuilder(1_000_100).append('[');
    while (array.length() < 1_000_000) {
      array.append(array.length() == 1 ? "" : ",").append("1e9999");
    }
    array.append(']');
    String params = "[" + array + "]";
    probe.attackStarts();
    attack.start("expanding-echo", 5, 5, i -> {
      Socket s = attack.open(server.port);
      byte[] bytes = ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":" + params + ",\"id\":" + i + "}\n")
          .getBytes(US_ASCII);
      attack.write(s, bytes, 0, bytes.length);
      // Never reads: the replies, if the server builds them, pile up on its side.
    });
    AtomicReference<String> readerOutcome = new AtomicReference<>("no reply yet");
    Thread reader = new Thread(() -> readerOutcome.set(callAndRead(params)), "expanding-echo-reader");
    reader.setDaemon(true);
    reader.start();
    probeDuring(Duration.ofSeconds(12), Duration.ofSeconds(10));
    reader.join(TimeUnit.SECONDS.toMillis(6));
    probeAfter();
    assertThat(readerOutcome.get()).as("the reading connection's reply to the expanding echo")
        .startsWith("error ");
  }

  /** The expanding echo on a connection that reads: "error CODE" for an error reply, else what came instead. */
  private String callAndRead(String params) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(AttackHarness.LOOPBACK, server.port), 5_000);
      s.getOutputStream().write(("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":" + params
          + ",\"id\":\"reader\"}\n").getBytes(US_ASCII));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      // A line this long cannot be an error object; the test must not try to hold 1.5 GB.
      String line = new LineReader(s, 64 * 1024).readLine(deadline);
      if (line == null) {
        return "no reply within 5 s";
      }
      JsonNode reply = AttackHarness.JSON.readTree(line);
      if (reply.path("error").isObject() && "reader".equals(reply.path("id").asText())) {
        return "error " + reply.path("error").path("code").asInt() + ": " + abbreviate(line);
      }
      return "not an error: " + abbreviate(line);
    } catch (LineTooLongException e) {
      return "a reply too long to be an error: " + e.getMessage();
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void messagesThatSwellWhenParsedAreBounded() throws Exception {
    // Three bytes each, "{}," is a whole object node when parsed: some 80 bytes of heap. A message just under the
    // 4 MiB limit parses to over 100 MB, and eight such messages at once to more than this server's heap.
    StringBuilder params = new StringBuilder(4_200_000).append("[{}");
    while (params.length() < 4 * 1024 * 1024 - 1024) {
      params.append(",{}");
    }
    params.append(']');
    probe.attackStarts();
    attack.start("swelling", 8, 8, i -> {
      Socket s = attack.open(server.port);
      for (int n = 0; n < 2; n++) {
        byte[] bytes = ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[" + params + "],\"id\":" + n
            + "}\n").getBytes(US_ASCII);
        attack.write(s, bytes, 0, bytes.length);
      }
    });
    probeDuring(Duration.ofSeconds(20), Duration.ofSeconds(3));
    probeAfter();
  }

  @Test
  void oneConnectionCannotTakeEveryWorker() throws Exception {
    StringBuilder calls = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      calls.append("{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":[10000],\"id\":").append(i).append("}\n");
    }
    byte[] bytes = calls.toString().getBytes(UTF_8);
    probe.attackStarts();
    attack.start("sleepers", 1, 1, i -> {
      Socket s = attack.open(server.port);
      attack.write(s, bytes, 0, bytes.length);
    });
    probeDuring(Duration.ofSeconds(12), Duration.ofSeconds(12));
    probeAfter();
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
  }
}
