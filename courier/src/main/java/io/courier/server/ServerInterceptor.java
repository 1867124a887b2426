package io.courier.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RpcContext;
import java.util.concurrent.CompletionStage;

/**
 * Code that runs around every call the server serves (authentication, authorization, metrics, logging): it
 * sees the call's {@link RpcContext} and its params as the peer sent them, before they are bound to the
 * method's Java types, and either rejects the call by throwing (an {@link io.courier.RpcException} carries its
 * error to the caller) or calls {@link Chain#proceed()} exactly once to run the rest of the chain and the method.
 *
 * <p>Interceptors run in the order they were added to the builder: the first added is the outermost. They run
 * on the thread that runs the method (a worker, or the I/O thread for {@link io.courier.NonBlocking} methods),
 * so they must not block the latter. Server-internal messages ({@code $/cancelRequest}, {@code $/ping},
 * {@code $/authenticate}) do not pass through them. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ServerInterceptor {

  /**
   * Handles one call.
   *
   * @return the call's result (or its failure), usually {@code chain.proceed()} or a stage derived from it
   * @throws Exception to reject the call: an {@link io.courier.RpcException} is answered with its error, anything
   *     else as an internal error
   */
  CompletionStage<Object> intercept(Chain chain) throws Exception;

  /** One call on its way through the interceptors. Not thread-safe; use it on the thread it was given on. */
  interface Chain {

    /** Returns the call's context: method, id, peer, headers, deadline. */
    RpcContext context();

    /**
     * Returns the call's params as sent, not yet bound to Java types: an array, an object, or null when there
     * are none. A call in the tutorial's dialect may have both: this returns the positional ones then, and
     * {@link #args()} and {@link #kwargs()} give each. Do not modify it.
     */
    JsonNode params();

    /** Returns the params given by position, or null when there are none. Do not modify it. */
    ArrayNode args();

    /**
     * Returns the params given by name (the tutorial's {@code kwargs}), or null when there are none. Do not
     * modify it.
     */
    ObjectNode kwargs();

    /**
     * Runs the next interceptor, or binds the params and invokes the method after the last one. Its outcome,
     * whether a result or a failure (binding errors included), is in the returned stage.
     *
     * @throws IllegalStateException when called more than once
     */
    CompletionStage<Object> proceed();
  }
}
