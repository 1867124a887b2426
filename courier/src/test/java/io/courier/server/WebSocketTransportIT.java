package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.RawWebSocket.Frame;
import io.courier.testing.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * JSON-RPC over WebSocket on the shared port, frame by frame on a raw socket: calls, batches, notifications,
 * fragmented messages, ping, binary frames and parse errors.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class WebSocketTransportIT {

  interface Svc {
    int add(int a, int b);

    String echo(String s);

    void hit();
  }

  static final class SvcImpl implements Svc {
    final AtomicInteger hits = new AtomicInteger();

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public String echo(String s) {
      return s;
    }

    @Override
    public void hit() {
      hits.incrementAndGet();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SvcImpl impl = new SvcImpl();
  private RpcServer server;
  private RawWebSocket ws;

  @BeforeEach
  void start() throws IOException {
    server = RpcServer.builder().host("127.0.0.1").port(0).service(Svc.class, impl).maxMessageBytes(64 * 1024)
        .build().start();
    ws = RawWebSocket.connect(server.port(), "/ws");
  }

  @AfterEach
  void stop() throws IOException {
    if (ws != null) {
      ws.close();
    }
    server.stop(Duration.ofMillis(500));
  }

  private static String call(String method, String params, Object id) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + ",\"id\":" + id + "}";
  }

  private static String notification(String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  private JsonNode reply() throws IOException {
    return JSON.readTree(ws.readText());
  }

  private void assertStillAnswers(int id) throws IOException {
    ws.sendText(call("add", "[40,2]", id));
    JsonNode r = reply();
    assertThat(r.path("id").asInt()).as("the next reply is the next call's: %s", r).isEqualTo(id);
    assertThat(r.path("result").asInt()).isEqualTo(42);
  }

  @Test
  void callIsAnsweredWithATextFrame() throws Exception {
    ws.sendText(call("add", "[2,3]", 1));
    Frame f = ws.readFrame();
    assertThat(f.opcode()).as("%s", f).isEqualTo(RawWebSocket.TEXT);
    assertThat(f.fin()).isTrue();
    assertThat(f.masked()).as("server frames are not masked").isFalse();
    JsonNode r = JSON.readTree(f.payload());
    assertThat(r.path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(r.path("result").asInt()).isEqualTo(5);
    assertThat(r.path("id").asInt()).isEqualTo(1);
    assertStillAnswers(2);
  }

  @Test
  void batchIsAnsweredWithOneArray() throws Exception {
    ws.sendText("[" + call("add", "[1,2]", 1) + "," + notification("hit", "[]") + "," + call("echo", "[\"x\"]", 2)
        + "]");
    JsonNode r = reply();
    assertThat(r.isArray()).as("%s", r).isTrue();
    assertThat(r.size()).as("the notification is not answered").isEqualTo(2);
    Map<Integer, String> byId = new HashMap<>();
    r.forEach(n -> byId.put(n.path("id").asInt(), n.path("result").asText()));
    assertThat(byId).isEqualTo(Map.of(1, "3", 2, "x"));
  }

  @Test
  void notificationGetsNoReply() throws Exception {
    ws.sendText(notification("hit", "[]"));
    ws.sendText("[" + notification("hit", "[]") + "," + notification("hit", "[]") + "]");
    // The first frame back must be the reply to this call: nothing was sent for the notifications.
    assertStillAnswers(7);
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (impl.hits.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(impl.hits.get()).as("each notification ran once").isEqualTo(3);
  }

  @Test
  void fragmentedMessageIsReassembled() throws Exception {
    byte[] whole = call("echo", "[\"" + "f".repeat(3000) + "\"]", 3).getBytes(StandardCharsets.UTF_8);
    int a = 1000;
    int b = 2000;
    ws.sendFrame(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(whole, 0, a));
    ws.sendFrame(false, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(whole, a, b));
    // A control frame may come between the fragments of a message.
    ws.sendFrame(true, RawWebSocket.PING, "mid".getBytes(StandardCharsets.UTF_8));
    ws.sendFrame(true, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(whole, b, whole.length));
    // The pong goes out when the read that brought the ping ends, the reply when it is ready: either may be first.
    Frame first = ws.readFrame();
    Frame second = ws.readFrame();
    Frame pong = first.opcode() == RawWebSocket.PONG ? first : second;
    Frame text = pong == first ? second : first;
    assertThat(pong.opcode()).as("%s", pong).isEqualTo(RawWebSocket.PONG);
    assertThat(pong.text()).isEqualTo("mid");
    assertThat(text.opcode()).as("%s", text).isEqualTo(RawWebSocket.TEXT);
    JsonNode r = JSON.readTree(text.text());
    assertThat(r.path("id").asInt()).isEqualTo(3);
    assertThat(r.path("result").asText()).isEqualTo("f".repeat(3000));
    assertStillAnswers(4);
  }

  @Test
  void pingIsAnsweredWithPong() throws Exception {
    ws.sendFrame(true, RawWebSocket.PING, "hello".getBytes(StandardCharsets.UTF_8));
    Frame f = ws.readFrame();
    assertThat(f.opcode()).as("%s", f).isEqualTo(RawWebSocket.PONG);
    assertThat(f.text()).as("the pong echoes the ping's payload").isEqualTo("hello");
    assertStillAnswers(1);
  }

  @Test
  void aFloodOfPingsIsAnsweredWithAPongForTheLastPingOfEachRead() throws Exception {
    ByteArrayOutputStream pings = new ByteArrayOutputStream();
    for (int i = 0; i < 1000; i++) {
      pings.write(RawWebSocket.frame(true, RawWebSocket.PING, ("p" + i).getBytes(StandardCharsets.UTF_8), true));
    }
    ws.raw(pings.toByteArray());
    ws.sendText(call("add", "[1,2]", 1));
    // The reply may come before the last pong: a pong goes out when its read ends, a reply when it is ready.
    List<String> pongs = new ArrayList<>();
    String reply = null;
    while (reply == null || !pongs.contains("p999")) {
      Frame f = ws.readFrame();
      if (f.opcode() == RawWebSocket.PONG) {
        pongs.add(f.text());
      } else {
        assertThat(f.opcode()).as("%s", f).isEqualTo(RawWebSocket.TEXT);
        reply = f.text();
      }
    }
    assertThat(JSON.readTree(reply).path("result").asInt()).isEqualTo(3);
    assertThat(pongs).as("one pong per read, not per ping").hasSizeLessThan(100);
    assertThat(pongs.get(pongs.size() - 1)).as("the last ping is answered last").isEqualTo("p999");
  }

  @Test
  void binaryFrameIsClosedWith1003() throws Exception {
    ws.sendFrame(true, RawWebSocket.BINARY, call("add", "[1,2]", 1).getBytes(StandardCharsets.UTF_8));
    Frame close = ws.awaitCloseFrame(2000);
    assertThat(close).as("a close frame").isNotNull();
    assertThat(close.closeStatus()).as("%s", close).isEqualTo(1003);
    assertThat(ws.awaitEof(2000)).as("then the TCP connection closes").isGreaterThanOrEqualTo(0);
  }

  @Test
  void parseErrorIsAnsweredAndTheSocketStaysOpen() throws Exception {
    ws.sendText("{\"jsonrpc\":\"2.0\",\"method\":");
    JsonNode r = reply();
    assertThat(r.path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(r.path("error").path("code").asInt()).as("%s", r).isEqualTo(-32700);
    assertThat(r.has("id") && r.get("id").isNull()).as("id null: %s", r).isTrue();
    ws.sendText("not json at all");
    assertThat(reply().path("error").path("code").asInt()).isEqualTo(-32700);
    assertStillAnswers(5);
  }

  @Test
  void idleSocketIsPingedAndStaysOpenWhileItAnswersPongs() throws Exception {
    server.stop(Duration.ZERO);
    ws.close();
    server = RpcServer.builder().host("127.0.0.1").port(0).service(Svc.class, impl)
        .idleTimeout(Duration.ofMillis(600)).build().start();
    ws = RawWebSocket.connect(server.port(), "/ws");

    // Three idle timeouts pass: each ping is answered, so the socket stays open.
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1800);
    int pings = 0;
    while (System.nanoTime() < until) {
      Frame f = ws.readFrame();
      assertThat(f.opcode()).as("%s", f).isEqualTo(RawWebSocket.PING);
      pings++;
      ws.sendFrame(true, RawWebSocket.PONG, f.payload());
    }
    assertThat(pings).as("pings in 1.8 s with a 600 ms idle timeout").isGreaterThanOrEqualTo(2);
    assertStillAnswers(6);
  }

  @Test
  void idleSocketThatDoesNotAnswerPingsIsClosedAtTheIdleTimeout() throws Exception {
    server.stop(Duration.ZERO);
    ws.close();
    server = RpcServer.builder().host("127.0.0.1").port(0).service(Svc.class, impl)
        .idleTimeout(Duration.ofMillis(600)).build().start();
    ws = RawWebSocket.connect(server.port(), "/ws");

    Frame ping = ws.readFrame();
    assertThat(ping.opcode()).as("%s", ping).isEqualTo(RawWebSocket.PING);
    assertThat(ws.awaitEof(3000)).as("closed after the unanswered ping").isGreaterThanOrEqualTo(0);
  }

  @Test
  void upgradeFromAPageOfAnotherOriginIsRefusedUnlessAllowed() throws Exception {
    assertThatThrownBy(() -> RawWebSocket.connect(server.port(), "/ws", Map.of("Origin", "http://evil.example"), 0))
        .hasMessageContaining("403");
    // A page of the server itself may connect, as may programs that send no Origin (the default connection).
    try (RawWebSocket own = RawWebSocket.connect(server.port(), "/ws",
        Map.of("Origin", "http://127.0.0.1:" + server.port()), 0)) {
      own.sendText(call("add", "[1,1]", 1));
      assertThat(JSON.readTree(own.readText()).path("result").asInt()).isEqualTo(2);
    }

    server.stop(Duration.ZERO);
    ws.close();
    server = RpcServer.builder().host("127.0.0.1").port(0).service(Svc.class, impl)
        .corsOrigins("https://app.example").build().start();
    ws = RawWebSocket.connect(server.port(), "/ws", Map.of("Origin", "https://app.example"), 0);
    assertStillAnswers(7);
  }

  @Test
  void continuationWithNoMessageToContinueIsClosedWith1002() throws Exception {
    ws.sendFrame(true, RawWebSocket.CONTINUATION, "{}".getBytes(StandardCharsets.UTF_8));
    Frame close = ws.awaitCloseFrame(2000);
    assertThat(close).as("a close frame").isNotNull();
    assertThat(close.closeStatus()).as("%s", close).isEqualTo(1002);
  }

  @Test
  void newMessageBeforeTheLastOneEndedIsClosedWith1002() throws Exception {
    ws.sendFrame(false, RawWebSocket.TEXT, "{\"jsonrpc\":".getBytes(StandardCharsets.UTF_8));
    ws.sendFrame(true, RawWebSocket.TEXT, call("add", "[1,2]", 1).getBytes(StandardCharsets.UTF_8));
    Frame close = ws.awaitCloseFrame(2000);
    assertThat(close).as("a close frame").isNotNull();
    assertThat(close.closeStatus()).as("%s", close).isEqualTo(1002);
  }
}
