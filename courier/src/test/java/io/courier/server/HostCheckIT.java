package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.courier.client.RpcClient;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.RawHttp;
import io.courier.testing.RawWebSocket;
import io.courier.testing.RawWebSocket.HttpResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DNS rebinding on the wire: HTTP requests and WebSocket upgrades naming a host the server does not answer for
 * are refused with 421 and their connection closed, whatever the path; loopback names pass; missing Host is 400;
 * malformed WebSocket handshakes are refused before the upgrade.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class HostCheckIT {

  private static final String ADD = "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}";

  private final AtomicInteger calls = new AtomicInteger();
  private RpcServer server;

  private int start(Consumer<RpcServerBuilder> config) {
    RpcServerBuilder b = RpcServer.builder().host("127.0.0.1").port(0).method("add", args -> {
      calls.incrementAndGet();
      return args.arg(0, Integer.class) + args.arg(1, Integer.class);
    });
    config.accept(b);
    server = b.build().start();
    return server.port();
  }

  private int start() {
    return start(b -> {});
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofMillis(500));
    }
  }

  private static String post(String host, String body) {
    return "POST /rpc HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  private static String upgrade(String host, String origin, String key, String version) {
    return "GET /ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + (key == null ? "" : "Sec-WebSocket-Key: " + key + "\r\n")
        + (version == null ? "" : "Sec-WebSocket-Version: " + version + "\r\n")
        + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
  }

  private static String key(int bytes) {
    byte[] nonce = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      nonce[i] = (byte) (i * 37 + 11);
    }
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** Sends {@code request} on a new connection and reads the one response. */
  private static HttpResponse exchange(int port, String request) throws IOException {
    try (RawHttp h = new RawHttp(port, 0)) {
      return h.send(request).read();
    }
  }

  /** Sends {@code request}, expects a refusal with {@code status}, and the connection closed after it. */
  private static HttpResponse refusedAndClosed(int port, String request, int status) throws IOException {
    try (RawHttp h = new RawHttp(port, 0)) {
      HttpResponse r = h.send(request).read();
      assertThat(r.status()).as("%s", r).isEqualTo(status);
      assertThat(r.header("Connection")).as("%s", r).isEqualToIgnoringCase("close");
      assertThat(h.awaitEof(2000)).as("the connection is closed after %s", status).isGreaterThanOrEqualTo(0);
      return r;
    }
  }

  // ------------------------------------------------------------------------------------------------ rebinding

  @Test
  void reboundHostOnPostIsMisdirectedAndTheCallNeverRuns() throws Exception {
    int port = start();
    String evil = "evil.example:" + port;

    HttpResponse r = refusedAndClosed(port, post(evil, ADD), 421);

    assertThat(r.text()).contains("evil.example");
    assertThat(calls).as("the method never ran").hasValue(0);
  }

  @Test
  void reboundHostOnWebSocketUpgradeFromTheReboundOriginIsMisdirected() throws Exception {
    int port = start();
    String evil = "evil.example:" + port;

    HttpResponse r = refusedAndClosed(port, upgrade(evil, "http://" + evil, key(16), "13"), 421);

    assertThat(r.hasHeader("Sec-WebSocket-Accept")).as("never upgraded: %s", r).isFalse();
  }

  @Test
  void reboundHostOnStaticFileAndPreflightIsMisdirected() throws Exception {
    int port = start();
    String evil = "evil.example:" + port;

    refusedAndClosed(port, "GET /courier.js HTTP/1.1\r\nHost: " + evil + "\r\n\r\n", 421);
    refusedAndClosed(port, "OPTIONS /rpc HTTP/1.1\r\nHost: " + evil + "\r\nOrigin: http://" + evil
        + "\r\nAccess-Control-Request-Method: POST\r\n\r\n", 421);
    // The same file is served to the loopback name, so the 421 above came from the Host alone.
    assertThat(exchange(port, "GET /courier.js HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").status())
        .isEqualTo(200);
  }

  @Test
  void onlyOneLogLinePerRefusedConnectionHoweverManyRequestsArePipelined() throws Exception {
    int port = start();
    String evil = "evil.example:" + port;
    try (LogCapture log = new LogCapture(); RawHttp h = new RawHttp(port, 0)) {
      h.send(post(evil, ADD).repeat(20));
      assertThat(h.read().status()).isEqualTo(421);
      assertThat(h.awaitEof(2000)).isGreaterThanOrEqualTo(0);
      server.stop(Duration.ofMillis(500)); // flushes the event loop's log lines before counting

      assertThat(log.lines("evil.example")).as(log.text()).isEqualTo(1);
    }
    assertThat(calls).hasValue(0);
  }

  @Test
  void aRequestNamingAnotherHostIsRefusedAfterAcceptedOnesOnTheSameConnection() throws Exception {
    int port = start();
    try (RawHttp h = new RawHttp(port, 0)) {
      assertThat(h.send(post("127.0.0.1:" + port, ADD)).read().text()).contains("\"result\":5");
      assertThat(h.send(post("127.0.0.1:" + port, ADD)).read().text()).contains("\"result\":5");
      HttpResponse r = h.send(post("evil.example:" + port, ADD)).read();
      assertThat(r.status()).as("each request's Host is checked, not only the first").isEqualTo(421);
      assertThat(h.awaitEof(2000)).isGreaterThanOrEqualTo(0);
    }
    assertThat(calls).hasValue(2);
  }

  @Test
  void aHostWithControlCharactersIsEchoedPrintably() throws Exception {
    int port = start();
    HttpResponse r = refusedAndClosed(port, post("evil\u0001example", ADD), 400);
    assertThat(r.text()).doesNotContain("\u0001");
  }

  @Test
  void reboundHostIsRefusedOnAWildcardServerToo() throws Exception {
    int port = start(b -> b.host("0.0.0.0"));

    refusedAndClosed(port, post("evil.example:" + port, ADD), 421);
    assertThat(exchange(port, post("127.0.0.1:" + port, ADD)).text()).contains("\"result\":5");
  }

  // ------------------------------------------------------------------------------------------------ accepted

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:%d", "localhost:%d", "[::1]:%d", "127.0.0.1", "LOCALHOST:%d"})
  void loopbackHostsAreServed(String hostFormat) throws Exception {
    int port = start();
    String host = hostFormat.formatted(port);

    HttpResponse r = exchange(port, post(host, ADD));

    assertThat(r.status()).as("%s: %s", host, r).isEqualTo(200);
    assertThat(r.text()).contains("\"result\":5");
  }

  @Test
  void webSocketFromThePagesOwnLoopbackOriginUpgrades() throws Exception {
    int port = start();
    String host = "localhost:" + port;
    String key = key(16);

    try (RawHttp h = new RawHttp(port, 0)) {
      HttpResponse r = h.send(upgrade(host, "http://" + host, key, "13")).read();

      assertThat(r.status()).as("%s", r).isEqualTo(101);
      assertThat(r.header("Sec-WebSocket-Accept")).isEqualTo(RawWebSocket.acceptFor(key));
    }
  }

  @Test
  void configuredHostIsServedOverHttpAndWebSocket() throws Exception {
    int port = start(b -> b.allowedHosts("app.test"));
    String host = "App.Test:" + port;

    assertThat(exchange(port, post(host, ADD)).text()).contains("\"result\":5");
    assertThat(exchange(port, upgrade(host, "http://" + host, key(16), "13")).status()).isEqualTo(101);
    refusedAndClosed(port, post("evil.example:" + port, ADD), 421);
  }

  @Test
  void starServesAnyHost() throws Exception {
    int port = start(b -> b.allowedHosts("*"));

    assertThat(exchange(port, post("evil.example:" + port, ADD)).text()).contains("\"result\":5");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:%d/rpc", "ws://localhost:%d/ws", "http://[::1]:%d/rpc",
      "ws://[::1]:%d/ws"})
  void javaClientReachesAServerOnEveryInterfaceByLoopbackName(String targetFormat) throws Exception {
    boolean ipv6 = targetFormat.contains("[::1]");
    assumeTrue(!ipv6 || ipv6Loopback(), "no IPv6 loopback here");
    int port = start(b -> b.host(ipv6 ? "::" : "0.0.0.0"));

    try (RpcClient client = RpcClient.builder().target(targetFormat.formatted(port))
        .callTimeout(Duration.ofSeconds(5)).maxAttempts(1).build()) {
      assertThat(client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(5);
    }
  }

  private static boolean ipv6Loopback() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("::1", 1), 500);
      return true;
    } catch (java.net.ConnectException refused) {
      return true; // reachable, nothing listening
    } catch (IOException unreachable) {
      return false;
    }
  }

  @Test
  void rawTcpIsNotAffected() throws Exception {
    int port = start();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((ADD + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));

      assertThat(in.readLine()).contains("\"result\":5");
    }
  }

  // ------------------------------------------------------------------------------------------------ malformed

  @Test
  void missingHostOnHttp11IsBadRequest() throws Exception {
    int port = start();

    refusedAndClosed(port, "POST /rpc HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: "
        + ADD.length() + "\r\n\r\n" + ADD, 400);
    assertThat(calls).hasValue(0);
  }

  @Test
  void missingHostOnHttp10IsServed() throws Exception {
    int port = start();

    HttpResponse r = exchange(port, "POST /rpc HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
        + ADD.length() + "\r\n\r\n" + ADD);

    assertThat(r.text()).as("%s", r).contains("\"result\":5");
  }

  @Test
  void twoHostHeadersAreBadRequest() throws Exception {
    int port = start();

    refusedAndClosed(port, "GET /courier.js HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nHost: evil.example\r\n\r\n",
        400);
  }

  @Test
  void malformedHostIsBadRequest() throws Exception {
    int port = start();

    refusedAndClosed(port, post("127.0.0.1:" + port + "/x", ADD), 400);
  }

  // ------------------------------------------------------------------------------------------------ handshake

  @ParameterizedTest
  @ValueSource(strings = {"15 bytes", "17 bytes", "not base64", "unpadded", "missing"})
  void webSocketKeyOtherThan16BytesInBase64IsBadRequestAndNeverUpgraded(String kind) throws Exception {
    int port = start();
    String key = switch (kind) {
      case "15 bytes" -> key(15);
      case "17 bytes" -> key(17);
      case "not base64" -> "this is not base64!!!!==";
      case "unpadded" -> key(16).replace("=", "");
      default -> null;
    };

    HttpResponse r = refusedAndClosed(port, upgrade("127.0.0.1:" + port, null, key, "13"), 400);

    assertThat(r.hasHeader("Sec-WebSocket-Accept")).as("never upgraded: %s", r).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8", "7", "14", "none"})
  void webSocketVersionOtherThan13IsUpgradeRequired(String version) throws Exception {
    int port = start();

    try (RawHttp h = new RawHttp(port, 0)) {
      HttpResponse r = h.send(upgrade("127.0.0.1:" + port, null, key(16), version.equals("none") ? null : version))
          .read();

      assertThat(r.status()).as("%s", r).isEqualTo(426);
      assertThat(r.header("Sec-WebSocket-Version")).isEqualTo("13");
      assertThat(r.hasHeader("Sec-WebSocket-Accept")).isFalse();
      // The client may retry with version 13 on the same connection.
      HttpResponse retry = h.send(upgrade("127.0.0.1:" + port, null, key(16), "13")).read();
      assertThat(retry.status()).as("%s", retry).isEqualTo(101);
    }
  }
}
