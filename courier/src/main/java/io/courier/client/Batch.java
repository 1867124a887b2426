package io.courier.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JavaType;
import io.courier.RpcException;
import io.courier.peer.OutboundCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A JSON-RPC batch: calls and notifications collected here and sent together as one array by {@link #send()}.
 * Each call's future completes with its own reply, matched by id; the server may run the calls in parallel.
 *
 * <pre>{@code
 * Batch batch = client.batch();
 * CompletableFuture<Integer> sum = batch.call("add", Integer.class, 1, 2);
 * batch.notify("log", "hello");
 * batch.send();
 * }</pre>
 *
 * <p>Not thread-safe: fill and send it from one thread. It can be sent once.
 */
public final class Batch {

  /** One element: a call (with its pending state) or a notification ({@code call == null}). */
  record Entry(String method, Object params, OutboundCall<?> call) {}

  private final RpcClient client;
  private final ClientCore core;
  private final Duration timeout;
  private final List<Entry> entries = new ArrayList<>();
  private boolean sent;

  Batch(RpcClient client, ClientCore core, Duration timeout) {
    this.client = client;
    this.core = core;
    this.timeout = timeout;
  }

  /** Adds a call with params by position; its future completes when the batch's reply arrives. */
  public <R> CompletableFuture<R> call(String method, Class<R> resultType, Object... params) {
    return add(method, client.mapper().constructType(resultType), params == null ? new Object[] {null} : params);
  }

  /** Adds a call with params by name. */
  public <R> CompletableFuture<R> callNamed(String method, Class<R> resultType, Map<String, ?> params) {
    return add(method, client.mapper().constructType(resultType), requireNonNull(params, "params"));
  }

  /** Adds a notification with params by position. */
  public Batch notify(String method, Object... params) {
    checkOpen();
    entries.add(new Entry(requireNonNull(method, "method"), params == null ? new Object[] {null} : params, null));
    return this;
  }

  private <R> CompletableFuture<R> add(String method, JavaType type, Object params) {
    checkOpen();
    requireNonNull(method, "method");
    OutboundCall<R> call = core.newBatchCall(method, params, client.mapper().readerFor(type), RpcException::new);
    entries.add(new Entry(method, params, call));
    return call.future();
  }

  private void checkOpen() {
    if (sent) {
      throw new IllegalStateException("Batch already sent");
    }
  }

  /** Returns the number of calls and notifications added. */
  public int size() {
    return entries.size();
  }

  /**
   * Sends the batch. Returns a future that completes when every call in it has completed (successfully or
   * not); read each call's own future for its outcome.
   *
   * @throws IllegalStateException when the batch is empty (the specification makes an empty batch invalid)
   *     or was already sent
   */
  public CompletableFuture<Void> send() {
    checkOpen();
    if (entries.isEmpty()) {
      throw new IllegalStateException("An empty batch cannot be sent");
    }
    sent = true;
    core.sendBatch(List.copyOf(entries), timeout);
    CompletableFuture<?>[] calls = entries.stream()
        .filter(e -> e.call() != null)
        .map(e -> e.call().future())
        .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(calls).handle((v, e) -> null);
  }
}
