package io.courier.opentelemetry;

import static io.courier.opentelemetry.RpcAttributes.CLIENT_ADDRESS;
import static io.courier.opentelemetry.RpcAttributes.ERROR_TYPE;
import static io.courier.opentelemetry.RpcAttributes.JSONRPC_PROTOCOL_VERSION;
import static io.courier.opentelemetry.RpcAttributes.JSONRPC_REQUEST_ID;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_PROTOCOL_NAME;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_TRANSPORT;
import static io.courier.opentelemetry.RpcAttributes.RPC_METHOD;
import static io.courier.opentelemetry.RpcAttributes.RPC_STATUS_CODE;
import static io.courier.opentelemetry.RpcAttributes.RPC_SYSTEM;
import static io.courier.opentelemetry.RpcAttributes.RPC_SYSTEM_NAME;
import static io.courier.opentelemetry.RpcAttributes.SERVER_ADDRESS;
import static io.courier.opentelemetry.RpcAttributes.SERVER_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.ClientInterceptor;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A client and a server traced with {@link CourierTelemetry}, over real sockets on every transport of the one
 * port: the two spans of each call, their attributes, and how each kind of failure ends them.
 */
@Timeout(30)
class TracingIT {

  private final RecordingTracing tracing = new RecordingTracing();
  private final CourierTelemetry telemetry = CourierTelemetry.create(tracing.openTelemetry());
  /** Completed by the test to let {@code later} answer. */
  private final CompletableFuture<Object> release = new CompletableFuture<>();
  private final CountDownLatch laterInvoked = new CountDownLatch(1);
  private RpcServer server;
  private RpcClient client;

  @BeforeEach
  void startServer() {
    server = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .intercept(telemetry.serverInterceptor(), chain -> {
          if (chain.context().method().equals("forbidden")) {
            throw new RpcException(RpcError.PERMISSION_DENIED);
          }
          return chain.proceed();
        })
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .method("currentSpanId", args -> Span.current().getSpanContext().getSpanId())
        .method("baggage", args -> Baggage.current().getEntryValue(args.arg(0, String.class)))
        .method("metadata", args -> RpcContext.current().metadata(args.arg(0, String.class)).orElse("(none)"))
        .method("fail", args -> {
          throw new RpcException(-32050, "custom failure");
        })
        .method("boom", args -> {
          throw new IllegalStateException("not for the caller's eyes");
        })
        .method("forbidden", args -> "never runs")
        .method("later", args -> {
          String spanId = Span.current().getSpanContext().getSpanId();
          laterInvoked.countDown();
          return release.thenApply(ignored -> spanId);
        })
        .build()
        .start();
  }

  private RpcClient client(String target, ClientInterceptor... interceptors) {
    client = RpcClient.builder()
        .target(target)
        .callTimeout(Duration.ofSeconds(5))
        .maxAttempts(1)
        .intercept(interceptors)
        .build();
    return client;
  }

