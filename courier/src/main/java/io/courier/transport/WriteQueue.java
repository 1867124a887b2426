package io.courier.transport;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands outbound messages from any thread to a channel's event loop and flushes once per burst (of at most
 * {@value #MAX_WRITES_PER_FLUSH} messages), instead of one task, one wake-up and one system call per message.
 * Messages go out in the order they were queued. Thread-safe; one per channel.
 */
public final class WriteQueue {

  /**
   * Flush at least this often within a long burst, so that the peer works on the first messages while the
   * rest are computed instead of both sides taking turns. Measured with {@code add} at 128 calls in flight on
   * one connection, methods on the I/O thread: about 340k calls/s flushing every 128 messages, 620k every 32,
   * 590k–610k every 16 or 64.
   */
  private static final int MAX_WRITES_PER_FLUSH = 32;

  /**
   * The write-buffer water marks of Courier's channels, server and client: above the high mark a channel is
   * unwritable, this queue holds its messages, and a server stops reading that connection. With Netty's default
   * (32 KiB low, 64 KiB high) every message of 64 KiB or more crossed it: two writability events, two
   * {@code epoll_ctl} calls to stop and restart reading, and the next message waiting for the flush before it.
   * 1 MiB is the window gRPC gives a connection before its peer must read. Measured with {@code echo} of 64 KiB
   * at 16 calls in flight (server and load client each in its own JVM, alternating): 16.4k–16.6k calls/s and
   * about 100 µs of CPU a call with Netty's marks, 18.6k–19.5k and 85–88 µs with these.
   */
  public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

  /** Queued after the last message when the channel should close once everything before it is written. */
  private static final Object CLOSE = new Object();

  private final Channel channel;
  private final Queue<Object> queue = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private final Runnable flushWritten = this::flushWritten;
  // Event loop only: how many messages were written directly and not yet flushed, and whether a read is on.
  private int unflushedWrites;
  private boolean reading;

  public WriteQueue(Channel channel) {
    this.channel = channel;
  }

  /**
   * Says a read is in progress on the event loop: messages written directly meanwhile are flushed by
   * {@link #readComplete()} rather than by a task. Call from {@code channelRead}.
   */
  public void reading() {
    reading = true;
  }

  /** Flushes what was written directly during the read that just ended. Call from {@code channelReadComplete}. */
  public void readComplete() {
    reading = false;
    flushWritten();
  }

  private void flushWritten() {
    if (unflushedWrites > 0) {
      unflushedWrites = 0;
      channel.flush();
    }
  }

  /**
   * Queues {@code message} (ownership passes here) to be written and flushed on the event loop. On the event
   * loop itself, with nothing queued before it, it is written at once, and flushed at the end of the read in
   * progress ({@link #readComplete()}) or by one task per burst: a reply computed while reading a request
   * (a non-blocking method) then costs no task at all, as in a plain Netty handler.
   */
  public void write(Object message) {
    if (message != CLOSE && channel.eventLoop().inEventLoop() && !scheduled.get() && queue.isEmpty()
        && channel.isWritable()) {
      channel.write(message, channel.voidPromise());
      if (unflushedWrites++ == 0 && !reading) {
        channel.eventLoop().execute(flushWritten);
      }
      if (unflushedWrites == MAX_WRITES_PER_FLUSH) {
        flushWritten();
      }
      return;
    }
    if (channel.eventLoop().isShuttingDown()) {
      // A task queued now may never run; the channel is closing anyway.
      ReferenceCountUtil.release(message);
      if (message == CLOSE) {
        channel.close();
      }
      return;
    }
    queue.add(message);
    if (scheduled.compareAndSet(false, true)) {
      try {
        channel.eventLoop().execute(drain);
      } catch (RejectedExecutionException e) {
        // The event loop is shutting down: nothing queued can be written any more.
        releaseAll();
      }
    }
  }

  /**
   * Closes the channel once every message queued before this call has been written and flushed, so that a
   * graceful stop never cuts off a reply that was already on its way.
   */
  public void closeWhenFlushed() {
    write(CLOSE);
  }

  /** Starts writing again after the channel became writable; call on writability changes. */
  public void resume() {
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
  }

  private void drain() {
    int written = 0;
    Object message;
    // While the peer is not reading, messages wait here: the channel's own buffer stays within its high
    // water mark plus one message. resume() starts again once the channel is writable.
    while (channel.isWritable() || !channel.isActive()) {
      message = queue.poll();
      if (message == null) {
        break;
      }
      if (message == CLOSE) {
        channel.flush();
        channel.close();
        written = 0;
        continue;
      }
      channel.write(message, channel.voidPromise());
      if (++written == MAX_WRITES_PER_FLUSH) {
        channel.flush();
        written = 0;
      }
    }
    if (written > 0) {
      channel.flush();
    }
    scheduled.set(false);
    // A message queued after the last poll but before the flag was cleared saw the flag set and did not
    // schedule a drain; drain again for it (unless the channel is full, when resume() will).
    if (!queue.isEmpty() && (channel.isWritable() || !channel.isActive())
        && scheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
  }

  /** Releases messages that can no longer be written; call when the channel has closed. On its event loop. */
  public void discard() {
    releaseAll();
  }

  private void releaseAll() {
    Object message;
    while ((message = queue.poll()) != null) {
      ReferenceCountUtil.release(message);
    }
  }
}
