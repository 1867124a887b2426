package io.courier.bench;

import io.courier.client.RpcClientBuilder;
import io.courier.micrometer.CourierMetrics;
import io.courier.opentelemetry.CourierTelemetry;
import io.courier.server.RpcServerBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Collection;

/**
 * Metrics and tracing turned on as a user would turn them on, for {@link Target#COURIER_OBSERVED}: each process
 * (server or load client) has a Prometheus meter registry fed by {@code courier-micrometer}'s listener with its
 * defaults, and an OpenTelemetry SDK that samples every call (or a share of them), batches its spans (the SDK's
 * default processor) and hands them to an exporter that drops them. Everything a real exporter costs but
 * its network is paid: span creation, attributes, context propagation on the wire, the batch queue.
 */
final class Observed {

  private static final PrometheusMeterRegistry METERS = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Observed() {}

  /** The server's side: it traces what its callers sampled ({@code parentBased}, the SDK's default). */
  static void server(RpcServerBuilder builder) {
    builder.eventListener(CourierMetrics.server(METERS)).intercept(tracing(1.0).serverInterceptor());
  }

  /**
   * The client's side, which decides whether a trace is sampled.
   *
   * @param sampled the share of calls traced: 1 for every call (the SDK's default), less for a ratio of them
   */
  static void client(RpcClientBuilder builder, double sampled) {
    builder.eventListener(CourierMetrics.client(METERS)).intercept(tracing(sampled).clientInterceptor());
  }

  private static CourierTelemetry tracing(double sampled) {
    SdkTracerProvider tracer = SdkTracerProvider.builder()
        .setSampler(Sampler.parentBased(sampled >= 1 ? Sampler.alwaysOn() : Sampler.traceIdRatioBased(sampled)))
        .addSpanProcessor(BatchSpanProcessor.builder(new DroppingExporter()).build())
        .build();
    return CourierTelemetry.create(OpenTelemetrySdk.builder()
        .setTracerProvider(tracer)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build());
  }

  /** Exports spans to nowhere: the no-op exporter the measurement asks for. */
  private static final class DroppingExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
