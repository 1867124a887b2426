package io.courier.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An OpenTelemetry SDK that keeps every ended span in memory, with the W3C trace context and baggage
 * propagators, as an application would configure it; not registered globally, so tests do not share it.
 */
final class RecordingTracing implements AutoCloseable {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
          W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
      .build();

  OpenTelemetry openTelemetry() {
    return sdk;
  }

  /**
   * Returns the ended spans once there are at least {@code count}. Spans end before the reply they describe
   * is passed on, so they are usually there already; the wait is bounded by the test's {@code @Timeout}.
   */
  List<SpanData> awaitSpans(int count) throws InterruptedException {
    while (exporter.getFinishedSpanItems().size() < count) {
      Thread.sleep(5);
    }
    return exporter.getFinishedSpanItems();
  }

  /** Returns the one ended span with this name and kind, waiting for it like {@link #awaitSpans}. */
  SpanData awaitSpan(String name, SpanKind kind) throws InterruptedException {
    while (true) {
      List<SpanData> found = exporter.getFinishedSpanItems().stream()
          .filter(span -> span.getName().equals(name) && span.getKind() == kind)
          .collect(Collectors.toList());
      if (found.size() > 1) {
        throw new AssertionError("More than one " + kind + " span named " + name + ": " + found);
      }
      if (found.size() == 1) {
        return found.get(0);
      }
      Thread.sleep(5);
    }
  }

  List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  @Override
  public void close() {
    sdk.close();
  }
}
