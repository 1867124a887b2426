package io.courier.examples.demo;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A publisher of the numbers {@code 0} to {@code count - 1}, emitted only as its subscriber requests them, then
 * completion: the demo's {@code count}. Each subscriber gets its own run. Written out rather than taken from a
 * library to show what a demand-driven publisher does; a real service would use its reactive library's.
 */
final class Range implements Flow.Publisher<Long> {

  private final long count;

  Range(long count) {
    this.count = count;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Long> subscriber) {
    Run run = new Run(subscriber, count);
    subscriber.onSubscribe(run);
  }

  /** One subscriber's run: emits what was requested, on the thread that requested it, without recursion. */
  private static final class Run implements Flow.Subscription {
    private final Flow.Subscriber<? super Long> subscriber;
    private final long count;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private long next; // only the emitting thread touches it

    Run(Flow.Subscriber<? super Long> subscriber, long count) {
      this.subscriber = subscriber;
      this.count = count;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("request(" + n + "): n must be positive"));
        return;
      }
      // Whoever moves the count from 0 emits; a request made from onNext only adds to it (no recursion).
      if (requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n) != 0) {
        return;
      }
      long missed = n;
      while (true) {
        long emitted = 0;
        while (emitted < missed && next < count) {
          if (cancelled.get()) {
            return;
          }
          subscriber.onNext(next++);
          emitted++;
        }
        if (next == count) {
          if (!cancelled.getAndSet(true)) {
            subscriber.onComplete();
          }
          return;
        }
        missed = requested.addAndGet(-emitted);
        if (missed == 0) {
          return;
        }
      }
    }

    @Override
    public void cancel() {
      cancelled.set(true);
    }
  }
}
