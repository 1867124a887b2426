package io.courier.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RpcContext;
import io.courier.peer.Serving;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One link of the server's interceptor chain for one call: {@link #proceed()} runs interceptor {@code index},
 * handing it the next link, and after the last one binds and invokes the method. Whatever is thrown along the
 * way becomes a failed stage, so the dispatcher sees one outcome.
 */
final class InterceptorChain implements ServerInterceptor.Chain {

  private final List<ServerInterceptor> interceptors;
  private final int index;
  private final RpcContext context;
  private final ArrayNode args;
  private final ObjectNode kwargs;
  private final Serving.Invocation invocation;
  private boolean proceeded;

  private InterceptorChain(List<ServerInterceptor> interceptors, int index, RpcContext context, ArrayNode args,
      ObjectNode kwargs, Serving.Invocation invocation) {
    this.interceptors = interceptors;
    this.index = index;
    this.context = context;
    this.args = args;
    this.kwargs = kwargs;
    this.invocation = invocation;
  }

  /** Runs each call through {@code interceptors}, in list order; nothing when the list is empty. */
  static Serving.Interception around(List<ServerInterceptor> interceptors) {
    if (interceptors.isEmpty()) {
      return Serving.Interception.NONE;
    }
    return (context, args, kwargs, invocation) ->
        new InterceptorChain(interceptors, 0, context, args, kwargs, invocation).proceed();
  }

  @Override
  public RpcContext context() {
    return context;
  }

  @Override
  public JsonNode params() {
    return args != null ? args : kwargs;
  }

  @Override
  public ArrayNode args() {
    return args;
  }

  @Override
  public ObjectNode kwargs() {
    return kwargs;
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Object> proceed() {
    if (proceeded) {
      throw new IllegalStateException((index > 0 ? interceptors.get(index - 1).getClass().getName() : "The chain")
          + " must call proceed() exactly once");
    }
    proceeded = true;
    try {
      if (index == interceptors.size()) {
        Object result = invocation.invoke();
        return result instanceof CompletionStage<?> stage
            ? (CompletionStage<Object>) stage
            : CompletableFuture.completedFuture(result);
      }
      ServerInterceptor interceptor = interceptors.get(index);
      CompletionStage<Object> outcome = interceptor.intercept(
          new InterceptorChain(interceptors, index + 1, context, args, kwargs, invocation));
      if (outcome == null) {
        throw new IllegalStateException(interceptor.getClass().getName() + ".intercept returned null");
      }
      return outcome;
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }
}
