package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.Identity;
import io.courier.RolesAllowed;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Paths of the HTTP port answered by user code: content, HEAD, interceptors, refusals and failures. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class HttpGetIT {

  private static final String SECRET = "status-secret";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private RpcServer server;

  private void start(RpcServerBuilder builder) {
    server = builder.host("127.0.0.1")
        .port(0)
        .httpGet("/status", context -> new HttpGetHandler.Response("text/plain; charset=utf-8",
            ("calls: 42 for " + context.identity().map(Identity::name).orElse("anyone") + "\n")
                .getBytes(StandardCharsets.UTF_8)))
        .httpGet("/broken", context -> {
          throw new IllegalStateException("secret detail");
        })
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  /** A handler that tells it was entered, then answers "s" once {@code release} opens (at most 10 s). */
  private static HttpGetHandler slow(Runnable entered, CountDownLatch release) {
    return context -> {
      entered.run();
      release.await(10, TimeUnit.SECONDS);
      return new HttpGetHandler.Response("text/plain", new byte[] {'s'});
    };
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(5));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aGetIsAnsweredWithTheHandlersContentAndNeverCached() throws Exception {
    start(RpcServer.builder().intercept(chain -> {
      seen.add(chain.context().method());
      return chain.proceed();
    }));
    HttpResponse<String> response = get("/status");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("calls: 42 for anyone\n");
    assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(seen).containsExactly("GET /status");
  }

  @Test
  void aHeadGetsTheHeadersWithoutTheBody() throws Exception {
    start(RpcServer.builder());
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/status"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void withAuthenticationAGetWithoutTheTokenIs401AndLeaksNothing() throws Exception {
    start(RpcServer.builder().allowPlaintext(true)
        .intercept(BearerTokenAuth.of(Map.of(SECRET, Identity.of("prometheus", "metrics")))));
    HttpResponse<String> refused = get("/status");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).doesNotContain("calls");
    HttpResponse<String> wrong = get("/status", "Authorization", "Bearer wrong");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain("calls");
    HttpResponse<String> allowed = get("/status", "Authorization", "Bearer " + SECRET);
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).isEqualTo("calls: 42 for prometheus\n");
  }

  /** A handler limited to the role "ops" by its class's annotation, as a service class would be. */
  @RolesAllowed("ops")
  static final class OpsOnly implements HttpGetHandler {
    @Override
    public Response get(RpcContext context) {
      return new Response("text/plain", "ops\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void theRolesAllowedOnAHandlersClassLimitWhoGetsIt() throws Exception {
    String opsToken = "ops-secret";
    server = RpcServer.builder().host("127.0.0.1").port(0).allowPlaintext(true)
        .intercept(BearerTokenAuth.of(Map.of(SECRET, Identity.of("prometheus", "metrics"),
            opsToken, Identity.of("oncall", "ops"))))
        .httpGet("/ops", new OpsOnly())
        .build()
        .start();
    HttpResponse<String> denied = get("/ops", "Authorization", "Bearer " + SECRET);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).doesNotContain("ops");
    HttpResponse<String> allowed = get("/ops", "Authorization", "Bearer " + opsToken);
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).isEqualTo("ops\n");
  }

  @Test
  void anInterceptorDenyingPermissionGives403() throws Exception {
    start(RpcServer.builder().intercept(chain -> {
      throw new RpcException(RpcError.PERMISSION_DENIED);
    }));
    assertThat(get("/status").statusCode()).isEqualTo(403);
  }

  @Test
  void anInterceptorsOtherRefusalsGiveTheirStatusWithoutDetailOrAStackTrace() throws Exception {
    try (LogCapture log = new LogCapture()) {
      start(RpcServer.builder().intercept(chain -> {
        String limited = chain.context().metadata("X-Limit").orElse(null);
        throw new RpcException("limited".equals(limited)
            ? RpcError.LIMIT_EXCEEDED.withMessage("secret detail")
            : RpcError.INVALID_PARAMS.withMessage("secret detail"));
      }));
      HttpResponse<String> limited = get("/status", "X-Limit", "limited");
      assertThat(limited.statusCode()).isEqualTo(503);
      assertThat(limited.body()).doesNotContain("secret detail");
      HttpResponse<String> other = get("/status");
      assertThat(other.statusCode()).isEqualTo(400);
      assertThat(other.body()).isEqualTo("Refused (" + RpcError.INVALID_PARAMS_CODE + ")\n");
      assertThat(log.lines("GET /status")).isZero();
    }
  }

  @Test
  void aFailingHandlerGives500WithoutDetailAndIsLogged() throws Exception {
    try (LogCapture log = new LogCapture()) {
      start(RpcServer.builder());
      HttpResponse<String> response = get("/broken");
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).doesNotContain("secret detail");
      assertThat(log.lines("GET /broken")).isPositive();
    }
  }

  @Test
  void aHandlerThatReturnsNothingGives500AndIsLogged() throws Exception {
    try (LogCapture log = new LogCapture()) {
      server = RpcServer.builder().host("127.0.0.1").port(0).httpGet("/empty", context -> null).build().start();
      HttpResponse<String> response = get("/empty");
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).isEqualTo("Internal error\n");
      assertThat(log.lines("GET /empty")).isPositive();
    }
  }

  @Test
  void aGetThatFindsNoWorkerFreeIsRefusedWith503() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    server = RpcServer.builder().host("127.0.0.1").port(0).workerThreads(1).queueCapacity(0)
        .httpGet("/slow", slow(holding::countDown, release))
        .build()
        .start();
    try {
      CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/slow")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
      // Another client, so another connection: the only worker is taken and there is no queue.
      HttpClient other = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> refused = other.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/slow")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(503);
      release.countDown();
      assertThat(slow.get(5, TimeUnit.SECONDS).body()).isEqualTo("s");
    } finally {
      release.countDown();
    }
  }

  @Test
  void aGracefulStopWaitsForAGetInFlightAndSendsItsAnswer() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stopping = new CountDownLatch(1);
    server = RpcServer.builder().host("127.0.0.1").port(0)
        .listener(new ServerListener() {
          @Override
          public void stopping(RpcServer stopped) {
            stopping.countDown();
          }
        })
        .httpGet("/slow", slow(holding::countDown, release))
        .build()
        .start();
    RpcServer stoppingServer = server;
    server = null; // stopped here, not after the test
    try {
      CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + stoppingServer.port() + "/slow")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> stoppingServer.stop(Duration.ofSeconds(10)));
      assertThat(stopping.await(5, TimeUnit.SECONDS)).isTrue();
      // Longer than a stop waits for connections that still send (a second): a stop that did not count the GET in
      // flight would have closed its connection by now.
      Thread.sleep(1500);
      assertThat(stopped).as("stop waits for the GET").isNotDone();
      release.countDown();
      HttpResponse<String> answer = slow.get(5, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("s");
      stopped.get(10, TimeUnit.SECONDS);
    } finally {
      release.countDown();
      stoppingServer.stop(Duration.ZERO);
    }
  }

  @Test
  void pipelinedGetsCountAgainstTheConnectionsCapOnCallsInFlight() throws Exception {
    AtomicInteger entered = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    server = RpcServer.builder().host("127.0.0.1").port(0).workerThreads(8).maxInFlightPerConnection(2)
        .httpGet("/slow", slow(entered::incrementAndGet, release))
        .build()
        .start();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(5)
          .getBytes(StandardCharsets.US_ASCII));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (entered.get() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(300); // room for a third to start, were the cap not kept
      assertThat(entered.get()).as("GETs running at once").isEqualTo(2);
      release.countDown();
      StringBuilder answers = new StringBuilder();
      byte[] buffer = new byte[4096];
      while (answers.toString().split("HTTP/1.1 200", -1).length - 1 < 5) {
        int read = socket.getInputStream().read(buffer);
        assertThat(read).as("the connection stays open until all five are answered").isPositive();
        answers.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
      }
      assertThat(entered.get()).isEqualTo(5);
    } finally {
      release.countDown();
    }
  }

  @Test
  void otherPathsAndMethodsAreNotTheHandlers() throws Exception {
    start(RpcServer.builder());
    assertThat(get("/status/more").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/status"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(404);
    // The server's own paths still answer.
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void pathsTheServerAnswersItselfOrTwiceAreRefused() {
    HttpGetHandler handler = context -> new HttpGetHandler.Response("text/plain", new byte[0]);
    for (String path : List.of("/", "/rpc", "/health", "/courier.js", "/ws", "status")) {
      assertThatThrownBy(() -> RpcServer.builder().httpGet(path, handler))
          .as(path)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(path);
    }
    assertThatThrownBy(() -> RpcServer.builder().httpGet("/a", handler).httpGet("/a", handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RpcServer.builder().httpGet("/a", handler).webSocketPath("/a"))
        .isInstanceOf(IllegalArgumentException.class);
    for (String path : List.of("/", "/rpc", "/health", "/courier.js")) {
      assertThatThrownBy(() -> RpcServer.builder().webSocketPath(path)).as("webSocketPath " + path)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theHandlerSeesTheCallersContext() throws Exception {
    List<String> agents = new CopyOnWriteArrayList<>();
    server = RpcServer.builder().host("127.0.0.1").port(0)
        .httpGet("/who", context -> {
          agents.add(RpcContext.current() == context ? "current" : "not current");
          agents.add(context.header("X-Probe").orElse("?"));
          return new HttpGetHandler.Response("text/plain", new byte[] {'k'});
        })
        .build()
        .start();
    assertThat(get("/who", "X-Probe", "p1").body()).isEqualTo("k");
    assertThat(agents).containsExactly("current", "p1");
  }
}
