package io.courier.opentelemetry;

import static io.courier.opentelemetry.RpcAttributes.CLIENT_ADDRESS;
import static io.courier.opentelemetry.RpcAttributes.CLIENT_PORT;
import static io.courier.opentelemetry.RpcAttributes.EVERY_CALL;
import static io.courier.opentelemetry.RpcAttributes.JSONRPC_REQUEST_ID;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_PEER_ADDRESS;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_PEER_PORT;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_PROTOCOL_NAME;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_TRANSPORT;
import static io.courier.opentelemetry.RpcAttributes.RPC_METHOD;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.courier.RequestId;
import io.courier.RpcContext;
import io.courier.server.ServerInterceptor;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Makes a SERVER span for each call served, child of the trace context the caller sent in the call's metadata,
 * and makes it current while the rest of the chain and the method run. Thread-safe: its one cache is an immutable
 * entry swapped whole.
 */
final class TracingServerInterceptor implements ServerInterceptor {

  /**
   * Reads trace context from the call's metadata: its {@code meta} member, else its HTTP request's headers.
   * {@code keys()} keeps the API's default, an empty list: RpcContext looks metadata up by name and cannot list
   * it, the W3C propagators only ask for fixed names, and the API deprecated {@code keys()} in 1.68 (only the
   * retired OT and Jaeger propagators list keys to find a prefix; they would find none here).
   */
  private static final TextMapGetter<RpcContext> METADATA = new TextMapGetter<>() {
    @Override
    public String get(RpcContext carrier, String key) {
      return carrier == null ? null : carrier.metadata(key).orElse(null);
    }
  };

  private static final JsonFactory JSON = new JsonFactory();

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  /**
   * The peer attributes of the connection the last call came on: a connection's calls come one after another,
   * so this saves formatting the IP and boxing the port per call. One entry: calls from many connections
   * interleaved just make it miss, costing what no cache would.
   */
  private volatile PeerAttributes last;

  private record PeerAttributes(SocketAddress remote, String protocol, Attributes attributes) {}

  TracingServerInterceptor(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  @Override
  @SuppressWarnings("try") // the scope is only closed, never read
  public CompletionStage<Object> intercept(Chain chain) {
    RpcContext call = chain.context();
    // From the root, not Context.current(): a worker waiting on a call of its own may serve this one meanwhile,
    // and this call must not become a child of whatever that worker was doing.
    Context parent = propagator.extract(Context.root(), call, METADATA);
    SpanBuilder builder = tracer.spanBuilder(call.method())
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(RPC_METHOD, call.method())
        .setAllAttributes(peer(call));
    Span span = builder.startSpan();
    // After the sampler, and only for a span it keeps: no sampler needs the id, and reading it costs.
    if (span.isRecording()) {
      String id = requestId(call.id());
      if (id != null) {
        span.setAttribute(JSONRPC_REQUEST_ID, id);
      }
    }
    CompletionStage<Object> outcome;
    try (Scope ignored = parent.with(span).makeCurrent()) {
      outcome = chain.proceed();
    } catch (RuntimeException | Error e) {
      Outcomes.end(span, e);
      throw e;
    }
    return outcome.whenComplete((result, failure) -> Outcomes.end(span, failure));
  }

  /**
   * Returns the id as the conventions want it, a string (unquoted when it is a JSON string), or null for a
   * notification, a tutorial-dialect call or the id {@code null}, which they say not to record.
   */
  static String requestId(RequestId id) {
    if (id == null || id.isNull()) {
      return null;
    }
    String json = id.json();
    if (!id.isString()) {
      return json;
    }
    if (json.indexOf('\\') < 0) {
      return json.substring(1, json.length() - 1);
    }
    try (JsonParser parser = JSON.createParser(json)) {
      parser.nextToken();
      return parser.getText();
    } catch (IOException e) {
      return json; // not reached: RequestId holds valid JSON
    }
  }

  /** Returns what every call has, and where the call came from and how, all known without a lookup. */
  private Attributes peer(RpcContext call) {
    SocketAddress remote = call.remoteAddress();
    String protocol = call.peer().protocol();
    PeerAttributes cached = last;
    if (cached != null && Objects.equals(cached.remote(), remote) && Objects.equals(cached.protocol(), protocol)) {
      return cached.attributes();
    }
    AttributesBuilder attributes = Attributes.builder().putAll(EVERY_CALL);
    if (remote instanceof InetSocketAddress inet) {
      // The IP as connected, never a reverse lookup of it (the conventions forbid one on a call's path).
      String address = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      attributes.put(CLIENT_ADDRESS, address)
          .put(CLIENT_PORT, (long) inet.getPort())
          .put(NETWORK_PEER_ADDRESS, address)
          .put(NETWORK_PEER_PORT, (long) inet.getPort());
    }
    switch (protocol == null ? "" : protocol) {
      case "tcp" -> attributes.put(NETWORK_TRANSPORT, "tcp");
      case "http" -> attributes.put(NETWORK_TRANSPORT, "tcp").put(NETWORK_PROTOCOL_NAME, "http");
      case "ws" -> attributes.put(NETWORK_TRANSPORT, "tcp").put(NETWORK_PROTOCOL_NAME, "websocket");
      case "stdio" -> attributes.put(NETWORK_TRANSPORT, "pipe");
      default -> { } // a transport added later: better no attribute than a wrong one
    }
    Attributes built = attributes.build();
    last = new PeerAttributes(remote, protocol, built);
    return built;
  }
}
