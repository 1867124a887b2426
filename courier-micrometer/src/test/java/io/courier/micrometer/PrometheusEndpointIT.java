package io.courier.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.Identity;
import io.courier.server.BearerTokenAuth;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PrometheusEndpoint} on a server's port: Prometheus' text after a call, and behind authentication. */
@Timeout(30)
class PrometheusEndpointIT {

  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private RpcServer server;

  private void start(RpcServerBuilder builder) {
    server = builder
        .host("127.0.0.1")
        .port(0)
        .eventListener(CourierMetrics.server(prometheus))
        .httpGet("/metrics", PrometheusEndpoint.of(prometheus))
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  private HttpResponse<String> post(String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rpc"))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> scrape(String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
        .timeout(Duration.ofSeconds(5))
        .GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void metricsAnswersPrometheusTextWithTheCallsServed() throws Exception {
    start(RpcServer.builder());
    assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}", null).body())
        .contains("\"result\":5");
    HttpResponse<String> response = scrape(null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(PrometheusEndpoint.CONTENT_TYPE);
    assertThat(response.body()).contains("# TYPE rpc_server_call_duration_seconds histogram")
        .contains("courier_server_connections_opened_total{courier_protocol=\"http\"");
  }

  @Test
  void metricsNeedsTheTokenWhenTheServerAuthenticates() throws Exception {
    start(RpcServer.builder().allowPlaintext(true)
        .intercept(BearerTokenAuth.of(Map.of("secret", Identity.of("prometheus", "metrics")))));
    assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}", "secret").body())
        .contains("\"result\":5");
    HttpResponse<String> refused = scrape(null);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).doesNotContain("rpc_server");
    assertThat(scrape("wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> response = scrape("secret");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("rpc_server_call_duration_seconds_count{error_type=\"none\","
        + "rpc_method=\"add\",rpc_status_code=\"OK\",rpc_system_name=\"jsonrpc\"} 1");
  }

  @Test
  void aScrapeIsNeitherACallNorAConnectionInTheMetrics() throws Exception {
    start(RpcServer.builder());
    assertThat(scrape(null).statusCode()).isEqualTo(200);
    HttpResponse<String> second = scrape(null);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).doesNotContain("rpc_server_call_duration").doesNotContain("courier_server_connections");
  }
}
