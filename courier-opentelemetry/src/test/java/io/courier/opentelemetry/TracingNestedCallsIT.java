package io.courier.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.RpcService;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A method that calls another server while it serves a call: its own call continues the caller's trace, because
 * the server span is current where the method runs and the client interceptor starts from the current context.
 */
@Timeout(30)
class TracingNestedCallsIT {

  /** What server A's method calls on server B, through a proxy. */
  @RpcService("greeter")
  public interface Greeter {
    String greet(String name);
  }

  private final RecordingTracing tracing = new RecordingTracing();
  private final CourierTelemetry telemetry = CourierTelemetry.create(tracing.openTelemetry());
  private RpcServer serverB;
  private RpcClient clientOfB;
  private RpcServer serverA;
  private RpcClient clientOfA;

  @AfterEach
  void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {clientOfA, clientOfB}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
    }
    for (RpcServer server : new RpcServer[] {serverA, serverB}) {
      if (server != null) {
        server.stop(Duration.ofSeconds(1));
      }
    }
    tracing.close();
  }

  @Test
  void aMethodsOwnCallIsAChildOfItsServerSpanAndTheNextServerSpanAChildOfThat() throws Exception {
    serverB = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .intercept(telemetry.serverInterceptor())
        .service(Greeter.class, name -> "hello " + name)
        .build()
        .start();
    clientOfB = RpcClient.builder()
        .target("http://127.0.0.1:" + serverB.port() + "/rpc")
        .callTimeout(Duration.ofSeconds(5))
        .intercept(telemetry.clientInterceptor())
        .build();
    Greeter greeterB = clientOfB.create(Greeter.class);
    serverA = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .intercept(telemetry.serverInterceptor())
        .method("relay", args -> greeterB.greet(args.arg(0, String.class)) + " via A")
        .build()
        .start();
    clientOfA = RpcClient.builder()
        .target("tcp://127.0.0.1:" + serverA.port())
        .callTimeout(Duration.ofSeconds(5))
        .intercept(telemetry.clientInterceptor())
        .build();

    assertThat(clientOfA.call("relay", String.class, "ann").get(5, TimeUnit.SECONDS)).isEqualTo("hello ann via A");

    SpanData callerSpan = tracing.awaitSpan("relay", SpanKind.CLIENT);
    SpanData serverSpanA = tracing.awaitSpan("relay", SpanKind.SERVER);
    SpanData clientSpanA = tracing.awaitSpan("greeter.greet", SpanKind.CLIENT);
    SpanData serverSpanB = tracing.awaitSpan("greeter.greet", SpanKind.SERVER);
    assertThat(tracing.spans()).hasSize(4);
    assertThat(tracing.spans()).extracting(SpanData::getTraceId).containsOnly(callerSpan.getTraceId());
    assertThat(serverSpanA.getParentSpanId()).isEqualTo(callerSpan.getSpanId());
    assertThat(clientSpanA.getParentSpanId()).isEqualTo(serverSpanA.getSpanId());
    assertThat(clientSpanA.getParentSpanContext().isRemote()).as("A's own span, in process").isFalse();
    assertThat(serverSpanB.getParentSpanId()).isEqualTo(clientSpanA.getSpanId());
    assertThat(serverSpanB.getParentSpanContext().isRemote()).isTrue();
  }
}
