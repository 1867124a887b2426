package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.RpcError;
import io.courier.RpcException;
import io.netty.util.Timeout;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One attempt of a call this end sent, waiting for its reply. It binds the result to the caller's type and
 * completes the caller's future exactly once, whichever comes first of reply, deadline, connection loss or
 * cancellation; a failure the call may be retried for is first offered to the {@link Retrier}, which sends the
 * next attempt with the same future.
 */
public final class OutboundCall<R> {

  /** Decides whether a failed attempt is sent again; it then owns the call's outcome. */
  public interface Retrier {
    boolean retry(OutboundCall<?> failed, Throwable failure);

    /** Told that an attempt got its result, before the caller is; a client's balancer learns from it. */
    default void succeeded(OutboundCall<?> call) {}
  }

  private final long id;
  private final String method;
  private final Object params;
  private final int attempt;
  private final long deadline;
  private final boolean idempotent;
  private final ObjectReader reader;
  private final CompletableFuture<R> future;
  private final Executor completer;
  private final Function<RpcError, Throwable> errors;
  private final Retrier retrier;
  /** The call's metadata, sent with each attempt; null for none. */
  private final Map<String, String> meta;
  private volatile Timeout timeout;
  /** The calls table this attempt went out through, so that cancelling the call can tell the peer. */
  private volatile OutboundCalls sentThrough;
  /** The next attempt, once this one was retried. */
  private volatile OutboundCall<R> next;
  /** The subscription this call makes, when it subscribes; its items go there. */
  private volatile OutboundStream<?> stream;
  /** Where a client's balancer sent this attempt (its endpoint), so that the outcome is put down to it. */
  private volatile Object route;
  /** The size of this attempt's request and of its reply, for event listeners; -1 until known. */
  private volatile long requestBytes = -1;
  private volatile long responseBytes = -1;

  /**
   * @param params what is sent as params: null, an {@code Object[]}, a {@code Map}, or the seed dialect's
   *     positional and keyword arguments
   * @param deadline when the call runs out of time, in {@link System#nanoTime()} units, across its attempts
   * @param completer where the caller's future is completed
   * @param errors turns an error reply into the exception the caller sees (a proxy rebuilds the exception types
   *     its method declares)
   * @param retrier offered each failure first, or null when the call is never retried
   */
  public OutboundCall(long id, String method, Object params, int attempt, long deadline, boolean idempotent,
      ObjectReader reader, CompletableFuture<R> future, Executor completer, Function<RpcError, Throwable> errors,
      Retrier retrier) {
    this(id, method, params, attempt, deadline, idempotent, reader, future, completer, errors, retrier, null);
  }

  /** A call that carries {@code meta} (or none, when null) with each attempt. */
  public OutboundCall(long id, String method, Object params, int attempt, long deadline, boolean idempotent,
      ObjectReader reader, CompletableFuture<R> future, Executor completer, Function<RpcError, Throwable> errors,
      Retrier retrier, Map<String, String> meta) {
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
    this.meta = meta;
  }

  /** Returns the next attempt of this call, with a new id and the same deadline and future. */
  public OutboundCall<R> nextAttempt(long newId) {
    OutboundCall<R> attemptAfter = new OutboundCall<>(newId, method, params, attempt + 1, deadline, idempotent,
        reader, future, completer, errors, retrier, meta);
    next = attemptAfter;
    return attemptAfter;
  }

  /** Returns the attempt now in charge of the call: this one, or the latest retry. */
  public OutboundCall<R> latest() {
    OutboundCall<R> call = this;
    while (call.next != null) {
      call = call.next;
    }
    return call;
  }

  public long id() {
    return id;
  }

  public String method() {
    return method;
  }

  /** Records that this attempt's request took {@code bytes} on the wire. */
  void wrote(long bytes) {
    requestBytes = bytes;
  }

  /** Records that this attempt's reply took {@code bytes} on the wire. */
  void answered(long bytes) {
    responseBytes = bytes;
  }

  /** Returns the size of this attempt's request; -1 when it was not encoded. */
  public long requestBytes() {
    return requestBytes;
  }

  /** Returns the size of this attempt's reply; -1 when none arrived. */
  public long responseBytes() {
    return responseBytes;
  }

  /** Returns the metadata sent with each attempt, or null for none. */
  public Map<String, String> meta() {
    return meta;
  }

  public Object params() {
    return params;
  }

  /** Returns which attempt this is, from 1. */
  public int attempt() {
    return attempt;
  }

  /** Returns when the call runs out of time, in {@link System#nanoTime()} units. */
  public long deadline() {
    return deadline;
  }

  public boolean idempotent() {
    return idempotent;
  }

  public CompletableFuture<R> future() {
    return future;
  }

  /** Sets the timer that fails the call at its deadline; a reply cancels it. */
  public void timeout(Timeout timeout) {
    this.timeout = timeout;
  }

  /** Returns the calls table this attempt went out through, or null before it was handed to one. */
  public OutboundCalls sentThrough() {
    return sentThrough;
  }

  void sentThrough(OutboundCalls calls) {
    this.sentThrough = calls;
  }

  /** Returns where this attempt was routed, or null before it was (or on a server's calls). */
  public Object route() {
    return route;
  }

  public void route(Object route) {
    this.route = route;
  }

  /** Returns the subscription this call makes, or null for a plain call. */
  OutboundStream<?> stream() {
    return stream;
  }

  void stream(OutboundStream<?> stream) {
    this.stream = stream;
  }

  /** Whether this attempt no longer waits for a reply: the call completed, or a retry took over. */
  public boolean isDone() {
    return future.isDone() || next != null;
  }

  /** Completes with a result from the wire; a result that does not bind to the caller's type fails the call. */
  public void succeed(JsonNode result) {
    R value;
    try {
      value = reader.readValue(result);
    } catch (Exception e) {
      fail(new RpcException(RpcError.INTERNAL_ERROR.withMessage("Result of " + method
          + " does not bind to " + reader.getValueType() + ": " + e.getClass().getSimpleName())));
      return;
    }
    cancelTimer();
    if (retrier != null) {
      retrier.succeeded(this);
    }
    completer.execute(() -> future.complete(value));
  }

  /** Completes with the error the peer sent. */
  public void failRemote(RpcError error) {
    fail(errors.apply(error));
  }

  public void fail(Throwable failure) {
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
