package io.courier.bench;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Courier server's endless stream of ints for the {@link Workload#STREAM} workload: 0, 1, 2, … to each
 * subscriber, as many as it has requested and no more, emitted on the thread that requests them. A request
 * made while items are being emitted (from the subscriber's {@code onNext}, or on another thread) adds to the
 * demand the emitting thread is serving, so emission never recurses and never overlaps. Thread-safe.
 */
final class Ticks implements Flow.Publisher<Integer> {

  @Override
  public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
    subscriber.onSubscribe(new Emitting(subscriber));
  }

  /** One subscriber's subscription. */
  private static final class Emitting implements Flow.Subscription {
    private final Flow.Subscriber<? super Integer> subscriber;
    /** Requested and not yet emitted; non-zero while a thread is emitting. */
    private final AtomicLong demand = new AtomicLong();
    private volatile boolean cancelled;
    /** The emitting thread's only. */
    private int next;

    Emitting(Flow.Subscriber<? super Integer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancelled = true;
        subscriber.onError(new IllegalArgumentException("request(" + n + ") (expected: > 0, §3.9)"));
        return;
      }
      if (demand.getAndAccumulate(n, (had, more) -> had + more < 0 ? Long.MAX_VALUE : had + more) != 0) {
        return; // the thread emitting now serves it
      }
      long emitted = 0;
      long wanted = n;
      while (true) {
        while (emitted != wanted) {
          if (cancelled) {
            return;
          }
          subscriber.onNext(next++);
          emitted++;
        }
        wanted = demand.get();
        if (emitted == wanted) {
          wanted = demand.addAndGet(-emitted);
          if (wanted == 0) {
            return;
          }
          emitted = 0;
        }
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
