package io.courier.client;

import io.courier.Experimental;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Code that runs around every call a client makes (tracing, metrics, logging, adding metadata): it sees the call
 * before it is sent and its outcome after, and either rejects the call by throwing (the caller gets what it
 * threw) or calls {@link Chain#proceed()} exactly once to run the rest of the chain and the call.
 *
 * <pre>{@code
 * RpcClient client = RpcClient.builder()
 *     .target("tcp://127.0.0.1:7070")
 *     .intercept(chain -> {
 *       chain.metadata("tenant", "acme");                        // sent with the call
 *       long start = System.nanoTime();
 *       return chain.proceed().whenComplete((result, failure) ->
 *           log.info("{} took {} µs", chain.method(), (System.nanoTime() - start) / 1000));
 *     })
 *     .build();
 * }</pre>
 *
 * <p>Interceptors run in the order they were added to the builder: the first added is the outermost. A call runs
 * through them once, however many times it is sent: retries and failover to another server happen inside
 * {@link Chain#proceed()}. They run on the caller's thread; the stage {@code proceed()} returns may complete on an
 * I/O thread (for a blocking proxy call), so what is chained to it must not block. They see calls made one at a
 * time: through proxies and {@link RpcClient#call} and its kin; not notifications, batches or subscriptions.
 * Implementations must be thread-safe.
 */
@Experimental
@FunctionalInterface
public interface ClientInterceptor {

  /**
   * Handles one call.
   *
   * @return the call's outcome, usually {@code chain.proceed()} or a stage derived from it
   * @throws Exception to fail the call without sending it; the caller gets it as the call's failure
   */
  CompletionStage<Object> intercept(Chain chain) throws Exception;

  /** One call on its way through the interceptors. Not thread-safe; use it on the thread it was given on. */
  interface Chain {

    /** Returns the method name as sent on the wire. */
    String method();

    /** Returns the params given by position, in order; empty when there are none. */
    List<Object> args();

    /** Returns the params given by name; empty when there are none. */
    Map<String, Object> kwargs();

    /** Returns the time the call gets, across its attempts. */
    Duration timeout();

    /** Returns what the client calls, as it was given: a URI, a list of them, a registry, a program. */
    String target();

    /**
     * Adds an entry to the call's metadata, sent with the request (see "Per-call metadata" in
     * {@code docs/wire.md}) and read by the server with {@link io.courier.RpcContext#metadata}. Names are
     * lower-case by convention; a name given again replaces its value.
     *
     * @throws IllegalArgumentException when the name is not an HTTP header name of 1 to 64 chars, the value is
     *     not printable ASCII of at most 8192 chars, or the call would carry more than 32 entries: metadata also
     *     travels as HTTP headers, and a server ignores metadata beyond those bounds
     * @throws IllegalStateException after {@link #proceed()}
     */
    Chain metadata(String name, String value);

    /** Returns the call's metadata as it stands; unmodifiable. */
    Map<String, String> metadata();

    /**
     * Runs the next interceptor, or sends the call after the last one. Its outcome, result or failure, is in
     * the returned stage; cancelling the caller's future cancels the call.
     *
     * @throws IllegalStateException when called more than once
     */
    CompletionStage<Object> proceed();
  }
}
