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
 * One attempt of a call, sent and waiting for its reply. It binds the result to the caller's type and completes
 * the caller's future exactly once, whichever comes first of reply, deadline, connection loss or cancellation;
 * a failure the call may be retried for is first offered to the {@link Retrier}, which sends the next attempt
 * with the same future.
 */
final class PendingCall<R> {

  /** Decides whether a failed attempt is sent again; it then owns the call's outcome. */
  interface Retrier {
    boolean retry(PendingCall<?> failed, Throwable failure);
  }

  final long id;
  final String method;
  /** What is sent as params: null, an {@code Object[]}, a {@code Map} or the seed dialect's args and kwargs. */
  final Object params;
  final int attempt;
  /** When the call runs out of time, in {@link System#nanoTime()} units, across all its attempts. */
  final long deadline;
  final boolean idempotent;
  private final ObjectReader reader;
  private final CompletableFuture<R> future;
  private final Executor completer;
  private final Function<RpcError, Throwable> errors;
  private final Retrier retrier;
  volatile Timeout timeout;
  /** The connection this attempt went out on, so that cancelling the call can tell the server. */
  volatile Connection connection;
  /** The next attempt, once this one was retried. */
  volatile PendingCall<R> next;

  /**
   * @param errors turns an error reply into the exception the caller sees (a proxy rebuilds the exception
   *     types its method declares)
   */
  PendingCall(long id, String method, Object params, int attempt, long deadline, boolean idempotent,
      ObjectReader reader, CompletableFuture<R> future, Executor completer, Function<RpcError, Throwable> errors,
      Retrier retrier) {
    this.id = id;
    this.method = method;
    this.params = params;
    this.attempt = attempt;
    this.deadline = deadline;
    this.idempotent = idempotent;
    this.reader = reader;
    this.future = future;
    this.completer = completer;
    this.errors = errors;
    this.retrier = retrier;
  }

  /** Returns the next attempt of this call, with a new id and the same deadline and future. */
  PendingCall<R> nextAttempt(long newId) {
    PendingCall<R> attemptAfter = new PendingCall<>(newId, method, params, attempt + 1, deadline, idempotent,
        reader, future, completer, errors, retrier);
    next = attemptAfter;
    return attemptAfter;
  }

  /** Returns the attempt now in charge of the call: this one, or the latest retry. */
  PendingCall<R> latest() {
    PendingCall<R> call = this;
    while (call.next != null) {
      call = call.next;
    }
    return call;
  }

  CompletableFuture<R> future() {
    return future;
  }

  boolean isDone() {
    return future.isDone() || next != null;
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
    if (retrier != null && !future.isDone() && retrier.retry(this, failure)) {
      return;
    }
    completer.execute(() -> future.completeExceptionally(failure));
  }

  private void cancelTimer() {
    Timeout t = timeout;
    if (t != null) {
      t.cancel();
    }
  }
}
