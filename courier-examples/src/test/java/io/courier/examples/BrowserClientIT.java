package io.courier.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.examples.demo.DemoServer;
import io.courier.server.RpcServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser client {@code courier.js}, run in headless Chromium against the demo server: a page served by a
 * JDK HTTP server on another origin loads {@code /courier.js} from the Courier server, calls it over WebSocket
 * and over HTTP (see {@code browser/browser-test.js}), and POSTs what happened back to the page server, where
 * this test checks it. Besides the demo methods the server has three for the test: {@code watch} (notifies the
 * caller), {@code whoami} (returns the caller's bearer token) and {@code wait_for_cancel}.
 *
 * <p>Skipped when {@code chromium} is not on the PATH, unless the environment variable {@code COURIER_CI} is set:
 * then it fails, because CI installs Chromium.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserClientIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long the page may take to run every scenario and report. */
  private static final Duration REPORT_WAIT = Duration.ofSeconds(60);
  /** How long to wait for Chromium to exit once it has been told to. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);
  private static final String COURIER_JS = "io/courier/web/courier.js";

  private static HttpServer pageServer;
  private static RpcServer server;
  private static final CompletableFuture<String> report = new CompletableFuture<>();
  /** How long {@code wait_for_cancel} waits to be cancelled. */
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(5);
  /** The protocols ({@code ws}, {@code http}) over which a {@code wait_for_cancel} call was cancelled. */
  private static final Set<String> cancelledOn = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startServers() throws IOException {
    pageServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pageServer.createContext("/", BrowserClientIT::servePage);
    pageServer.start();
    server = DemoServer.builder()
        .host("127.0.0.1")
        .port(0)
        .corsOrigins(pageOrigin())
        .method("watch", args -> {
          RpcContext.current().peer().notify("tick", Map.of("n", 1));
          return "watching";
        })
        .method("whoami", args -> RpcContext.current().bearerToken().orElse(null))
        .method("wait_for_cancel", args -> {
          RpcContext context = RpcContext.current();
          long deadline = System.nanoTime() + CANCEL_WAIT.toNanos();
          try {
            while (!context.isCancelled() && System.nanoTime() < deadline) {
              Thread.sleep(10);
            }
          } catch (InterruptedException e) {
            // How the server may cancel: the check below tells.
          }
          if (context.isCancelled()) {
            cancelledOn.add(context.peer().protocol());
          }
          throw new RpcException(RpcError.CANCELLED);
        })
        .build()
        .start();
  }

  @AfterAll
  static void stopServers() {
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
    if (pageServer != null) {
      pageServer.stop(0);
    }
  }

  @Test
  void serverServesTheBrowserClient() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://" + courierAddress() + "/courier.js"))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    assertThat(response.body()).isEqualTo(resource(COURIER_JS, RpcServer.class));
  }

  @Test
  void browserClientCallsTheDemoOverWebSocketAndHttp() throws Exception {
    JsonNode results = runPageInChromium().get("results");

    SoftAssertions softly = new SoftAssertions();
    for (String t : List.of("ws", "http")) {
      softly.assertThat(ok(softly, results, t + ".positional").asInt()).as(t + ".positional").isEqualTo(5);
      softly.assertThat(ok(softly, results, t + ".named").asInt()).as(t + ".named").isEqualTo(19);
      softly.assertThat(ok(softly, results, t + ".echo")).as(t + ".echo")
          .isEqualTo(JSON.readTree("{\"a\": [1, \"two\", null, true], \"b\": {\"c\": 1.5}}"));
      softly.assertThat(ok(softly, results, t + ".notification").isNull()).as(t + ".notification").isTrue();
      softly.assertThat(ok(softly, results, t + ".afterNotification").asInt()).as(t + ".afterNotification").isEqualTo(42);

      JsonNode batch = ok(softly, results, t + ".batch");
      softly.assertThat(batch.size()).as(t + ".batch size").isEqualTo(4);
      softly.assertThat(batch.path(0).path("result").asInt()).as(t + ".batch[0]").isEqualTo(3);
      softly.assertThat(batch.path(1).path("error").path("code").asInt()).as(t + ".batch[1]").isEqualTo(-32601);
      softly.assertThat(batch.path(2).path("error").path("code").asInt()).as(t + ".batch[2]").isEqualTo(1000);
      softly.assertThat(batch.path(2).path("error").path("message").asText()).as(t + ".batch[2]")
          .contains("in a batch");
      softly.assertThat(batch.path(3).path("result")).as(t + ".batch[3]")
          .isEqualTo(JSON.readTree("[\"hello\", 5]"));

      JsonNode failed = error(softly, results, t + ".fail");
      softly.assertThat(failed.path("isRpcError").asBoolean()).as(t + ".fail is a Courier.RpcError").isTrue();
      softly.assertThat(failed.path("isError").asBoolean()).as(t + ".fail is an Error").isTrue();
      softly.assertThat(failed.path("code").asInt()).as(t + ".fail code").isEqualTo(1000);
      softly.assertThat(failed.path("message").asText()).as(t + ".fail message").contains("boom");

      JsonNode notFound = error(softly, results, t + ".notFound");
      softly.assertThat(notFound.path("isRpcError").asBoolean()).as(t + ".notFound is a Courier.RpcError").isTrue();
      softly.assertThat(notFound.path("code").asInt()).as(t + ".notFound code").isEqualTo(-32601);

      softly.assertThat(ok(softly, results, t + ".concurrent")).as(t + ".concurrent")
          .isEqualTo(JSON.readTree("[300, 2, \"z\"]"));

      JsonNode timeout = error(softly, results, t + ".timeout");
      softly.assertThat(timeout.path("name").asText()).as(t + ".timeout").isEqualTo("TimeoutError");
      softly.assertThat(timeout.path("message").asText()).as(t + ".timeout").contains("300 ms");
      softly.assertThat(results.path(t + ".timeout").path("ms").asInt()).as(t + ".timeout ms").isBetween(250, 2500);
      softly.assertThat(ok(softly, results, t + ".afterTimeout").asInt()).as(t + ".afterTimeout").isEqualTo(3);
      if (t.equals("ws")) {
        softly.assertThat(ok(softly, results, "ws.serverNotification")).as("ws.serverNotification")
            .isEqualTo(JSON.readTree("[{\"n\": 1}, \"watching\"]"));
        softly.assertThat(ok(softly, results, "ws.subscribe")).as("ws.subscribe")
            .isEqualTo(JSON.readTree("[0, 1, 2, 3, 4]"));
        softly.assertThat(error(softly, results, "ws.callback").path("code").asInt()).as("ws.callback")
            .isEqualTo(-32601);
      }

      softly.assertThat(ok(softly, results, t + ".token").asText()).as(t + ".token seen by the server")
          .isEqualTo("browser-token");

      JsonNode closed = error(softly, results, t + ".closed");
      softly.assertThat(closed.path("name").asText()).as(t + ".closed").isEqualTo("ConnectionClosedError");
      softly.assertThat(results.path(t + ".closed").path("ms").asInt()).as(t + ".closed ms (close at 200)")
          .isLessThan(2500);
      softly.assertThat(error(softly, results, t + ".afterClose").path("name").asText()).as(t + ".afterClose")
          .isEqualTo("ConnectionClosedError");
    }
    JsonNode status = error(softly, results, "http.status");
    softly.assertThat(status.path("name").asText()).as("http.status").isEqualTo("HttpError");
    softly.assertThat(status.path("status").asInt()).as("http.status").isEqualTo(503);
    softly.assertThat(status.path("message").asText()).as("http.status").contains("503");
    // The timeout sent $/cancelRequest, which the server honoured (the page reported well after the 300 ms).
    softly.assertThat(cancelledOn).as("protocols over which a timed-out call was cancelled").contains("ws");
    softly.assertAll();
  }

  /** Loads the page in headless Chromium and returns the report it POSTs, failing on a fatal one. */
  private static JsonNode runPageInChromium() throws Exception {
    Optional<Path> chromium = onPath("chromium");
    if (chromium.isEmpty()) {
      if (System.getenv("COURIER_CI") != null) {
        fail("chromium is not on the PATH, and COURIER_CI is set: CI must install it (apt-get install chromium)");
      }
      Assumptions.assumeTrue(false, "chromium is not on the PATH; skipping the browser client test");
    }
    Path profile = Files.createTempDirectory("courier-chromium-");
    Path log = profile.resolveSibling(profile.getFileName() + ".log");
    Process browser = new ProcessBuilder(
            chromium.get().toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-breakpad",
            "--disable-crash-reporter",
            "--no-first-run",
            "--no-default-browser-check",
            "--enable-logging=stderr",
            "--user-data-dir=" + profile,
            pageOrigin() + "/")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    try {
      JsonNode reported = JSON.readTree(awaitReport(browser, log));
      if (reported.has("fatal")) {
        fail("the page failed: " + reported.get("fatal").asText() + "\nresults so far: " + reported.path("results")
            + "\n" + tail(log));
      }
      return reported;
    } finally {
      kill(browser);
      deleteRecursively(profile);
      Files.deleteIfExists(log);
    }
  }

  private static String awaitReport(Process browser, Path log) throws Exception {
    long deadline = System.nanoTime() + REPORT_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        return report.get(250, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (!browser.isAlive()) {
          fail("chromium exited with " + browser.exitValue() + " before the page reported\n" + tail(log));
        }
      } catch (ExecutionException e) {
        throw new AssertionError(e.getCause());
      }
    }
    throw new AssertionError("the page did not report within " + REPORT_WAIT + "\n" + tail(log));
  }

  /** Serves the page, its script, a 503 for the HTTP status scenario, and takes the report. */
  private static void servePage(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case "/" -> respond(exchange, 200, "text/html; charset=utf-8",
            resource("browser/index.html", BrowserClientIT.class).replace("{{courierAddress}}", courierAddress()));
        case "/browser-test.js" -> respond(exchange, 200, "text/javascript; charset=utf-8",
            resource("browser/browser-test.js", BrowserClientIT.class));
        case "/status/503" -> respond(exchange, 503, "text/plain; charset=utf-8", "unavailable");
        case "/report" -> {
          report.complete(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
          exchange.sendResponseHeaders(204, -1);
        }
        default -> respond(exchange, 404, "text/plain; charset=utf-8", "not found: " + path);
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static String pageOrigin() {
    return "http://127.0.0.1:" + pageServer.getAddress().getPort();
  }

  private static String courierAddress() {
    return "127.0.0.1:" + server.port();
  }

  /** The result a scenario reported, or a missing node (and a failure) when it reported something else. */
  private static JsonNode ok(SoftAssertions softly, JsonNode results, String name) {
    return outcome(softly, results, name, "ok", "a result");
  }

  /** The error a scenario reported, or a missing node (and a failure) when it reported something else. */
  private static JsonNode error(SoftAssertions softly, JsonNode results, String name) {
    return outcome(softly, results, name, "error", "an error");
  }

  private static JsonNode outcome(SoftAssertions softly, JsonNode results, String name, String key, String what) {
    JsonNode outcome = results.path(name);
    if (!outcome.has(key)) {
      softly.fail(name + ": expected " + what + ", got " + outcome);
    }
    return outcome.path(key);
  }

  private static String resource(String name, Class<?> loader) {
    try (InputStream in = loader.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new AssertionError("no resource " + name + " on the class path");
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Kills Chromium and its helper processes, and waits for them. */
  private static void kill(Process browser) throws InterruptedException {
    List<ProcessHandle> all = new ArrayList<>(browser.descendants().toList());
    all.add(browser.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : all) {
      p.onExit().completeOnTimeout(p, KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }
    browser.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = new String(Files.readAllBytes(log), UTF_8).lines().toList();
      return "chromium's last lines:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no chromium log: " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory left behind is not worth failing the test for.
    }
  }
}
