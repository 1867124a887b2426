package io.courier.opentelemetry;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import io.courier.client.ClientInterceptor;
import io.courier.server.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * Tracing for Courier with OpenTelemetry: the interceptors that give each call a CLIENT span on the caller and a
 * SERVER span on the server, in one trace, named and described by OpenTelemetry's JSON-RPC conventions.
 *
 * <pre>{@code
 * CourierTelemetry telemetry = CourierTelemetry.create(openTelemetry);
 * RpcServer server = RpcServer.builder()
 *     .port(7070)
 *     .intercept(telemetry.serverInterceptor())         // first, so that its span covers what the others reject
 *     .service(Calculator.class, new CalculatorImpl())
 *     .build()
 *     .start();
 * RpcClient client = RpcClient.builder()
 *     .target("tcp://127.0.0.1:7070")
 *     .intercept(telemetry.clientInterceptor())
 *     .build();
 * }</pre>
 *
 * <p>The client interceptor starts its span as a child of {@link io.opentelemetry.context.Context#current()} and
 * sends the span's context with the call as metadata, through the propagators of the {@link OpenTelemetry}
 * given (W3C {@code traceparent}, {@code tracestate} and {@code baggage} by default): in the request's
 * {@code meta} member on TCP and WebSocket, and also as HTTP headers over HTTP. The server interceptor reads it
 * back, starts its span as the child of the caller's, and makes the span current while the call runs, so that
 * a blocking method's own calls through a client with the client interceptor continue the trace. A method that
 * returns a {@code CompletableFuture} has the span current only on the thread that invoked it; its span ends
 * when the future completes.
 *
 * <p>Calls the server refuses before any interceptor runs (unknown method, server busy, shutting down) have no
 * server span; their client span records the error. Spans record: {@code rpc.system.name} and {@code rpc.system}
 * ({@code jsonrpc}), {@code rpc.method}, {@code jsonrpc.protocol.version} ({@code 2.0}), {@code jsonrpc.request.id}
 * (server spans, when the id is not null), {@code server.address} and {@code server.port} (client spans whose
 * target is one server), {@code client.address}, {@code client.port}, {@code network.peer.address} and
 * {@code network.peer.port} (server spans), {@code network.transport} and {@code network.protocol.name} (where
 * known); on failure the status ERROR, and {@code rpc.status_code} and {@code error.type} set to the
 * JSON-RPC error code as a string, or {@code error.type} set to the exception's class name when the call
 * failed without one.
 *
 * <p>Immutable and thread-safe; so are the interceptors it returns, which can be shared by any number of servers
 * and clients.
 */
@Experimental
public final class CourierTelemetry {

  /** The instrumentation scope of the spans. */
  static final String INSTRUMENTATION_NAME = "io.courier";

  private final ServerInterceptor serverInterceptor;
  private final ClientInterceptor clientInterceptor;

  private CourierTelemetry(OpenTelemetry openTelemetry) {
    TracerBuilder tracerBuilder = openTelemetry.tracerBuilder(INSTRUMENTATION_NAME);
    String version = CourierTelemetry.class.getPackage().getImplementationVersion();
    if (version != null) {
      tracerBuilder.setInstrumentationVersion(version);
    }
    Tracer tracer = tracerBuilder.build();
    TextMapPropagator propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.serverInterceptor = new TracingServerInterceptor(tracer, propagator);
    this.clientInterceptor = new TracingClientInterceptor(tracer, propagator);
  }

  /**
   * Returns tracing through {@code openTelemetry}: its tracer provider makes the spans, and its text map
   * propagator carries their context between client and server.
   */
  public static CourierTelemetry create(OpenTelemetry openTelemetry) {
    return new CourierTelemetry(requireNonNull(openTelemetry, "openTelemetry"));
  }

  /**
   * Returns the interceptor that makes a server span for each call served. Add it to
   * {@code RpcServerBuilder.intercept} before the others, so that its span also records the calls they reject.
   */
  public ServerInterceptor serverInterceptor() {
    return serverInterceptor;
  }

  /**
   * Returns the interceptor that makes a client span for each call and sends its trace context. Add it to
   * {@code RpcClientBuilder.intercept} before the others, so that its span covers them. A call gets one span
   * however many times it is sent: retries and failover happen inside it.
   */
  public ClientInterceptor clientInterceptor() {
    return clientInterceptor;
  }
}
