package io.courier.peer;

import com.fasterxml.jackson.databind.ObjectWriter;
import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.Request;
import io.courier.transport.Encoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing side of one subscription: the {@link Flow.Subscriber} a served method's publisher gets. The
 * peer's demand ({@code $/demand}) is passed on to the publisher in chunks of at most {@value #CHUNK} items, and
 * only while the connection is writable; the items go out as {@code $/items} notifications, coalesced when the
 * publisher emits several at once, and the subscribing call is answered when the publisher completes or fails.
 * So the publisher is never asked for more than the peer asked for, and at most a chunk of items is ever held
 * here, whatever the peer's demand and however slowly it reads. A publisher that emits more than it was asked
 * for breaks the Reactive Streams contract: it is cancelled and the call fails with an error that says so.
 *
 * <p>Thread-safe: the publisher signals on any thread; the state changes on the connection's event loop.
 */
final class InboundStream implements Flow.Subscriber<Object> {

  private static final Logger log = LoggerFactory.getLogger(InboundStream.class);

  /**
   * Items asked of the publisher at once, at most, and so the most held before they are written: enough to
   * coalesce small items into few messages, few enough that no stream holds much memory.
   */
  static final int CHUNK = 64;

  /** Stands for a {@code null} item in the queue, which cannot hold nulls. */
  private static final Object NULL_ITEM = new Object();

  private final RequestId id;
  private final ObjectWriter itemWriter;
  private final JsonRpcCodec codec;
  private final int maxOutboundMessageBytes;
  private final Channel channel;
  private final Consumer<ByteBuf> send;
  /** Answers the subscribing call: with no error when the publisher completed. */
  private final BiConsumer<InboundStream, RpcError> end;

  /** Items the publisher emitted that are not written yet; at most what was asked of it. */
  private final Queue<Object> arrived = new ConcurrentLinkedQueue<>();
  private final AtomicLong askedTotal = new AtomicLong();
  private final AtomicLong receivedTotal = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  /** How the publisher ended, once it has: {@link #COMPLETED}, {@link #OVERFLOWED}, or its failure. */
  private final AtomicReference<Object> terminal = new AtomicReference<>();
  private static final Object COMPLETED = new Object();
  /** The publisher emitted more than was asked of it. */
  private static final Object OVERFLOWED = new Object();

  // Event loop only.
  private Flow.Subscription upstream;
  /** Items the peer asked for that were not asked of the publisher yet. */
  private long demand;
  private boolean ended;

  InboundStream(RequestId id, ObjectWriter itemWriter, JsonRpcCodec codec, int maxOutboundMessageBytes,
      Channel channel, Consumer<ByteBuf> send, BiConsumer<InboundStream, RpcError> end) {
    this.id = id;
    this.itemWriter = itemWriter;
    this.codec = codec;
    this.maxOutboundMessageBytes = maxOutboundMessageBytes;
    this.channel = channel;
    this.send = send;
    this.end = end;
  }

  /** Subscribes to {@code publisher}; what the peer asks for flows from then on. */
  void start(Flow.Publisher<?> publisher) {
    try {
      publisher.subscribe(this);
    } catch (RuntimeException e) {
      onError(e); // a publisher must not throw from subscribe; one that does has failed
    }
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    onLoop(() -> {
      if (upstream != null || ended) {
        subscription.cancel(); // a second subscription, or one for a stream already over (§2.5)
        return;
      }
      upstream = subscription;
      askMore();
    });
  }

  @Override
  public void onNext(Object item) {
    if (receivedTotal.incrementAndGet() > askedTotal.get()) {
      terminal.compareAndSet(null, OVERFLOWED); // not queued: a runaway publisher must not fill memory
      scheduleDrain();
      return;
    }
    arrived.add(item == null ? NULL_ITEM : item);
    scheduleDrain();
  }

  @Override
  public void onError(Throwable failure) {
    terminal.compareAndSet(null, failure == null ? new NullPointerException("onError(null)") : failure);
    scheduleDrain();
  }

