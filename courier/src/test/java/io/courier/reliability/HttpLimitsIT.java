package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.RawHttp;
import io.courier.testing.RawWebSocket.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** HTTP/1.1 body limits and request smuggling, on raw sockets: T03, T36. */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class HttpLimitsIT {

  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

  private final Harness harness = new Harness(Duration.ofMillis(500));
  private final Api.Impl impl = harness.impl;
  private RpcServer server;

  private RpcServer start(Consumer<RpcServerBuilder> config) {
    server = harness.start(config);
    return server;
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private static String call(String method, String params, Object id) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + ",\"id\":" + id + "}";
  }

  /** A complete {@code POST /rpc} with a JSON body and a Content-Length. */
  private static String post(String json) {
    return "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
  }

  /** A new connection still gets an answer over HTTP. */
  private void assertServed() throws IOException {
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      h.send(post(call("add", "[2,3]", 99)));
      HttpResponse r = h.read();
      assertThat(r.status()).as("a second client is still served: %s", r).isEqualTo(200);
      assertThat(Wire.JSON.readTree(r.body()).path("result").asInt()).isEqualTo(5);
    }
  }

  // ------------------------------------------------------------------------------------------------ T03

  @Test
  void t03_contentLengthOverTheLimitIsAnswered413BeforeTheBody() throws Exception {
    start(b -> {}); // the default limit, 4 MiB
    assertServed(); // warm up
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      // Only the head: the 413 must come from the announced length, without waiting for (or reading) a body.
      h.send("POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
          + 5 * MIB + "\r\n\r\n");
      long sent = System.nanoTime();
      HttpResponse r = h.read();
      long answeredMs = Probe.ms(sent);
      long closed = h.awaitEof(2000);
      long ms = Probe.ms(sent);
      System.out.printf("T03 Content-Length 5 MiB: %d after %d ms, closed after %d ms%n", r.status(), answeredMs, ms);
      assertThat(r.status()).as("%s", r).isEqualTo(413);
      assertThat(closed).as("closed").isGreaterThanOrEqualTo(0);
      assertThat(ms).as("413 and close <= 1 s").isLessThanOrEqualTo(1000);
    }
    assertThat(impl.invocations.get()).as("only the warm-up call ran").isEqualTo(1);
    assertServed();
  }

  @Test
  void t03_chunkedBodyStopsBeingReadAtTheLimit() throws Exception {
    // A 1 MiB limit, so that 4 of the 5 MiB lie past it: far more than the socket buffers on the way could hide.
    int limit = MIB;
    int total = 5 * MIB;
    int chunk = 64 * KIB;
    start(b -> b.maxMessageBytes(limit));
    assertServed();
    // A small send buffer, so that what the writer got out is close to what reached the server.
    try (RawHttp h = new RawHttp(server.port(), 64 * KIB)) {
      h.send("POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      byte[] body = openJson(total);
      AtomicLong written = new AtomicLong();
      AtomicLong crossed = new AtomicLong();
      // Past the limit the writer slows to one 64 KiB chunk per 20 ms: the rest would take 1.3 s, longer than
      // the 1 s the server has to answer and close, so a server that keeps reading lets the writer finish.
      CompletableFuture<Boolean> finished = CompletableFuture.supplyAsync(() -> {
        try {
          for (int off = 0; off < total; off += chunk) {
            boolean past = off + chunk > limit;
            if (past) {
              crossed.compareAndSet(0, System.nanoTime()); // before the write: the server may answer within it
            }
            h.out.write((Integer.toHexString(chunk) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            h.out.write(body, off, chunk);
            h.out.write(new byte[] {'\r', '\n'});
            h.out.flush();
            written.addAndGet(chunk);
            if (past) {
              Thread.sleep(20);
            }
          }
          h.out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          h.out.flush();
          return true;
        } catch (IOException closedEarly) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }, runnable -> {
        Thread t = new Thread(runnable, "t03-writer");
        t.setDaemon(true);
        t.start();
      });
      HttpResponse r = h.read();
      long answered = System.nanoTime();
      long closed = h.awaitEof(2000);
      long closedAt = System.nanoTime();
      boolean writerFinished = finished.get(10, TimeUnit.SECONDS);
      long crossedAt = crossed.get();
      long answeredMs = crossedAt == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(answered - crossedAt);
      long closedMs = crossedAt == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(closedAt - crossedAt);
      System.out.printf("T03 chunked 5 MiB, limit 1 MiB: %d %d ms and closed %d ms after the limit was crossed; "
          + "writer got %d KiB out and %s%n", r.status(), answeredMs, closedMs, written.get() / KIB,
          writerFinished ? "finished" : "failed");
      assertThat(r.status()).as("%s", r).isEqualTo(413);
      assertThat(closed).as("closed").isGreaterThanOrEqualTo(0);
      assertThat(crossedAt).as("the 413 came only after the limit was crossed").isNotZero();
      assertThat(closedMs).as("413 and close <= 1 s after the limit").isBetween(0L, 1000L);
      assertThat(writerFinished).as("the server stopped reading: the writer could not send all 5 MiB").isFalse();
      assertThat(written.get()).as("bytes out before the connection failed").isLessThan(total);
    }
    assertThat(impl.invocations.get()).as("only the warm-up call ran").isEqualTo(1);
    assertServed();
  }

  /** {@code n} bytes of a JSON text that has not ended: an open string. */
  private static byte[] openJson(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'a');
    byte[] head = Wire.utf8("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"");
    System.arraycopy(head, 0, b, 0, head.length);
    return b;
  }

  // ------------------------------------------------------------------------------------------------ T36

  private static final String COUNT_1 = call("count", "[]", 1);
  private static final String COUNT_2 = call("count", "[]", 2);
  private static final String HEAD = "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";

  private static String chunkedBody(String json, String eol) {
    return Integer.toHexString(json.getBytes(StandardCharsets.UTF_8).length) + eol + json + eol + "0" + eol + eol;
  }

  /**
   * Each input is one HTTP request the server must refuse (400, then close), followed by a second, valid request
   * smuggled behind it. Both bodies call {@code count}, so a dispatch of either shows in the counter, and an
   * answer to the second shows on the wire.
   */
  static Stream<Arguments> smuggling() {
    String smuggled = post(COUNT_2);
    String chunked = chunkedBody(COUNT_1, "\r\n");
    return Stream.of(
        Arguments.of("CL then TE",
            HEAD + "Content-Length: " + chunked.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
                + smuggled),
        // A short Content-Length makes the chunk look like the start of a second request to a CL reader.
        Arguments.of("TE then short CL",
            HEAD + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + chunked + smuggled),
        Arguments.of("TE chunked, identity",
            HEAD + "Transfer-Encoding: chunked, identity\r\n\r\n" + chunked + smuggled),
        Arguments.of("LF-only chunk lines",
            HEAD + "Transfer-Encoding: chunked\r\n\r\n" + chunkedBody(COUNT_1, "\n") + smuggled),
        Arguments.of("LF-only header lines",
            post(COUNT_1).replace("\r\n", "\n") + smuggled),
        // 0x100000004 truncated to 32 bits is 4: a reader that overflows takes "ABCD" as the chunk, then the rest.
        Arguments.of("chunk size 100000004",
            HEAD + "Transfer-Encoding: chunked\r\n\r\n100000004\r\nABCD\r\n0\r\n\r\n" + smuggled));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smuggling")
  void t36_ambiguousFramingIs400AndCloseAndNothingIsDispatched(String name, String bytes) throws Exception {
    start(b -> {});
    assertServed(); // warm up the HTTP path
    int before = impl.counted.get();
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      h.send(bytes);
      long sent = System.nanoTime();
      HttpResponse r = h.read();
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      boolean closed = h.drainToEof(2000, rest);
      long ms = Probe.ms(sent);
      Thread.sleep(100); // a dispatch the server started anyway would show in the counter by now
      int dispatched = impl.counted.get() - before;
      System.out.printf("T36 %s: %d, closed %s after %d ms, %d bytes after the response, %d dispatched%n", name,
          r.status(), closed, ms, rest.size(), dispatched);
      assertThat(r.status()).as("%s: %s", name, r).isEqualTo(400);
      assertThat(closed).as("%s: closed", name).isTrue();
      assertThat(rest.toString(StandardCharsets.ISO_8859_1)).as("%s: no answer to the smuggled request", name)
          .isEmpty();
      assertThat(dispatched).as("%s: nothing dispatched", name).isZero();
      assertThat(ms).as("%s: 400 and close <= 100 ms", name).isLessThanOrEqualTo(100);
    }
    assertServed();
  }

  @Test
  void t36_oneHttpRequestNeverDispatchesTwoCalls() throws Exception {
    start(b -> {});
    assertServed();
    String[] bodies = {COUNT_1 + COUNT_2, COUNT_1 + "\n" + COUNT_2, COUNT_1 + "\r\n\r\n" + COUNT_2};
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      for (String body : bodies) {
        long sent = System.nanoTime();
        h.send(post(body));
        HttpResponse r = h.read();
        long ms = Probe.ms(sent);
        JsonNode reply = Wire.JSON.readTree(r.body());
        System.out.printf("T36 two messages in one body (%s): %d %s in %d ms%n",
            body.substring(COUNT_1.length(), body.indexOf('{', 1)).replace("\n", "\\n").replace("\r", "\\r"),
            r.status(), reply, ms);
        // JSON-RPC level: trailing data after the first value is a parse error (T10), not a second call.
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(reply.isObject()).as("one reply, not two").isTrue();
        assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(ms).isLessThanOrEqualTo(100);
      }
      Thread.sleep(100);
      assertThat(impl.counted.get()).as("nothing dispatched").isZero();
      h.send(post(call("add", "[1,2]", 3)));
      assertThat(Wire.JSON.readTree(h.read().body()).path("result").asInt()).as("the connection still answers")
          .isEqualTo(3);
    }
  }
}
