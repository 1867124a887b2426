package io.courier.peer;

import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.RpcError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * What a proxy calls through: a client, which calls its server, or a session, which calls the peer at the
 * other end of its connection.
 */
public interface Caller {

  /**
   * Starts a call. {@code params} is null, an {@code Object[]} or a {@code Map}. {@code sync} says the caller
   * blocks until the outcome, so the future may complete on the thread that reads the reply.
   *
   * @param errors turns an error reply into the exception the caller sees
   */
  <R> CompletableFuture<R> call(String method, Object params, ObjectReader reader, boolean sync, boolean idempotent,
      Function<RpcError, Throwable> errors);

  /**
   * Returns a publisher that subscribes to {@code method}: each of its subscribers makes one call, and gets the
   * items the peer publishes, as many as it requests, read with {@code itemReader}.
   */
  <R> Flow.Publisher<R> subscribe(String method, Object params, ObjectReader itemReader,
      Function<RpcError, Throwable> errors);

  /** Sends a notification with params by position. */
  void notify(String method, Object[] params);

  /** Who is called, for a proxy's {@code toString}. */
  String describe();
}
