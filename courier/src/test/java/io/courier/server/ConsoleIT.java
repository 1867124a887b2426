package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Identity;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.testing.NettyLeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web console over real sockets: off by default, its files when on, the snapshot method over TCP, and
 * authentication of that method. The page itself runs in a browser in courier-examples' {@code ConsoleIT}.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class ConsoleIT {

  private static final String TOKEN = "console-secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SNAPSHOT_REQUEST = "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.courier.console\",\"id\":1}";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<RpcClient> clients = new ArrayList<>();
  private RpcServer server;

  /** A service of two methods for the console to show. */
  public interface Calculator {
    int add(int a, int b);

    String greet(String name);
  }

  private static final class CalculatorImpl implements Calculator {
    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public String greet(String name) {
      return "hello " + name;
    }
  }

  private void start(RpcServerBuilder builder) {
    server = builder.host("127.0.0.1")
        .port(0)
        .service(Calculator.class, new CalculatorImpl())
        .build()
        .start();
  }

  private RpcClient client(String token) {
    var builder = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).callTimeout(Duration.ofSeconds(5));
    if (token != null) {
      builder.bearerToken(token).allowPlaintextToken(true);
    }
    RpcClient client = builder.build();
    clients.add(client);
    return client;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rpc"))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ConsoleIT.class.getResourceAsStream("/io/courier/web/console/" + name)) {
      assertThat(in).as(name + " on the class path").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(RpcClient::close);
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void theConsoleIsOffByDefault() throws Exception {
    start(RpcServer.builder());
    assertThat(get("/console").statusCode()).isEqualTo(404);
    assertThat(get("/console/console.js").statusCode()).isEqualTo(404);
    assertThat(get("/console/snapshot").statusCode()).isEqualTo(404);
    assertThatThrownBy(() -> client(null).call("rpc.courier.console", JsonNode.class).join())
        .hasCauseInstanceOf(RpcException.class)
        .satisfies(e -> assertThat(((RpcException) e.getCause()).error().code())
            .isEqualTo(RpcError.METHOD_NOT_FOUND_CODE));
  }

  @Test
  void whenOnThePageItsScriptAndItsStyleSheetAreServedWithTheirTypes() throws Exception {
    start(RpcServer.builder().console(true));

    for (String path : List.of("/console", "/console/")) {
      HttpResponse<String> page = get(path);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("content-security-policy")).get(InstanceOfAssertFactories.STRING)
          .contains("script-src 'self'").contains("connect-src 'self'").contains("frame-ancestors 'none'");
      assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
      assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
      assertThat(page.body()).contains("<script src=\"/courier.js\"></script>")
          .contains("<meta name=\"courier-web-socket-path\" content=\"/ws\">")
          .doesNotContain("{{");
    }
    HttpResponse<String> script = get("/console/console.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
    assertThat(script.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(script.body()).isEqualTo(resource("console.js"));
    HttpResponse<String> style = get("/console/console.css");
    assertThat(style.statusCode()).isEqualTo(200);
    assertThat(style.headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
    assertThat(style.body()).isEqualTo(resource("console.css"));
    // The browser client the page loads is there as always.
    assertThat(get("/courier.js").statusCode()).isEqualTo(200);
  }

  @Test
  void thePageIsToldTheWebSocketPathTheBuilderSet() throws Exception {
    start(RpcServer.builder().console(true).webSocketPath("/socket"));
    assertThat(get("/console").body()).contains("<meta name=\"courier-web-socket-path\" content=\"/socket\">");
  }

  @Test
  void theSnapshotOverTcpTellsTheMethodsCalledAndTheOpenConnections() {
    start(RpcServer.builder().console(true).openRpcInfo("Calculator API", "2.1.0"));
    RpcClient client = client(null);
    assertThat(client.call("add", Integer.class, 2, 3).join()).isEqualTo(5);
    assertThat(client.call("add", Integer.class, 4, 5).join()).isEqualTo(9);
    assertThat(client.call("greet", String.class, "you").join()).isEqualTo("hello you");
    assertThatThrownBy(() -> client.call("add", Integer.class, "two", 3).join())
        .hasCauseInstanceOf(RpcException.class);

    JsonNode snapshot = client.call("rpc.courier.console", JsonNode.class).join();

    assertThat(snapshot.path("server").path("title").asText()).isEqualTo("Calculator API");
    assertThat(snapshot.path("server").path("version").asText()).isEqualTo("2.1.0");
    assertThat(snapshot.path("seconds").asInt()).isEqualTo(60);
    List<String> names = new ArrayList<>();
    snapshot.path("methods").forEach(m -> names.add(m.path("name").asText()));
    // Only registered methods: the console's own calls, and rpc.discover, are not counted.
    assertThat(names).containsExactly("add", "greet");
    JsonNode add = snapshot.path("methods").get(0);
    assertThat(add.path("totalCalls").asLong()).as("calls of add, the one refused for its params included")
        .isEqualTo(3);
    assertThat(add.path("totalErrors").asLong()).isEqualTo(1);
    assertThat(add.path("calls")).hasSize(60);
    long recent = 0;
    for (JsonNode second : add.path("calls")) {
      recent += second.asLong();
    }
    assertThat(recent).isEqualTo(3);
    assertThat(add.path("p50").get(59).isNumber()).isTrue();
    assertThat(snapshot.path("totals").path("calls").asLong()).isEqualTo(4);
    assertThat(snapshot.path("totals").path("connections").asInt()).isEqualTo(1);
    JsonNode connection = snapshot.path("connections").get(0);
    assertThat(connection.path("protocol").asText()).isEqualTo("tcp");
    assertThat(connection.path("remoteAddress").asText()).startsWith("127.0.0.1:");
    assertThat(connection.path("secure").asBoolean()).isFalse();
  }

  @Test
  void theSnapshotIsAlsoAnsweredToAPlainGet() throws Exception {
    start(RpcServer.builder().console(true));
    client(null).call("add", Integer.class, 1, 2).join();
    HttpResponse<String> response = get("/console/snapshot");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    JsonNode snapshot = JSON.readTree(response.body());
    assertThat(snapshot.path("methods").get(0).path("name").asText()).isEqualTo("add");
    assertThat(snapshot.path("methods").get(0).path("totalCalls").asLong()).isEqualTo(1);
  }

  @Test
  void theSnapshotMethodIsABuiltInNeitherListedNorDescribedNorRegistrable() {
    start(RpcServer.builder().console(true));
    assertThat(server.methods()).containsExactlyInAnyOrder("add", "greet");
    JsonNode document = client(null).call("rpc.discover", JsonNode.class).join();
    List<String> described = new ArrayList<>();
    document.path("methods").forEach(m -> described.add(m.path("name").asText()));
    assertThat(described).containsExactlyInAnyOrder("add", "greet");
    assertThatThrownBy(() -> RpcServer.builder().method("rpc.courier.console", args -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved prefix");
  }

  @Test
  void withABearerTokenTheSnapshotIsRefusedWithoutItAndNothingLeaks() throws Exception {
    start(RpcServer.builder().console(true)
        .intercept(BearerTokenAuth.of(Map.of(TOKEN, Identity.of("operator")))));

    assertThatThrownBy(() -> client(null).call("rpc.courier.console", JsonNode.class).join())
        .hasCauseInstanceOf(RpcException.class)
        .satisfies(e -> assertThat(((RpcException) e.getCause()).error().code())
            .isEqualTo(RpcError.UNAUTHENTICATED_CODE));
    assertThatThrownBy(() -> client("wrong").call("rpc.courier.console", JsonNode.class).join())
        .hasCauseInstanceOf(RpcException.class)
        .satisfies(e -> assertThat(((RpcException) e.getCause()).error().code())
            .isEqualTo(RpcError.UNAUTHENTICATED_CODE));

    // Over HTTP, a refused JSON-RPC POST is answered as every JSON-RPC error is: the status below, the error
    // in the body, and nothing of the snapshot.
    for (String request : List.of(SNAPSHOT_REQUEST,
        "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":1}")) {
      HttpResponse<String> refused = post(request);
      assertThat(refused.statusCode()).as("status of a refused POST").isEqualTo(200);
      JsonNode body = JSON.readTree(refused.body());
      assertThat(body.path("error").path("code").asInt()).isEqualTo(RpcError.UNAUTHENTICATED_CODE);
      assertThat(refused.body()).doesNotContain("\"add\"").doesNotContain("greet").doesNotContain("connections");
    }
    HttpResponse<String> wrong = post(SNAPSHOT_REQUEST, "Authorization", "Bearer wrong");
    assertThat(JSON.readTree(wrong.body()).path("error").path("code").asInt())
        .isEqualTo(RpcError.UNAUTHENTICATED_CODE);

    // The same snapshot at GET /console/snapshot goes through the interceptors like any httpGet path: a 401.
    HttpResponse<String> unauthorized = get("/console/snapshot");
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(unauthorized.body()).doesNotContain("\"add\"").doesNotContain("greet").doesNotContain("connections");
    HttpResponse<String> authorized = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/console/snapshot"))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(authorized.statusCode()).isEqualTo(200);
    assertThat(authorized.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(JSON.readTree(authorized.body()).path("totals").path("connections").isInt()).isTrue();

    // The page is static code, served to anyone: it names no method of this server.
    HttpResponse<String> page = get("/console");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).doesNotContain("\"add\"").doesNotContain("greet");

    HttpResponse<String> allowed = post(SNAPSHOT_REQUEST, "Authorization", "Bearer " + TOKEN);
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(allowed.body()).path("result").path("methods").isArray()).isTrue();
    JsonNode overTcp = client(TOKEN).call("rpc.courier.console", JsonNode.class).join();
    assertThat(overTcp.path("totals").path("connections").asInt()).isPositive();
  }

  @Test
  void aConsolePathTakenByHttpGetIsRefusedOnlyWhenTheConsoleIsOn() {
    for (String path : List.of("/console", "/console/snapshot")) {
      RpcServerBuilder builder = RpcServer.builder()
          .httpGet(path, context -> new HttpGetHandler.Response("text/plain", new byte[0]));
      // Without the console the path is the user's, as before.
      builder.build().stop(Duration.ZERO);
      assertThatThrownBy(() -> builder.console(true).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(path);
    }
  }
}
