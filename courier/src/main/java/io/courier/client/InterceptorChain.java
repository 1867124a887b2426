package io.courier.client;

import static java.util.Objects.requireNonNull;

import io.courier.peer.Failures;
import io.courier.protocol.JsonRpcCodec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One link of a client's interceptor chain for one call: {@link #proceed()} runs interceptor {@code index},
 * handing it the next link, and after the last one sends the call with the metadata the interceptors added.
 * Whatever is thrown along the way becomes the call's failure, so the caller sees one outcome.
 */
final class InterceptorChain implements ClientInterceptor.Chain {

  /** What every link of one call shares. */
  private static final class Call {
    final List<ClientInterceptor> interceptors;
    final String method;
    final Object params;
    final Duration timeout;
    final String target;
    final Function<Map<String, String>, CompletableFuture<?>> send;
    /** Made on the first entry: most calls carry none. */
    Map<String, String> metadata;
    /** The call as sent, once the last link sent it; cancelled when the caller cancels. */
    volatile CompletableFuture<?> sent;
    /** The caller's future; once it is cancelled, the call is never sent. Set right after construction. */
    Outcome<?> outcome;

    Call(List<ClientInterceptor> interceptors, String method, Object params, Duration timeout, String target,
        Function<Map<String, String>, CompletableFuture<?>> send) {
      this.interceptors = interceptors;
      this.method = method;
      this.params = params;
      this.timeout = timeout;
      this.target = target;
      this.send = send;
    }
  }

  /** The caller's future: cancelling it cancels the call as sent, without a stage of its own per call. */
  private static final class Outcome<R> extends CompletableFuture<R> {
    private final Call call;

    Outcome(Call call) {
      this.call = call;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        CompletableFuture<?> sent = call.sent;
        if (sent != null) {
          sent.cancel(mayInterruptIfRunning);
        }
      }
      return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }
  }

  private final Call call;
  private final int index;
  private boolean proceeded;

  private InterceptorChain(Call call, int index) {
    this.call = call;
    this.index = index;
  }

  /**
   * Runs a call through {@code interceptors}, in list order, and sends it with {@code send} after the last.
   * {@code params} is what the client sends: null, an {@code Object[]}, a {@code Map} or {@link ArgsAndKwargs}.
   * Cancelling the returned future cancels the call as sent.
   */
  @SuppressWarnings("unchecked")
  static <R> CompletableFuture<R> run(List<ClientInterceptor> interceptors, String method, Object params,
      Duration timeout, String target, Function<Map<String, String>, CompletableFuture<R>> send) {
    Call call = new Call(interceptors, method, params, timeout, target, widen(send));
    Outcome<R> result = new Outcome<>(call);
    call.outcome = result;
    new InterceptorChain(call, 0).proceed().whenComplete((value, failure) -> {
      if (failure != null) {
        result.completeExceptionally(Failures.unwrap(failure));
      } else {
        result.complete((R) value);
      }
    });
    return result;
  }

  /** The same function, seen as returning a future of anything: a cast, not a wrapper allocated per call. */
  @SuppressWarnings("unchecked")
  private static <R> Function<Map<String, String>, CompletableFuture<?>> widen(
      Function<Map<String, String>, CompletableFuture<R>> send) {
    return (Function<Map<String, String>, CompletableFuture<?>>) (Function<?, ?>) send;
  }

  @Override
  public String method() {
    return call.method;
  }

  @Override
  public List<Object> args() {
    Object params = call.params;
    if (params instanceof Object[] array) {
      return Collections.unmodifiableList(Arrays.asList(array));
    }
    if (params instanceof ArgsAndKwargs both) {
      return Collections.unmodifiableList(both.args());
    }
    return List.of();
  }

  @Override
  @SuppressWarnings("unchecked")
  public Map<String, Object> kwargs() {
    Object params = call.params;
    if (params instanceof Map<?, ?> map) {
      return Collections.unmodifiableMap((Map<String, Object>) map);
    }
    if (params instanceof ArgsAndKwargs both) {
      return Collections.unmodifiableMap(both.kwargs());
    }
    return Map.of();
  }

  @Override
  public Duration timeout() {
    return call.timeout;
  }

  @Override
  public String target() {
    return call.target;
  }

  @Override
  public ClientInterceptor.Chain metadata(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    if (call.sent != null) {
      throw new IllegalStateException("The call was sent already: add metadata before proceed()");
    }
    if (name.isEmpty() || name.length() > JsonRpcCodec.MAX_META_NAME_CHARS || !isToken(name)) {
      throw new IllegalArgumentException("Metadata name '" + name + "': expected 1 to "
          + JsonRpcCodec.MAX_META_NAME_CHARS + " letters, digits or !#$%&'*+-.^_`|~ (an HTTP header name)");
    }
    if (value.length() > JsonRpcCodec.MAX_META_VALUE_CHARS || !isPrintableAscii(value)) {
      throw new IllegalArgumentException("Metadata " + name + ": expected a value of at most "
          + JsonRpcCodec.MAX_META_VALUE_CHARS + " printable ASCII chars (an HTTP header value)");
    }
    if (call.metadata == null) {
      call.metadata = new LinkedHashMap<>();
    }
    if (call.metadata.size() == JsonRpcCodec.MAX_META_ENTRIES && !call.metadata.containsKey(name)) {
      throw new IllegalArgumentException("Metadata " + name + ": a call carries at most "
          + JsonRpcCodec.MAX_META_ENTRIES + " entries");
    }
    call.metadata.put(name, value);
    return this;
  }

  /** Whether {@code name} can be an HTTP header's name, as metadata travels as headers over HTTP. */
  private static boolean isToken(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPrintableAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 || c > 0x7e) && c != '\t') {
        return false;
      }
    }
    return true;
  }

  @Override
  public Map<String, String> metadata() {
    return call.metadata == null ? Map.of() : Collections.unmodifiableMap(call.metadata);
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Object> proceed() {
    if (proceeded) {
      throw new IllegalStateException((index > 0 ? call.interceptors.get(index - 1).getClass().getName()
          : "The chain") + " must call proceed() exactly once");
    }
    proceeded = true;
    try {
      if (index == call.interceptors.size()) {
        if (call.outcome.isCancelled()) {
          return CompletableFuture.failedFuture(new CancellationException("Cancelled before it was sent"));
        }
        // The map itself, neither a copy nor a view: once the call is sent, metadata() refuses to change it, and
        // the client only reads it.
        CompletableFuture<?> sent = call.send.apply(call.metadata);
        call.sent = sent;
        if (call.outcome.isCancelled()) {
          sent.cancel(true); // cancelled while it was being sent: the cancel above may have missed it
        }
        return (CompletionStage<Object>) sent;
      }
      ClientInterceptor interceptor = call.interceptors.get(index);
      CompletionStage<Object> outcome = interceptor.intercept(new InterceptorChain(call, index + 1));
      if (outcome == null) {
        throw new IllegalStateException(interceptor.getClass().getName() + ".intercept returned null");
      }
      return outcome;
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }
}
