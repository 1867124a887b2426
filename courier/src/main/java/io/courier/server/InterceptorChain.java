package io.courier.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One link of the server's interceptor chain for one call: {@link #proceed()} runs interceptor {@code index},
 * handing it the next link, and after the last one binds and invokes the method. Whatever is thrown along the
 * way becomes a failed stage, so the dispatcher sees one outcome.
 */
final class InterceptorChain implements ServerInterceptor.Chain {

  /** Binds the params and invokes the method: the end of the chain. */
  interface Invocation {
    Object invoke() throws Throwable;
  }

  private final List<ServerInterceptor> interceptors;
  private final int index;
  private final RpcContext context;
  private final JsonNode params;
  private final Invocation invocation;
  private boolean proceeded;

  InterceptorChain(List<ServerInterceptor> interceptors, int index, RpcContext context, JsonNode params,
      Invocation invocation) {
    this.interceptors = interceptors;
    this.index = index;
    this.context = context;
    this.params = params;
    this.invocation = invocation;
  }

  @Override
  public RpcContext context() {
    return context;
  }

  @Override
  public JsonNode params() {
    return params;
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
          new InterceptorChain(interceptors, index + 1, context, params, invocation));
      if (outcome == null) {
        throw new IllegalStateException(interceptor.getClass().getName() + ".intercept returned null");
      }
      return outcome;
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }
}
