package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.RawHttp;
import io.courier.testing.RawWebSocket.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * JSON-RPC over HTTP/1.1 on the shared port, written and read byte by byte on a raw socket: replies, notifications,
 * keep-alive and pipelining, HTTP-level faults, CORS and the JavaScript client.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class HttpTransportIT {

  interface Svc {
    int add(int a, int b);

    /** Sleeps {@code ms}, then returns {@code id}. */
    int slow(int id, int ms) throws InterruptedException;

    void hit();
  }

  static final class SvcImpl implements Svc {
    final AtomicInteger hits = new AtomicInteger();

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public int slow(int id, int ms) throws InterruptedException {
      Thread.sleep(ms);
      return id;
    }

    @Override
    public void hit() {
      hits.incrementAndGet();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ALLOWED = "https://app.example";

  private final SvcImpl impl = new SvcImpl();
  private RpcServer server;

  private RpcServer start(Consumer<RpcServerBuilder> config) {
    RpcServerBuilder b = RpcServer.builder().host("127.0.0.1").port(0).service(Svc.class, impl);
    config.accept(b);
    server = b.build().start();
    return server;
  }

  private RpcServer start() {
    return start(b -> {});
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

  private static String notification(String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  /** A request with a body (may be null) and its Content-Length; {@code headers} are whole header lines. */
  private static String request(String method, String path, String body, String... headers) {
    StringBuilder r = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      r.append(h).append("\r\n");
    }
    if (body != null) {
      r.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
    }
    r.append("\r\n");
    if (body != null) {
      r.append(body);
    }
    return r.toString();
  }

  private static String post(String json, String... headers) {
    String[] all = Arrays.copyOf(headers, headers.length + 1);
    all[headers.length] = "Content-Type: application/json";
    return request("POST", "/rpc", json, all);
  }

  private static JsonNode json(HttpResponse r) throws IOException {
    assertThat(r.header("Content-Type")).as("%s", r).isNotNull();
    assertThat(r.header("Content-Type").toLowerCase(Locale.ROOT)).startsWith("application/json");
    return JSON.readTree(r.body());
  }

  private static Set<String> tokens(String header) {
    return header == null ? Set.of() : Arrays.stream(header.split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }

  private static List<String> corsHeaders(HttpResponse r) {
    return r.headers().keySet().stream().filter(k -> k.startsWith("access-control-")).toList();
  }

  /** Sends one request on a new connection and reads the reply. */
  private HttpResponse exchange(String request) throws IOException {
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      return h.send(request).read();
    }
  }

  // ------------------------------------------------------------------------------------------------ replies

  @Test
  void healthIs200WhileServingAnd503OnceTheServerBeginsToStop() throws Exception {
    AtomicReference<HttpResponse> whileStopping = new AtomicReference<>();
    start(b -> b.listener(new ServerListener() {
      @Override
      public void stopping(RpcServer stopping) {
        try {
          whileStopping.set(exchange(request("GET", "/health", null)));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }));
    HttpResponse serving = exchange(request("GET", "/health", null));
    assertThat(serving.status()).isEqualTo(200);
    assertThat(json(serving).get("status").asText()).isEqualTo("serving");
    assertThat(serving.header("Cache-Control")).isEqualTo("no-store");
    HttpResponse head = exchange(request("HEAD", "/health", null));
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(exchange(request("POST", "/health", "{}")).status()).isEqualTo(404);

    server.stop(Duration.ofSeconds(1));
    server = null;
    assertThat(whileStopping.get().status()).isEqualTo(503);
    assertThat(json(whileStopping.get()).get("status").asText()).isEqualTo("draining");
  }

  @Test
  void singleRequestIs200WithTheReply() throws Exception {
    start();
    HttpResponse r = exchange(post(call("add", "[2,3]", 1)));
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    JsonNode reply = json(r);
    assertThat(reply.path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(reply.path("result").asInt()).isEqualTo(5);
    assertThat(reply.path("id").asInt()).isEqualTo(1);
  }

  @Test
  void rootPathAndCharsetParameterAreAccepted() throws Exception {
    start();
    HttpResponse root = exchange(request("POST", "/", call("add", "[1,1]", 1), "Content-Type: application/json"));
    assertThat(root.status()).as("POST /: %s", root).isEqualTo(200);
    assertThat(json(root).path("result").asInt()).isEqualTo(2);
    HttpResponse charset = exchange(request("POST", "/rpc", call("add", "[1,2]", 2),
        "Content-Type: application/json; charset=utf-8"));
    assertThat(charset.status()).as("charset parameter: %s", charset).isEqualTo(200);
    assertThat(json(charset).path("result").asInt()).isEqualTo(3);
  }

  @Test
  void batchIs200WithAnArrayOfReplies() throws Exception {
    start();
    HttpResponse r = exchange(post("[" + call("add", "[1,2]", 1) + "," + notification("hit", "[]") + ","
        + call("add", "[3,4]", 2) + "]"));
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    JsonNode reply = json(r);
    assertThat(reply.isArray()).isTrue();
    assertThat(reply.size()).as("the notification is not answered").isEqualTo(2);
    Map<Integer, Integer> byId = new java.util.HashMap<>();
    reply.forEach(n -> byId.put(n.path("id").asInt(), n.path("result").asInt()));
    assertThat(byId).isEqualTo(Map.of(1, 3, 2, 7));
  }

  @Test
  void notificationAndBatchOfNotificationsAre204WithoutBody() throws Exception {
    start();
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      HttpResponse one = h.send(post(notification("hit", "[]"))).read();
      assertThat(one.status()).as("%s", one).isEqualTo(204);
      assertThat(one.body()).isEmpty();
      assertThat(one.header("Content-Length")).isIn(null, "0");
      HttpResponse batch = h.send(post("[" + notification("hit", "[]") + "," + notification("hit", "[]") + "]"))
          .read();
      assertThat(batch.status()).as("%s", batch).isEqualTo(204);
      assertThat(batch.body()).isEmpty();
      // The connection is still in step: the next reply is the next request's.
      HttpResponse next = h.send(post(call("add", "[1,1]", 9))).read();
      assertThat(json(next).path("id").asInt()).isEqualTo(9);
    }
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (impl.hits.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(5); // notifications run on the worker pool, after their 204 went out
    }
    assertThat(impl.hits.get()).as("each notification ran once").isEqualTo(3);
  }

  @Test
  void jsonRpcErrorsAre200WithTheErrorBody() throws Exception {
    start();
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      HttpResponse parse = h.send(post("{\"jsonrpc\":\"2.0\",\"method\":")).read();
      assertThat(parse.status()).as("%s", parse).isEqualTo(200);
      JsonNode error = json(parse);
      assertThat(error.path("jsonrpc").asText()).isEqualTo("2.0");
      assertThat(error.path("error").path("code").asInt()).isEqualTo(-32700);
      assertThat(error.path("error").path("message").isTextual()).isTrue();
      assertThat(error.has("id") && error.get("id").isNull()).as("id null: %s", error).isTrue();

      HttpResponse unknown = h.send(post(call("nope", "[]", 5))).read();
      assertThat(unknown.status()).isEqualTo(200);
      assertThat(json(unknown).path("error").path("code").asInt()).isEqualTo(-32601);
      assertThat(json(unknown).path("id").asInt()).isEqualTo(5);

      HttpResponse invalid = h.send(post("{\"jsonrpc\":\"2.0\",\"method\":1,\"id\":6}")).read();
      assertThat(invalid.status()).isEqualTo(200);
      assertThat(json(invalid).path("error").path("code").asInt()).isEqualTo(-32600);

      HttpResponse ok = h.send(post(call("add", "[2,2]", 7))).read();
      assertThat(json(ok).path("result").asInt()).as("the connection still answers").isEqualTo(4);
    }
  }

  // ------------------------------------------------------------------------------------------------ connection

  @Test
  void keepAliveServesThreeRequestsOnOneConnection() throws Exception {
    start();
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      for (int i = 1; i <= 3; i++) {
        HttpResponse r = h.send(post(call("add", "[" + i + "," + i + "]", i))).read();
        assertThat(r.status()).as("request %d: %s", i, r).isEqualTo(200);
        assertThat(json(r).path("result").asInt()).isEqualTo(2 * i);
        assertThat(json(r).path("id").asInt()).isEqualTo(i);
        assertThat(r.header("Connection")).as("not closing").isNotEqualToIgnoringCase("close");
      }
      assertThat(h.awaitEof(200)).as("still open").isEqualTo(-1);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    start();
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      // The first is slower than the second, so a server answering as calls complete would swap them.
      h.send(post(call("slow", "[1,300]", 1)) + post(call("add", "[20,22]", 2)));
      HttpResponse first = h.read();
      HttpResponse second = h.read();
      assertThat(first.status()).as("%s", first).isEqualTo(200);
      assertThat(second.status()).as("%s", second).isEqualTo(200);
      assertThat(json(first).path("id").asInt()).isEqualTo(1);
      assertThat(json(first).path("result").asInt()).isEqualTo(1);
      assertThat(json(second).path("id").asInt()).isEqualTo(2);
      assertThat(json(second).path("result").asInt()).isEqualTo(42);
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    start();
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      HttpResponse r = h.send(post(call("add", "[1,2]", 1), "Connection: close")).read();
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      assertThat(json(r).path("result").asInt()).isEqualTo(3);
      assertThat(h.awaitEof(1000)).as("closed after the response").isGreaterThanOrEqualTo(0);
    }
  }

  // ------------------------------------------------------------------------------------------------ HTTP faults

  @Test
  void wrongMethodIs405WithAllow() throws Exception {
    start();
    for (String method : List.of("GET", "PUT", "DELETE")) {
      HttpResponse r = exchange(request(method, "/rpc", null));
      assertThat(r.status()).as("%s /rpc: %s", method, r).isEqualTo(405);
      assertThat(tokens(r.header("Allow"))).as("%s /rpc Allow", method).isEqualTo(Set.of("post", "options"));
    }
  }

  @Test
  void headIsAnsweredWithHeadersOnlySoTheNextResponseStaysInSync() throws Exception {
    start();
    try (RawHttp h = new RawHttp(server.port(), 0)) {
      h.send(request("HEAD", "/rpc", null) + post(call("add", "[2,2]", 9)));

      HttpResponse head = h.read();
      assertThat(head.status()).as("%s", head).isEqualTo(405);
      assertThat(head.body()).as("no body after a HEAD").isEmpty();
      HttpResponse next = h.read();
      assertThat(next.status()).as("%s", next).isEqualTo(200);
      assertThat(JSON.readTree(next.body()).path("result").asInt()).isEqualTo(4);
    }
  }

  @Test
  void unknownPathIs404() throws Exception {
    start();
    HttpResponse post = exchange(request("POST", "/nope", call("add", "[1,2]", 1), "Content-Type: application/json"));
    assertThat(post.status()).as("%s", post).isEqualTo(404);
    HttpResponse get = exchange(request("GET", "/nope.js", null));
    assertThat(get.status()).as("%s", get).isEqualTo(404);
  }

  @Test
  void wrongOrMissingContentTypeIs415() throws Exception {
    start();
    String body = call("add", "[1,2]", 1);
    HttpResponse text = exchange(request("POST", "/rpc", body, "Content-Type: text/plain"));
    assertThat(text.status()).as("text/plain: %s", text).isEqualTo(415);
    HttpResponse missing = exchange(request("POST", "/rpc", body));
    assertThat(missing.status()).as("missing: %s", missing).isEqualTo(415);
    // The three "simple" types a browser sends cross-origin without a preflight: refused from a page (Origin).
    for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "text/plain")) {
      HttpResponse fromPage = exchange(request("POST", "/rpc", body, "Content-Type: " + type,
          "Origin: https://evil.example"));
      assertThat(fromPage.status()).as("%s with Origin: %s", type, fromPage).isEqualTo(415);
    }
    // Documented exception (HttpServerHandler.isCurlDefault): `curl -d` labels JSON as a form, and without an
    // Origin (not a browser) such a body is taken as JSON.
    HttpResponse curl = exchange(request("POST", "/rpc", body, "Content-Type: application/x-www-form-urlencoded"));
    assertThat(curl.status()).as("curl -d: %s", curl).isEqualTo(200);
  }

  // ------------------------------------------------------------------------------------------------ CORS

  @Test
  void corsIsOffByDefault() throws Exception {
    start();
    HttpResponse post = exchange(post(call("add", "[1,2]", 1), "Origin: " + ALLOWED));
    assertThat(post.status()).as("%s", post).isEqualTo(200);
    assertThat(corsHeaders(post)).as("no CORS headers on a POST").isEmpty();
    HttpResponse preflight = exchange(request("OPTIONS", "/rpc", null, "Origin: " + ALLOWED,
        "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type"));
    assertThat(corsHeaders(preflight)).as("no CORS headers on a preflight: %s", preflight).isEmpty();
  }

  @Test
  void corsPreflightAndPostFromAnAllowedOrigin() throws Exception {
    start(b -> b.corsOrigins(ALLOWED));
    HttpResponse preflight = exchange(request("OPTIONS", "/rpc", null, "Origin: " + ALLOWED,
        "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type, authorization"));
    assertThat(preflight.status()).as("%s", preflight).isEqualTo(204);
    assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
    assertThat(tokens(preflight.header("Access-Control-Allow-Methods"))).contains("post");
    assertThat(tokens(preflight.header("Access-Control-Allow-Headers"))).contains("content-type", "authorization");

    HttpResponse post = exchange(post(call("add", "[1,2]", 1), "Origin: " + ALLOWED));
    assertThat(post.status()).as("%s", post).isEqualTo(200);
    assertThat(post.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
    assertThat(json(post).path("result").asInt()).isEqualTo(3);
  }

  @Test
  void corsPreflightFromAnotherOriginIs403() throws Exception {
    start(b -> b.corsOrigins(ALLOWED));
    String evil = "https://evil.example";
    HttpResponse preflight = exchange(request("OPTIONS", "/rpc", null, "Origin: " + evil,
        "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type"));
    assertThat(preflight.status()).as("%s", preflight).isEqualTo(403);
    assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
    // Whatever the server does with the POST itself, it never tells a browser that origin may read the reply.
    HttpResponse post = exchange(post(call("add", "[1,2]", 1), "Origin: " + evil));
    assertThat(post.header("Access-Control-Allow-Origin")).as("%s", post).isNotIn(evil, "*");
  }

  @Test
  void refusedPreflightsOnOneConnectionAreLoggedOnceAndShortened() throws Exception {
    start(b -> b.corsOrigins(ALLOWED));
    String evil = "https://evil.example/" + "e".repeat(300);
    try (LogCapture log = new LogCapture(); RawHttp h = new RawHttp(server.port(), 0)) {
      for (int i = 0; i < 5; i++) {
        HttpResponse preflight = h.send(request("OPTIONS", "/rpc", null, "Origin: " + evil,
            "Access-Control-Request-Method: POST")).read();
        assertThat(preflight.status()).as("%s", preflight).isEqualTo(403);
      }
      assertThat(log.lines("Refused a cross-origin preflight")).as(log.text()).isEqualTo(1);
      assertThat(log.text()).doesNotContain("e".repeat(101));
    }
  }

  @Test
  void corsWildcardAllowsAnyOrigin() throws Exception {
    start(b -> b.corsOrigins("*"));
    String any = "https://any.example";
    HttpResponse preflight = exchange(request("OPTIONS", "/rpc", null, "Origin: " + any,
        "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type"));
    assertThat(preflight.status()).as("%s", preflight).isEqualTo(204);
    assertThat(preflight.header("Access-Control-Allow-Origin")).isIn(any, "*");
  }

  // ------------------------------------------------------------------------------------------------ courier.js

  @Test
  void courierJsIsServed() throws Exception {
    start();
    HttpResponse r = exchange(request("GET", "/courier.js", null));
    boolean bundled = getClass().getResource("/io/courier/web/courier.js") != null;
    System.out.printf("GET /courier.js: %d, %s, %d bytes (resource %s)%n", r.status(), r.header("Content-Type"),
        r.body().length, bundled ? "present" : "absent");
    assumeTrue(bundled, "io/courier/web/courier.js is not on the class path yet");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Content-Type")).containsIgnoringCase("javascript");
    assertThat(r.body()).isNotEmpty();
  }
}
