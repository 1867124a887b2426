package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.stereotype.Component;

/** Metrics, tracing and the Prometheus endpoint, recorded by a call between two contexts over 127.0.0.1. */
class CourierObservabilityIT {

  private final ApplicationContextRunner server = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class, CourierMetricsAutoConfiguration.class,
          CourierTracingAutoConfiguration.class))
      .withUserConfiguration(CalculatorImpl.class)
      .withPropertyValues("courier.server.host=127.0.0.1", "courier.server.port=0");

  private final ApplicationContextRunner client = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class, CourierMetricsAutoConfiguration.class,
          CourierTracingAutoConfiguration.class))
      .withUserConfiguration(Caller.class);

  @Test
  void aCallIsRecordedInTheApplicationsMeterRegistryOnBothEnds() {
    server.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(serverContext -> {
      int port = serverContext.getBean(CourierServer.class).port();
      client.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withPropertyValues("courier.clients.calc.target=tcp://127.0.0.1:" + port)
          .run(clientContext -> {
            assertThat(clientContext.getBean(Caller.class).calculator.add(2, 3)).isEqualTo(5);
            awaitOneCall(clientContext.getBean(MeterRegistry.class), "rpc.client.call.duration");
          });
      awaitOneCall(serverContext.getBean(MeterRegistry.class), "rpc.server.call.duration");
    });
  }

  @Test
  void aCallIsTracedThroughTheApplicationsOpenTelemetryWithOneTrace() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    server.withBean(OpenTelemetry.class, () -> openTelemetry).run(serverContext -> {
      int port = serverContext.getBean(CourierServer.class).port();
      client.withBean(OpenTelemetry.class, () -> openTelemetry)
          .withPropertyValues("courier.clients.calc.target=tcp://127.0.0.1:" + port)
          .run(clientContext -> {
            assertThat(clientContext.getBean(Caller.class).calculator.add(2, 3)).isEqualTo(5);
            // Asserted here: closing a context closes its OpenTelemetrySdk bean, whose in-memory exporter then
            // forgets its spans. The server's span ends when its reply is written, maybe after the client has it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (spans.getFinishedSpanItems().size() < 2 && System.nanoTime() < deadline) {
              Thread.sleep(5);
            }
            assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName, SpanData::getKind)
                .containsExactlyInAnyOrder(tuple("calc.add", SpanKind.SERVER), tuple("calc.add", SpanKind.CLIENT));
            assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getTraceId)
                .containsOnly(spans.getFinishedSpanItems().get(0).getTraceId());
          });
    });
  }

  @Test
  void thePrometheusEndpointServesTheApplicationsRegistryOnTheServersPort() {
    server.withBean(PrometheusMeterRegistry.class, () -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .withPropertyValues("courier.server.metrics-endpoint=true")
        .run(context -> {
          int port = context.getBean(CourierServer.class).port();
          assertThat(CourierServerIT.add("tcp://127.0.0.1:" + port, 1, 2)).isEqualTo(3);
          HttpResponse<String> response = HttpClient.newHttpClient().send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.body()).contains("rpc_server_call_duration_seconds");
        });
  }

  @Test
  void withoutTheEndpointPropertyMetricsIsNotServed() throws Exception {
    server.withBean(PrometheusMeterRegistry.class, () -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .run(context -> {
          int port = context.getBean(CourierServer.class).port();
          HttpResponse<String> response = HttpClient.newHttpClient().send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(404);
        });
  }

  /**
   * Waits, bounded, for one call of {@code calc.add} in the timer {@code name}. Both ends record a call as it ends,
   * which may be a moment after the caller has its result: the server once its reply is written, the client once
   * the call's future has woken the caller.
   */
  private static void awaitOneCall(MeterRegistry registry, String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (registry.find(name).tag("rpc.method", "calc.add").timer() == null
        || registry.get(name).tag("rpc.method", "calc.add").timer().count() < 1) {
      assertThat(System.nanoTime()).as(name + " recorded in time").isLessThan(deadline);
      Thread.sleep(5);
    }
    assertThat(registry.get(name).tag("rpc.method", "calc.add").timer().count()).isEqualTo(1);
  }

  @Component
  static class Caller {
    final Calculator calculator;

    Caller(@CourierClient("calc") Calculator calculator) {
      this.calculator = calculator;
    }
  }
}
