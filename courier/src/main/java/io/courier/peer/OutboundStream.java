package io.courier.peer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.RpcError;
import io.courier.RpcException;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribing side of one subscription: the {@link Flow.Subscription} a subscriber gets from a proxy's (or
 * {@code subscribe}'s) publisher. The subscribing call goes out once the subscriber has its subscription; each
 * {@link #request} goes to the peer as {@code $/demand} (after the call itself, whatever the order of the
 * subscriber's requests and the connection's readiness); the peer's {@code $/items} are delivered in order,
 * and the call's response ends the subscription: completed, or failed with its error. Signals reach the
 * subscriber on the callback executor, one at a time and never on an I/O thread. Only items that were asked for
 * are held here, so the buffer is bounded by the subscriber's own demand; a peer that sends more breaks the
 * protocol, and the subscription fails with an error that says so.
 *
 * <p>Thread-safe.
 */
public final class OutboundStream<T> implements Flow.Subscription {

  private static final Logger log = LoggerFactory.getLogger(OutboundStream.class);

  /** Queued after the last item when the subscription completed. */
  private static final Object COMPLETE = new Object();

  /** A failure to deliver, queued after the items before it. */
  private record Failure(Throwable cause) {}

  private final Flow.Subscriber<? super T> subscriber;
  private final ObjectReader itemReader;
  private final Executor executor;
  private final Queue<Object> signals = new ConcurrentLinkedQueue<>();
  private final AtomicInteger draining = new AtomicInteger();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private volatile OutboundCall<?> call;
  private volatile boolean cancelled;
  /** Set on the delivering thread once a terminal signal went out. */
  private boolean done;
  // Guarded by this: demand asked for before the subscribing call was written, sent right after it.
  private boolean written;
  private long unsent;

  private OutboundStream(Flow.Subscriber<? super T> subscriber, ObjectReader itemReader, Executor executor) {
    this.subscriber = subscriber;
    this.itemReader = itemReader;
    this.executor = executor;
  }

  /**
   * Returns a cold publisher: each subscriber gets its own subscription, made by a call of {@code method} that
   * {@code send} sends once the call is admitted.
   */
  public static <T> Flow.Publisher<T> publisher(Calling calling, String method, Object params, ObjectReader itemReader,
      Function<RpcError, Throwable> errors, Consumer<OutboundCall<?>> send) {
    return subscriber -> {
      requireNonNull(subscriber, "subscriber"); // §1.9
      OutboundStream<T> stream = new OutboundStream<>(subscriber, itemReader, calling.callbackExecutor());
      OutboundCall<Object> call = calling.newStreamCall(method, params, errors);
      call.stream(stream);
      stream.call = call;
      call.future().whenComplete((result, failure) -> stream.ended(failure));
      subscriber.onSubscribe(stream);
      if (calling.admit(call)) {
        send.accept(call);
      }
    };
  }

  @Override
  public void request(long n) {
    if (cancelled) {
      return;
    }
    if (n <= 0) {
      enqueue(new Failure(new IllegalArgumentException(
          "request(" + n + "): a subscriber must request a positive number of items (§3.9)")));
      cancel();
      return;
    }
    requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
    synchronized (this) {
      if (!written) {
        unsent = unsent + n < 0 ? Long.MAX_VALUE : unsent + n;
        return;
      }
    }
    sendDemand(n);
  }

  @Override
  public void cancel() {
    cancelled = true;
    OutboundCall<?> current = call;
    if (current != null) {
      current.future().cancel(false); // abandons the call: the peer gets $/cancelRequest
    }
  }

  /** The subscribing call was written: demand asked for meanwhile follows it. */
  void written() {
    long n;
    synchronized (this) {
      written = true;
      n = unsent;
      unsent = 0;
    }
    if (n > 0) {
      sendDemand(n);
    }
  }

  private void sendDemand(long n) {
    OutboundCall<?> current = call;
    OutboundCalls via = current.sentThrough();
    if (via != null) {
      via.demand(current, n);
    }
  }

  /** Items arrived from the peer (on an I/O thread). */
  void items(JsonNode items) {
    if (cancelled || items == null || !items.isArray()) {
      return;
    }
    for (JsonNode item : items) {
      if (received.incrementAndGet() > requested.get()) {
        log.warn("Subscription {} got more items than it asked for: cancelled", call.method());
        enqueue(new Failure(new RpcException(RpcError.INVALID_REQUEST.withMessage("The peer sent more items of "
            + call.method() + " than were asked for; the subscription was cancelled"))));
        cancel();
        return;
      }
      enqueue(item);
    }
  }

  /** The subscribing call ended: its response completed or failed it, or it was cancelled. */
  private void ended(Throwable failure) {
    if (failure == null) {
      enqueue(COMPLETE);
      return;
    }
    Throwable cause = Failures.unwrap(failure);
    if (!(cause instanceof CancellationException)) {
      enqueue(new Failure(cause));
    }
  }

  private void enqueue(Object signal) {
    signals.add(signal);
    if (draining.getAndIncrement() == 0) {
      try {
        executor.execute(this::drain);
      } catch (RuntimeException e) {
        draining.set(0);
        log.error("Cannot deliver the signals of subscription {}: the callback executor refused", call.method(), e);
        cancel();
      }
    }
  }

  /** Delivers queued signals in order, one thread at a time. */
  private void drain() {
    int missed = 1;
    do {
      for (Object signal; (signal = signals.poll()) != null; ) {
        deliver(signal);
      }
      missed = draining.addAndGet(-missed);
    } while (missed != 0);
  }

  private void deliver(Object signal) {
    if (done || (cancelled && !(signal instanceof Failure))) {
      return; // after cancel() nothing more is delivered but the failure cancel() itself explains
    }
    try {
      if (signal == COMPLETE) {
        done = true;
        subscriber.onComplete();
      } else if (signal instanceof Failure failure) {
        done = true;
        subscriber.onError(failure.cause());
      } else {
        T value;
        try {
          value = itemReader.readValue((JsonNode) signal);
        } catch (Exception e) {
          done = true;
          cancel();
          subscriber.onError(new RpcException(RpcError.INTERNAL_ERROR.withMessage("An item of " + call.method()
              + " does not bind to " + itemReader.getValueType() + ": " + e.getClass().getSimpleName())));
          return;
        }
        subscriber.onNext(value);
      }
    } catch (RuntimeException e) {
      // §2.13: a subscriber that throws is treated as if it cancelled.
      log.warn("Subscriber of {} threw; cancelling the subscription", call.method(), e);
      done = true;
      cancel();
    }
  }
}
