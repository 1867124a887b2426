package io.courier.micrometer;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import io.courier.RpcContext;
import io.courier.server.HttpGetHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * Serves a {@link PrometheusMeterRegistry} in Prometheus' text format, for a server's {@code GET /metrics}:
 *
 * <pre>{@code
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * RpcServer.builder()
 *     .eventListener(CourierMetrics.server(prometheus))
 *     .httpGet("/metrics", PrometheusEndpoint.of(prometheus))
 * }</pre>
 *
 * <p>A class of its own rather than a method of {@link CourierMetrics}, so that the Prometheus registry, an
 * optional dependency of this module, is needed only by those who use it. The request passes through the server's
 * interceptors first, so authentication guards it as it guards calls. Thread-safe.
 */
@Experimental
public final class PrometheusEndpoint implements HttpGetHandler {

  /** The content type of Prometheus' text exposition format, version 0.0.4, which {@code scrape()} writes. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;

  private PrometheusEndpoint(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /** Returns a handler that answers each GET with a fresh scrape of {@code registry}. */
  public static PrometheusEndpoint of(PrometheusMeterRegistry registry) {
    return new PrometheusEndpoint(requireNonNull(registry, "registry"));
  }

  @Override
  public Response get(RpcContext context) {
    return new Response(CONTENT_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
