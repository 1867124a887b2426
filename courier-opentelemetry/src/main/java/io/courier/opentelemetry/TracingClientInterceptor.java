package io.courier.opentelemetry;

import static io.courier.opentelemetry.RpcAttributes.EVERY_CALL;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_PROTOCOL_NAME;
import static io.courier.opentelemetry.RpcAttributes.NETWORK_TRANSPORT;
import static io.courier.opentelemetry.RpcAttributes.RPC_METHOD;
import static io.courier.opentelemetry.RpcAttributes.SERVER_ADDRESS;
import static io.courier.opentelemetry.RpcAttributes.SERVER_PORT;

import io.courier.client.ClientInterceptor;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a CLIENT span for each call, child of the caller's current context, and sends that span's trace context
 * with the call as metadata. Stateless, so thread-safe.
 */
final class TracingClientInterceptor implements ClientInterceptor {

  private static final Logger log = LoggerFactory.getLogger(TracingClientInterceptor.class);

  /** Writes trace context into the call's metadata, which travels in {@code meta} and as HTTP headers. */
  private static final TextMapSetter<Chain> METADATA = (chain, name, value) -> {
    if (chain == null) {
      return;
    }
    try {
      chain.metadata(name, value);
    } catch (IllegalArgumentException e) {
      // Metadata that could not travel as a header (a huge baggage, or a call at its entry limit): the call goes
      // without it, as tracing must never fail a call; the trace merely breaks here.
      log.debug("Trace context {} not sent with {}: {}", name, chain.method(), e.getMessage());
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  /**
   * The attributes every call to the last target seen has, so that a client's target is parsed once rather than
   * per call; a client has one target, so one entry is enough (another target just replaces it).
   */
  private volatile TargetAttributes last;

  private record TargetAttributes(String target, Attributes attributes) {}

  TracingClientInterceptor(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  @Override
  @SuppressWarnings("try") // the scope is only closed, never read
  public CompletionStage<Object> intercept(Chain chain) {
    Context parent = Context.current();
    // No jsonrpc.request.id here: the id is given per attempt, below the interceptors, which see the call once.
    Span span = tracer.spanBuilder(chain.method())
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setAllAttributes(attributesOf(chain.target()))
        .setAttribute(RPC_METHOD, chain.method())
        .startSpan();
    Context context = parent.with(span);
    CompletionStage<Object> outcome;
    // Current while the rest of the chain runs, so that inner interceptors (and their logs) see this span.
    try (Scope ignored = context.makeCurrent()) {
      propagator.inject(context, chain, METADATA);
      outcome = chain.proceed();
    } catch (RuntimeException | Error e) {
      Outcomes.end(span, e);
      throw e;
    }
    return outcome.whenComplete((result, failure) -> Outcomes.end(span, failure));
  }

  /** Returns the attributes of every call to {@code target}: the system, and the server when it names one. */
  private Attributes attributesOf(String target) {
    TargetAttributes cached = last;
    if (cached != null && cached.target().equals(target)) {
      return cached.attributes();
    }
    AttributesBuilder attributes = Attributes.builder().putAll(EVERY_CALL);
    ServerAddress server = ServerAddress.parse(target);
    if (server != null) {
      attributes.put(SERVER_ADDRESS, server.host())
          .put(SERVER_PORT, (long) server.port())
          .put(NETWORK_TRANSPORT, "tcp");
      if (server.protocolName() != null) {
        attributes.put(NETWORK_PROTOCOL_NAME, server.protocolName());
      }
    }
    Attributes built = attributes.build();
    last = new TargetAttributes(target, built);
    return built;
  }
}
