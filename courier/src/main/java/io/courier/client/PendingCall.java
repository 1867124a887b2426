package io.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.RpcError;
import io.courier.RpcException;
import io.netty.util.Timeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A call that was sent and waits for its reply: it binds the result to the caller's type and completes the
 * caller's future exactly once, whichever comes first of reply, deadline, connection loss or cancellation.
 */
final class PendingCall<R> {

  final long id;
  final String method;
  private final ObjectReader reader;
  private final CompletableFuture<R> future;
  private final Executor completer;
  private final Function<RpcError, Throwable> errors;
  volatile Timeout timeout;

  /**
   * @param errors turns an error reply into the exception the caller sees (a proxy rebuilds the exception
   *     types its method declares)
   */
  PendingCall(long id, String method, ObjectReader reader, CompletableFuture<R> future, Executor completer,
      Function<RpcError, Throwable> errors) {
    this.id = id;
    this.method = method;
    this.reader = reader;
    this.future = future;
    this.completer = completer;
    this.errors = errors;
  }

  CompletableFuture<R> future() {
    return future;
  }

  boolean isDone() {
    return future.isDone();
  }

  /** Completes with a result from the wire; a result that does not bind to the caller's type fails the call. */
  void succeed(JsonNode result) {
    R value;
    try {
      value = reader.readValue(result);
    } catch (Exception e) {
      fail(new RpcException(RpcError.INTERNAL_ERROR.withMessage("Result of " + method
          + " does not bind to " + reader.getValueType() + ": " + e.getClass().getSimpleName())));
      return;
    }
    cancelTimer();
    completer.execute(() -> future.complete(value));
  }

  /** Completes with the error the server sent. */
  void failRemote(RpcError error) {
    fail(errors.apply(error));
  }

  void fail(Throwable failure) {
    cancelTimer();
    completer.execute(() -> future.completeExceptionally(failure));
  }

  private void cancelTimer() {
    Timeout t = timeout;
    if (t != null) {
      t.cancel();
    }
  }
}