  private RpcClient tcpClient() {
    return client("tcp://127.0.0.1:" + server.port(), telemetry.clientInterceptor());
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.stop(Duration.ofSeconds(1));
    tracing.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"tcp, '', ", "http, /rpc, http", "ws, /ws, websocket"})
  void eachCallHasAClientSpanAndAServerSpanInOneTrace(String scheme, String path, String protocolName)
      throws Exception {
    RpcClient client = client(scheme + "://127.0.0.1:" + server.port() + path, telemetry.clientInterceptor());

    assertThat(client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(5);

    SpanData clientSpan = tracing.awaitSpan("add", SpanKind.CLIENT);
    SpanData serverSpan = tracing.awaitSpan("add", SpanKind.SERVER);
    assertThat(serverSpan.getTraceId()).isEqualTo(clientSpan.getTraceId());
    assertThat(serverSpan.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
    assertThat(serverSpan.getParentSpanContext().isRemote()).isTrue();
    assertThat(clientSpan.getParentSpanContext().isValid()).as("the client span is a root").isFalse();
    assertThat(clientSpan.getInstrumentationScopeInfo().getName()).isEqualTo("io.courier");
    for (SpanData span : new SpanData[] {clientSpan, serverSpan}) {
      assertThat(span.getAttributes().get(RPC_SYSTEM_NAME)).isEqualTo("jsonrpc");
      assertThat(span.getAttributes().get(RPC_SYSTEM)).isEqualTo("jsonrpc");
      assertThat(span.getAttributes().get(RPC_METHOD)).isEqualTo("add");
      assertThat(span.getAttributes().get(JSONRPC_PROTOCOL_VERSION)).isEqualTo("2.0");
      assertThat(span.getAttributes().get(NETWORK_TRANSPORT)).isEqualTo("tcp");
      assertThat(span.getAttributes().get(NETWORK_PROTOCOL_NAME)).isEqualTo(protocolName);
      assertThat(span.getAttributes().get(ERROR_TYPE)).isNull();
      assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
    assertThat(clientSpan.getAttributes().get(SERVER_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(clientSpan.getAttributes().get(SERVER_PORT)).isEqualTo((long) server.port());
    assertThat(serverSpan.getAttributes().get(JSONRPC_REQUEST_ID)).matches("[0-9]+");
    assertThat(serverSpan.getAttributes().get(CLIENT_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(tracing.spans()).hasSize(2);
  }

  @Test
  void aBlockingMethodRunsWithTheServerSpanCurrent() throws Exception {
    String seen = tcpClient().call("currentSpanId", String.class).get(5, TimeUnit.SECONDS);

    assertThat(seen).isEqualTo(tracing.awaitSpan("currentSpanId", SpanKind.SERVER).getSpanId());
  }

  @Test
  @SuppressWarnings("try") // the scopes are only closed, never read
  void theCallerContextIsTheParentOfTheClientSpanAndItsBaggageTravels() throws Exception {
    Span parent = tracing.openTelemetry().getTracer("test").spanBuilder("caller").startSpan();
    String tenant;
    try (Scope ignored = parent.makeCurrent();
        Scope withBaggage = Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
      tenant = tcpClient().call("baggage", String.class, "tenant").get(5, TimeUnit.SECONDS);
    } finally {
      parent.end();
    }

    assertThat(tenant).isEqualTo("acme");
    SpanData clientSpan = tracing.awaitSpan("baggage", SpanKind.CLIENT);
    assertThat(clientSpan.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(tracing.awaitSpan("baggage", SpanKind.SERVER).getTraceId())
        .isEqualTo(parent.getSpanContext().getTraceId());
  }

  @Test
  void theTraceContextTravelsAsW3cTraceparentMetadata() throws Exception {
    String traceparent = tcpClient().call("metadata", String.class, "traceparent").get(5, TimeUnit.SECONDS);

    SpanData clientSpan = tracing.awaitSpan("metadata", SpanKind.CLIENT);
    assertThat(traceparent).isEqualTo("00-" + clientSpan.getTraceId() + "-" + clientSpan.getSpanId() + "-"
        + clientSpan.getSpanContext().getTraceFlags().asHex());
    assertThat(clientSpan.getSpanContext().isSampled()).isTrue();
  }

  @Test
  void anUnknownMethodEndsTheClientSpanWithMethodNotFound() throws Exception {
    assertThatThrownBy(() -> tcpClient().call("nope", String.class).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(RpcException.class);

    SpanData clientSpan = tracing.awaitSpan("nope", SpanKind.CLIENT);
    assertThat(clientSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(clientSpan.getAttributes().get(RPC_STATUS_CODE)).isEqualTo("-32601");
    assertThat(clientSpan.getAttributes().get(ERROR_TYPE)).isEqualTo("-32601");
    // Refused before any interceptor runs: no server span, and nothing else.
    assertThat(tracing.spans()).containsExactly(clientSpan);
  }

  @Test
  void aMethodThrowingRpcExceptionRecordsItsCodeOnBothSpans() throws Exception {
    assertThatThrownBy(() -> tcpClient().call("fail", String.class).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(RpcException.class)
        .hasMessageContaining("custom failure");

    for (SpanKind kind : new SpanKind[] {SpanKind.CLIENT, SpanKind.SERVER}) {
      SpanData span = tracing.awaitSpan("fail", kind);
      assertThat(span.getStatus().getStatusCode()).as("%s", kind).isEqualTo(StatusCode.ERROR);
      assertThat(span.getStatus().getDescription()).as("%s", kind).isEqualTo("custom failure");
      assertThat(span.getAttributes().get(RPC_STATUS_CODE)).as("%s", kind).isEqualTo("-32050");
      assertThat(span.getAttributes().get(ERROR_TYPE)).as("%s", kind).isEqualTo("-32050");
    }
  }

  @Test
  void aMethodThrowingAnythingElseRecordsItsClassOnTheServerSpanAndInternalErrorOnTheClientSpan()
      throws Exception {
    assertThatThrownBy(() -> tcpClient().call("boom", String.class).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(RpcException.class);

    SpanData serverSpan = tracing.awaitSpan("boom", SpanKind.SERVER);
    assertThat(serverSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(serverSpan.getStatus().getDescription()).isEmpty();
    assertThat(serverSpan.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
    assertThat(serverSpan.getAttributes().get(RPC_STATUS_CODE)).isNull();
    SpanData clientSpan = tracing.awaitSpan("boom", SpanKind.CLIENT);
    assertThat(clientSpan.getAttributes().get(RPC_STATUS_CODE)).isEqualTo("-32603");
  }

  @Test
  void aCallALaterServerInterceptorRejectsStillEndsItsServerSpanWithTheError() throws Exception {
    assertThatThrownBy(() -> tcpClient().call("forbidden", String.class).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(RpcException.class);

    SpanData serverSpan = tracing.awaitSpan("forbidden", SpanKind.SERVER);
    assertThat(serverSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(serverSpan.getAttributes().get(RPC_STATUS_CODE))
        .isEqualTo(Integer.toString(RpcError.PERMISSION_DENIED_CODE));
  }

  @Test
  void aCallALaterClientInterceptorRejectsEndsItsClientSpanWithTheErrorAndIsNeverSent() throws Exception {
    RpcClient client = client("tcp://127.0.0.1:" + server.port(), telemetry.clientInterceptor(), chain -> {
      throw new RpcException(-32051, "refused by the client");
    });

    assertThatThrownBy(() -> client.call("add", Integer.class, 1, 2).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .hasMessageContaining("refused by the client");

    SpanData clientSpan = tracing.awaitSpan("add", SpanKind.CLIENT);
    assertThat(clientSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(clientSpan.getAttributes().get(ERROR_TYPE)).isEqualTo("-32051");
    assertThat(tracing.spans()).containsExactly(clientSpan);
  }

  @Test
  void anAsyncMethodsServerSpanEndsWhenItsFutureCompletes() throws Exception {
    CompletableFuture<String> call = tcpClient().call("later", String.class);
    laterInvoked.await();

    // The method has returned its future, but the call is not over: neither span has ended.
    assertThat(call).isNotDone();
    assertThat(tracing.spans()).isEmpty();
    release.complete("go");
    String spanIdInMethod = call.get(5, TimeUnit.SECONDS);

    SpanData serverSpan = tracing.awaitSpan("later", SpanKind.SERVER);
    assertThat(spanIdInMethod).isEqualTo(serverSpan.getSpanId());
    assertThat(serverSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(tracing.awaitSpan("later", SpanKind.CLIENT).getSpanId()).isEqualTo(serverSpan.getParentSpanId());
  }

  @Test
  void withNoopOpenTelemetryCallsWorkAndNothingIsRecordedOrSent() throws Exception {
    CourierTelemetry noop = CourierTelemetry.create(OpenTelemetry.noop());
    RpcServer quiet = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .intercept(noop.serverInterceptor())
        .method("currentSpanId", args -> Span.current().getSpanContext().getSpanId())
        .method("metadata", args -> RpcContext.current().metadata(args.arg(0, String.class)).orElse("(none)"))
        .build()
        .start();
    try {
      RpcClient client = client("tcp://127.0.0.1:" + quiet.port(), noop.clientInterceptor());

      assertThat(client.call("metadata", String.class, "traceparent").get(5, TimeUnit.SECONDS))
          .isEqualTo("(none)");
      assertThat(client.call("currentSpanId", String.class).get(5, TimeUnit.SECONDS))
          .isEqualTo(SpanId.getInvalid());
      assertThat(tracing.spans()).isEmpty();
    } finally {
      quiet.stop(Duration.ofSeconds(1));
    }
  }
}
