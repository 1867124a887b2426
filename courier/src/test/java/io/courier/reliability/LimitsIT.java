package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.reliability.Wire.Framing;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Size, depth, number, batch and connection limits: T01, T02, T05, T06, T07, T11, T26. */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class LimitsIT {

  private static final int MIB = 1024 * 1024;
  private static final int KIB = 1024;

  private final Api.Impl impl = new Api.Impl();
  private RpcServer server;

  private RpcServer start(Consumer<RpcServerBuilder> config) {
    RpcServerBuilder b = RpcServer.builder().host("127.0.0.1").port(0).service(Api.class, impl);
    config.accept(b);
    server = b.build().start();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofMillis(500));
    }
  }

  private static String call(String method, String params, Object id) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + ",\"id\":" + id + "}";
  }

  private void assertServed(Framing framing) throws IOException {
    try (Wire w = new Wire(server.port(), framing)) {
      JsonNode r = w.call(call("add", "[2,3]", 99));
      assertThat(r.path("result").asInt()).as("a second client is still served").isEqualTo(5);
    }
  }

  // ------------------------------------------------------------------------------------------------ T01

  @ParameterizedTest
  @EnumSource(Framing.class)
  void t01_oversizeFrameIsRejectedWithoutBufferingPastTheLimit(Framing framing) throws Exception {
    start(b -> b.maxMessageBytes(MIB));
    assertServed(framing); // warm up
    try (LogCapture log = new LogCapture();
        Wire w = new Wire(server.port(), framing);
        Probe.PeakSampler buffered = new Probe.PeakSampler(
            () -> Probe.maxOver(server, Probe::inboundBuffered), 2)) {
      int total = MIB + 1;
      long closedAfterMs;
      if (framing == Framing.CONTENT_LENGTH) {
        // The length is known from the header: the body must never be read into a buffer.
        w.raw("Content-Length: " + total + "\r\n\r\n");
        long headerSent = System.nanoTime();
        JsonNode error = w.read();
        assertThat(error.path("error").path("code").asInt()).isEqualTo(-32004);
        sendIgnoringClose(w, body(total), 64 * KIB);
        long close = w.awaitClose(2000);
        assertThat(close).as("closed").isGreaterThanOrEqualTo(0);
        closedAfterMs = Probe.ms(headerSent);
      } else {
        byte[] prefix = new byte[0];
        if (framing == Framing.CONCATENATED) {
          prefix = Wire.utf8(call("add", "[1,1]", 1)); // a good message, then the huge one with no separator
        }
        w.raw(prefix);
        if (prefix.length > 0) {
          Thread.sleep(50); // let the good message be answered before the bad one starts
        }
        sendIgnoringClose(w, body(total), 64 * KIB);
        long lastWrite = System.nanoTime();
        List<JsonNode> replies = new ArrayList<>();
        try {
          for (;;) {
            replies.add(w.read());
          }
        } catch (IOException closed) {
          // read to the end
        }
        long close = Probe.ms(lastWrite);
        System.out.printf("T01 %s replies: %s%n", framing, replies);
        if (framing == Framing.CONCATENATED) {
          assertThat(replies).as("the good message before the bad one is answered")
              .anyMatch(r -> r.path("id").asInt() == 1 && r.path("result").asInt() == 2);
        }
        assertThat(replies).as("limit exceeded")
            .anyMatch(r -> r.path("error").path("code").asInt() == -32004);
        closedAfterMs = Probe.ms(lastWrite);
      }
      long peak = buffered.peak();
      System.out.printf("T01 %s: closed %d ms after the last byte; decoder held at most %d bytes%n", framing,
          closedAfterMs, peak);
      assertThat(closedAfterMs).as("close <= 1 s").isLessThanOrEqualTo(1000);
      assertThat(peak).as("buffered <= 1 MiB + 64 KiB").isLessThanOrEqualTo(MIB + 64 * KIB);
      Thread.sleep(50);
      assertThat(log.lines("message exceeds " + MIB)).as("one log line").isEqualTo(1);
    }
    assertServed(framing);
  }

  /** A JSON text that has not ended after {@code n} bytes: an open string. */
  private static byte[] body(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'a');
    byte[] head = Wire.utf8("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"");
    System.arraycopy(head, 0, b, 0, head.length);
    return b;
  }

  private static void sendIgnoringClose(Wire w, byte[] bytes, int chunk) {
    try {
      for (int off = 0; off < bytes.length; off += chunk) {
        w.raw(Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + chunk)));
      }
    } catch (IOException closedEarly) {
      // the server may close before everything was written: that is allowed
    }
  }

  // ------------------------------------------------------------------------------------------------ T02

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length: 2147483648\r\n\r\n", "Content-Length: 99999999999999999999\r\n\r\n",
      "Content-Length: -1\r\n\r\n", "Content-Length: 10\r\nContent-Length: 10\r\n\r\n",
      "Content-Length: 12a\r\n\r\n"})
  void t02_badContentLengthIsRejectedBeforeAnyAllocation(String header) throws Exception {
    start(b -> {});
    assertServed(Framing.CONTENT_LENGTH);
    long before = Probe.allocatorUsed();
    try (Wire w = new Wire(server.port(), Framing.CONTENT_LENGTH);
        Probe.PeakSampler held = new Probe.PeakSampler(() -> Probe.maxOver(server, Probe::inboundBuffered), 1)) {
      long sent = System.nanoTime();
      w.raw(header);
      JsonNode error = w.read();
      long close = w.awaitClose(1000);
      long ms = Probe.ms(sent);
      // The allocator grows in chunks (a new adaptive-allocator chunk is 384 KiB here), so it only shows that no
      // large buffer was taken; the decoder's own count shows what was held.
      long allocatorGrowth = Probe.allocatorUsed() - before;
      long grown = held.peak();
      System.out.printf("T02 %s: error %s, closed after %d ms, allocator grew %d bytes%n",
          header.replace("\r\n", "|"), error.path("error").path("code"), ms, grown);
      assertThat(error.path("error").path("code").asInt()).isIn(-32600, -32004);
      assertThat(close).as("closed").isGreaterThanOrEqualTo(0);
      assertThat(ms).as("rejected and closed <= 100 ms").isLessThanOrEqualTo(100);
      assertThat(grown).as("no buffer > 64 KiB").isLessThanOrEqualTo(64 * KIB);
      assertThat(allocatorGrowth).as("no allocation of the announced size").isLessThan(MIB);
    }
  }

  // ------------------------------------------------------------------------------------------------ T05

  @ParameterizedTest
  @EnumSource(value = Framing.class, names = {"NEWLINE", "CONTENT_LENGTH"})
  void t05_deepNestingIsAnErrorNeverAStackOverflow(Framing framing) throws Exception {
    start(b -> {});
    String deep257 = "[".repeat(257) + "]".repeat(257);
    String deep100k = "[".repeat(100_000) + "]".repeat(100_000);
    List<String> inputs = List.of(
        call("any", "[" + deep257 + "]", 1),
        deep100k,
        call("any", "{\"o\":" + "{\"a\":".repeat(300) + "1" + "}".repeat(300) + "}", 2),
        "[" + call("any", "[" + deep257 + "]", 3) + "]");
    try (LogCapture log = new LogCapture(); Wire w = new Wire(server.port(), framing)) {
      w.call(call("add", "[1,2]", 0)); // warm up
      for (String input : inputs) {
        long start = System.nanoTime();
        JsonNode reply = w.call(input);
        long ms = Probe.ms(start);
        JsonNode error = reply.isArray() ? reply.get(0).path("error") : reply.path("error");
        System.out.printf("T05 %s: %d bytes -> %s in %d ms%n", framing, input.length(), error.path("code"), ms);
        assertThat(error.path("code").asInt()).isIn(-32700, -32600);
        assertThat(ms).as("reply <= 200 ms").isLessThanOrEqualTo(200);
        assertThat(w.call(call("add", "[1,2]", 7)).path("result").asInt()).as("connection still answers")
            .isEqualTo(3);
      }
      assertThat(log.text()).doesNotContain("StackOverflowError");
    }
  }

  // ------------------------------------------------------------------------------------------------ T06

  @Test
  void t06_hostileNumbersAreRefusedCheaply() throws Exception {
    start(b -> {});
    String digits1001 = "9".repeat(1001);
    List<String[]> cases = List.of(
        new String[] {"num", "[" + digits1001 + "]"},
        new String[] {"bigint", "[" + digits1001 + "]"},
        new String[] {"dbl", "[" + digits1001 + "]"},
        new String[] {"bigint", "[1e999999999]"},
        new String[] {"num", "[1e999999999]"},
        new String[] {"dbl", "[\"NaN\"]"},
        new String[] {"num", "[\"NaN\"]"},
        new String[] {"bigint", "[\"1e999999999\"]"});
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.call(call("add", "[1,2]", 0));
      int id = 1;
      for (String[] c : cases) {
        long start = System.nanoTime();
        JsonNode reply = w.call(call(c[0], c[1], id++));
        long ms = Probe.ms(start);
        System.out.printf("T06 %s(%.40s) -> %.200s in %d ms%n", c[0], c[1], reply, ms);
        assertThat(reply.path("error").path("code").asInt()).as("%s %.40s", c[0], c[1]).isIn(-32700, -32602);
        assertThat(ms).as("<= 100 ms").isLessThanOrEqualTo(100);
      }
      // -0 is a valid JSON number: it binds (to 0) or is refused, but cheaply either way.
      JsonNode negZero = w.call(call("num", "[-0]", 100));
      assertThat(negZero.has("result") ? negZero.get("result").asLong() : negZero.path("error").path("code")
          .asLong()).isIn(0L, -32602L);
    }
  }

  @Test
  void t06_numbersShortInTextButHugeInScaleAreRefusedBeforeAnyMethodRuns() throws Exception {
    start(b -> {});
    // 62 bytes that used to make a worker build a hundred-million-digit number.
    List<String[]> cases = List.of(
        new String[] {"sum", "[[1e100000000, 1]]"},
        new String[] {"sum", "{\"xs\": [1, -1E-100000000]}"},
        new String[] {"bigint", "[1e100000]"},
        new String[] {"number", "[1e10000]"},
        new String[] {"any", "[{\"deep\": [[2e-99999]]}]"},
        new String[] {"map", "[{\"k\": 1e100000000}]"},
        new String[] {"tree", "[[1, 2, 3e77777]]"});
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.call(call("add", "[1,2]", 0));
      int before = impl.invocations.get();
      int id = 1;
      for (String[] c : cases) {
        long start = System.nanoTime();
        JsonNode reply = w.call(call(c[0], c[1], id));
        long ms = Probe.ms(start);
        assertThat(reply.path("error").path("code").asInt()).as("%s %s", c[0], c[1]).isEqualTo(-32602);
        assertThat(reply.path("id").asInt()).isEqualTo(id++);
        assertThat(reply.path("error").path("data").asText()).contains("9999");
        assertThat(ms).as("<= 100 ms").isLessThanOrEqualTo(100);
      }
      assertThat(impl.invocations.get()).as("no method ran").isEqualTo(before);
      // Within the bound they are ordinary numbers, computed exactly.
      JsonNode ok = w.call(call("sum", "[[1e9999, 2.5, -1e9999]]", 50));
      assertThat(ok.path("result").decimalValue()).isEqualByComparingTo(new BigDecimal("2.5"));
    }
  }

  // ----------------------------------------------------------------------------- outbound message limit

  /** A request of about 1 MB whose reply in plain notation would be about 1.5 GB. */
  private static String expandingEcho(int id) {
    String numbers = String.join(",", Collections.nCopies(150_000, "1e9999"));
    return call("any", "[[" + numbers + "]]", id);
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  void aReplyPastTheOutboundLimitIsStoppedWhileWrittenAndTheCallAnsweredWithLimitExceeded(Framing framing)
      throws Exception {
    start(b -> {});
    try (LogCapture log = new LogCapture(); Wire w = new Wire(server.port(), framing)) {
      w.soTimeout(10_000);
      JsonNode reply = w.call(expandingEcho(7));
      assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32004);
      assertThat(reply.path("id").asInt()).isEqualTo(7);
      assertThat(reply.path("error").path("message").asText()).contains(String.valueOf(4 * MIB));
      assertThat(w.call(call("add", "[2,3]", 8)).path("result").asInt()).as("the connection still serves")
          .isEqualTo(5);
      assertThat(log.lines("exceeds " + 4 * MIB + " bytes")).isEqualTo(1);
    }
  }

  @Test
  void theOutboundLimitHoldsOverHttpAndIsConfigurable() throws Exception {
    start(b -> b.maxOutboundMessageBytes(64 * KIB));
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rpc"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(call("echo", "[\"" + "x".repeat(65 * KIB) + "\"]", 3)))
        .build(), HttpResponse.BodyHandlers.ofString());
    JsonNode reply = Wire.JSON.readTree(big.body());
    assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32004);
    assertThat(reply.path("id").asInt()).isEqualTo(3);
    assertThat(impl.invocations.get()).as("the call ran; only its result was not sent").isEqualTo(1);
  }

  @Test
  void anErrorReplyPastTheOutboundLimitGoesWithoutItsMessage() throws Exception {
    start(b -> b.maxOutboundMessageBytes(64 * KIB));
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      JsonNode small = w.call(call("failWith", "[100]", 1));
      assertThat(small.path("error").path("code").asInt()).isEqualTo(1000);
      JsonNode big = w.call(call("failWith", "[" + 65 * KIB + "]", 2));
      assertThat(big.path("error").path("code").asInt()).isEqualTo(-32004);
      assertThat(big.path("id").asInt()).isEqualTo(2);
    }
  }

  @Test
  void anErrorWhoseDataCannotBeWrittenIsAnsweredWithoutIt() throws Exception {
    start(b -> {});
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      JsonNode reply = w.call(call("failWithUnwritableData", "[\"exception\"]", 3));
      assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32603);
      assertThat(reply.path("id").asInt()).isEqualTo(3);
      assertThat(w.call(call("add", "[1,2]", 4)).path("result").asInt()).isEqualTo(3);
    }
  }

  @Test
  void aCallThatCannotBeAnsweredAtAllClosesItsConnectionSoThatItsCallerLearns() throws Exception {
    start(b -> {});
    try (LogCapture log = new LogCapture(); Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.send(call("failWithUnwritableData", "[\"error\"]", 5));
      assertThat(w.awaitClose(5000)).as("closed, as a lost connection").isGreaterThanOrEqualTo(0);
      assertThat(log.text()).contains("cannot answer a call");
    }
    assertServed(Framing.NEWLINE);
  }

  @Test
  void aClientRequestPastItsOutboundLimitFailsWithoutSendingAByte() throws Exception {
    start(b -> {});
    try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port())
        .maxOutboundMessageBytes(64 * KIB).build()) {
      Api api = client.create(Api.class);
      assertThat(api.echo("small")).isEqualTo("small");
      int before = impl.invocations.get();
      assertThatThrownBy(() -> api.echo("x".repeat(65 * KIB)))
          .isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.error().code()).isEqualTo(-32004);
            assertThat(e.getMessage()).contains("not sent");
          });
      assertThat(api.echo("after")).isEqualTo("after");
      assertThat(impl.invocations.get()).as("only the two small calls ran").isEqualTo(before + 1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"throw", "result"})
  void anErrorInAWorkerAnswersTheCallAndLeavesTheWorkerAlive(String how) throws Exception {
    start(b -> b.workerThreads(1));
    try (LogCapture log = new LogCapture(); Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      String worker = w.call(call("thread", "[]", 1)).path("result").asText();
      JsonNode reply = w.call(call("explode", "[\"" + how + "\"]", 2));
      assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32603);
      assertThat(reply.path("id").asInt()).isEqualTo(2);
      assertThat(w.call(call("thread", "[]", 3)).path("result").asText()).as("the same worker thread")
          .isEqualTo(worker);
      assertThat(log.text()).doesNotContain("Exception in thread");
    }
  }

  // ------------------------------------------------------------------------------------------------ T07

  @Test
  void t07_longNameRejectedLongStringAccepted() throws Exception {
    start(b -> {});
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.call(call("add", "[1,2]", 0));
      long start = System.nanoTime();
      JsonNode name = w.call(call("map", "[{\"" + "n".repeat(60_000) + "\":1}]", 1));
      long nameMs = Probe.ms(start);
      assertThat(name.path("error").path("code").asInt()).as("60 000-char name").isEqualTo(-32700);

      int n = 3 * MIB;
      w.call(call("len", "[\"" + "w".repeat(n) + "\"]", 0)); // warm up the path for large strings
      start = System.nanoTime();
      JsonNode string = w.call(call("len", "[\"" + "s".repeat(n) + "\"]", 2));
      long stringMs = Probe.ms(start);
      System.out.printf("T07 name -> %s in %d ms; 3 MiB string -> %s in %d ms%n", name.path("error").path("code"),
          nameMs, string.path("result"), stringMs);
      assertThat(string.path("result").asInt()).as("3 MiB string accepted").isEqualTo(n);
      assertThat(nameMs).as("<= 200 ms").isLessThanOrEqualTo(200);
      assertThat(stringMs).as("<= 200 ms").isLessThanOrEqualTo(200);
    }
  }

  // ------------------------------------------------------------------------------------------------ T11

  @Test
  void t11_batchOfTooManyItemsRunsNothing() throws Exception {
    start(b -> b.maxBatchItems(100).maxBatchResponseBytes(MIB));
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 101; i++) {
      batch.append(i == 0 ? "" : ",").append(call("count", "[]", i));
    }
    batch.append(']');
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      long start = System.nanoTime();
      JsonNode reply = w.call(batch.toString());
      long ms = Probe.ms(start);
      System.out.printf("T11 batch of 101 -> %s in %d ms, %d executed%n", reply, ms, impl.counted.get());
      JsonNode error = reply.isArray() ? reply : reply.path("error");
      assertThat(reply.isObject()).as("one error, not an array").isTrue();
      assertThat(error.path("code").asInt()).isEqualTo(-32004);
      Thread.sleep(100);
      assertThat(impl.counted.get()).as("nothing executed").isZero();
      assertThat(ms).isLessThanOrEqualTo(1000);
    }
  }

  @Test
  void t11_batchResponseIsCutAtTheLimitWithBoundedBuffering() throws Exception {
    start(b -> b.maxBatchItems(100).maxBatchResponseBytes(MIB));
    int each = 30 * KIB; // 100 x 30 KiB = 3 MiB of results
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 100; i++) {
      // The last call is slower, so the others' results are all done while the batch waits for it.
      batch.append(i == 0 ? "" : ",").append(call("blob", "[" + each + "," + (i == 99 ? 100 : 0) + "]", i));
    }
    batch.append(']');
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.call(call("add", "[1,2]", "\"warm\""));
      long base = Probe.allocatorUsed();
      JsonNode reply;
      long ms;
      long peak;
      String text;
      try (Probe.PeakSampler mem = new Probe.PeakSampler(Probe::allocatorUsed, 1)) {
        long start = System.nanoTime();
        w.send(batch.toString());
        text = w.readText();
        ms = Probe.ms(start);
        peak = mem.peak() - base;
      }
      reply = Wire.JSON.readTree(text);
      assertThat(reply.isArray()).isTrue();
      assertThat(reply.size()).as("every call answered").isEqualTo(100);
      int ok = 0;
      int cut = 0;
      List<Integer> order = new ArrayList<>();
      for (JsonNode r : reply) {
        order.add(r.path("id").asInt());
        if (r.has("result")) {
          // Calls in a batch run in parallel and are charged to the budget as they complete, so the cut
          // results are the last to finish, not necessarily the last in the array.
          ok++;
        } else {
          assertThat(r.path("error").path("code").asInt()).isEqualTo(-32004);
          cut++;
        }
      }
      System.out.printf("T11 batch of 100 x 30 KiB: %d results, %d cut, reply %d bytes in %d ms; allocator peak "
          + "+%d bytes%n", ok, cut, text.length(), ms, peak);
      assertThat(text.length()).as("reply within the limit plus small errors")
          .isLessThanOrEqualTo(MIB + 100 * 200);
      assertThat(ok).isBetween(30, 34);
      assertThat(ms).as("<= 1 s").isLessThanOrEqualTo(1000);
      // RELIABILITY.md bounds buffering at 2 MiB. The allocator's figure (printed above) cannot check that:
      // Netty 4.2's adaptive allocator reports the chunks it reserved, per thread, and read 4-11 MiB here
      // from run to run. What holds the results is checked instead: the reply, which is everything the
      // batch kept, stays within the 1 MiB budget, because each result is charged as it completes.
      assertThat(cut).as("results past the budget were dropped as they completed").isGreaterThan(0);
    }
  }

  // ------------------------------------------------------------------------------------------------ T26

  @Test
  void t26_connectionsPastTheCapAreClosedAtOnce() throws Exception {
    start(b -> b.maxConnections(100).ioThreads(2));
    // Warm up both I/O threads so they count in the baseline.
    for (int i = 0; i < 4; i++) {
      assertServed(Framing.NEWLINE);
    }
    Thread.sleep(200);
    int fdBase = Probe.fdCount();
    int threadBase = Probe.threadCount();
    List<Wire> wires = new ArrayList<>();
    try (LogCapture log = new LogCapture()) {
      long start = System.nanoTime();
      for (int i = 0; i < 150; i++) {
        wires.add(new Wire(server.port(), Framing.NEWLINE));
      }
      int works = 0;
      int refused = 0;
      for (int i = 0; i < wires.size(); i++) {
        Wire w = wires.get(i);
        w.soTimeout(2000);
        try {
          JsonNode r = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"$/ping\",\"id\":" + i + "}");
          assertThat(r.path("result").asText()).isEqualTo("pong");
          works++;
        } catch (IOException closed) {
          refused++;
        }
      }
      long ms = Probe.ms(start);
      Thread.sleep(50);
      long logLines = log.lines("Refusing a connection");
      System.out.printf("T26 150 connections: %d work, %d refused, %d log lines, %d ms%n", works, refused,
          logLines, ms);
      assertThat(works).as("the first 100 still work").isEqualTo(100);
      assertThat(refused).as("50 refused").isEqualTo(50);
      // A flood of refusals is not a flood of lines: at most one a second, counting the rest.
      assertThat(logLines).as("rate-limited log lines").isBetween(1L, 3L);
      assertThat(ms).as("<= 2 s").isLessThanOrEqualTo(2000);
    } finally {
      for (Wire w : wires) {
        w.close();
      }
    }
    long deadline = System.nanoTime() + 2_000_000_000L;
    int fd = Probe.fdCount();
    int threads = Probe.threadCount();
    while (System.nanoTime() < deadline && (fd > fdBase || threads > threadBase)) {
      Thread.sleep(20);
      fd = Probe.fdCount();
      threads = Probe.threadCount();
    }
    System.out.printf("T26 after close: fds %d (baseline %d), threads %d (baseline %d)%n", fd, fdBase, threads,
        threadBase);
    assertThat(fd).as("FDs back to baseline").isLessThanOrEqualTo(fdBase);
    assertThat(threads).as("threads back to baseline").isLessThanOrEqualTo(threadBase);
  }
}
