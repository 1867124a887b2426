package io.courier.opentelemetry;

import io.courier.RpcService;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * The README's "Tracing with OpenTelemetry" example, compiled with the tests so that the API it shows cannot drift
 * from it unnoticed. Never run (it listens on a fixed port); keep it in step with the README.
 */
final class ReadmeExample {

  @RpcService("calc")
  interface Calculator {
    int add(int a, int b);
  }

  static final class CalculatorImpl implements Calculator {
    @Override
    public int add(int a, int b) {
      return a + b;
    }
  }

  private ReadmeExample() {}

  static void tracingWithOpenTelemetry() {
    // To see spans on the console: io.opentelemetry:opentelemetry-sdk and opentelemetry-exporter-logging.
    OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(LoggingSpanExporter.create()))   // one log line per span
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))   // default: none
        .build();
    CourierTelemetry telemetry = CourierTelemetry.create(openTelemetry);

    RpcServer server = RpcServer.builder()
        .port(7070)
        .intercept(telemetry.serverInterceptor())           // first, so its span also covers calls the others reject
        .service(Calculator.class, new CalculatorImpl())
        .build()
        .start();

    try (RpcClient client = RpcClient.builder()
            .target("tcp://127.0.0.1:7070")
            .intercept(telemetry.clientInterceptor())
            .build()) {
      client.create(Calculator.class).add(2, 3);           // logs a SERVER and a CLIENT span named calc.add
    }
  }
}