  @Override
  public void onComplete() {
    terminal.compareAndSet(null, COMPLETED);
    scheduleDrain();
  }

  /** The peer asked for {@code n} more items. On the event loop. */
  void demand(long n) {
    if (ended) {
      return;
    }
    if (n <= 0) {
      finish(RpcError.INVALID_PARAMS.withMessage("Invalid params: " + Request.DEMAND_METHOD
          + " takes a positive n, got " + n + "; the subscription was cancelled"), true);
      return;
    }
    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
    askMore();
  }

  /** The connection became writable again: ask the publisher for more if the peer wants it. */
  void resume() {
    onLoop(this::askMore);
  }

  /** The peer cancelled, the connection closed or the end is stopping: the publisher is cancelled. */
  void cancel(RpcError error) {
    onLoop(() -> finish(error, true));
  }

  private void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(this::drain);
    }
  }

  /** Writes the items that arrived, then ends the call if the publisher has ended, or asks for more. */
  private void drain() {
    drainScheduled.set(false);
    if (ended) {
      arrived.clear();
      return;
    }
    List<Object> batch = new ArrayList<>();
    for (Object item; (item = arrived.poll()) != null; ) {
      batch.add(item == NULL_ITEM ? null : item);
    }
    if (!batch.isEmpty() && !write(batch)) {
      return;
    }
    Object how = terminal.get();
    if (how == OVERFLOWED) {
      log.warn("Publisher of subscription {} emitted more items than were asked of it: cancelled", id);
      finish(RpcError.INTERNAL_ERROR.withMessage(
          "The publisher emitted more items than were asked of it; the subscription was cancelled"), true);
    } else if (how == COMPLETED && arrived.isEmpty()) {
      finish(null, false);
    } else if (how instanceof Throwable failure) {
      finish(failure instanceof RpcException rpc ? rpc.error() : RpcError.INTERNAL_ERROR.withMessage(
          "The publisher failed: " + failure.getClass().getSimpleName()), false);
    } else {
      askMore();
    }
  }

  /** Asks the publisher for what the peer wants, a chunk at a time, while the connection takes writes. */
  private void askMore() {
    if (ended || upstream == null || demand == 0 || !channel.isWritable()) {
      return;
    }
    long outstanding = askedTotal.get() - receivedTotal.get();
    if (outstanding > CHUNK / 2) {
      return;
    }
    long ask = Math.min(CHUNK - outstanding, demand);
    demand -= ask;
    askedTotal.addAndGet(ask);
    upstream.request(ask);
  }

  /** Writes items as one {@code $/items} message, or one by one when together they exceed the limit. */
  private boolean write(List<Object> items) {
    ByteBuf message = encode(items);
    if (message != null) {
      send.accept(message);
      return true;
    }
    if (items.size() > 1) {
      for (Object item : items) {
        if (!write(Collections.singletonList(item))) {
          return false;
        }
      }
      return true;
    }
    finish(RpcError.LIMIT_EXCEEDED.withMessage("An item exceeds " + maxOutboundMessageBytes
        + " bytes; the subscription was cancelled"), true);
    return false;
  }

  private ByteBuf encode(List<Object> items) {
    try {
      return Encoder.encode(channel.alloc(), maxOutboundMessageBytes,
          out -> codec.writeItems(out, id, itemWriter, items));
    } catch (Encoder.TooLargeException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot serialize an item of subscription {}: {}", id, e.toString());
      finish(RpcError.INTERNAL_ERROR.withMessage("An item could not be serialized; the subscription was cancelled"),
          true);
      return null;
    }
  }

  /** Ends the stream once: cancels the publisher when it has not ended, and answers the subscribing call. */
  private void finish(RpcError error, boolean cancelUpstream) {
    if (ended) {
      return;
    }
    ended = true;
    arrived.clear();
    if (cancelUpstream && upstream != null) {
      upstream.cancel();
    }
    end.accept(this, error);
  }
}
