package io.courier.server;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the bytes of large frames being parsed and run at once, over all of an end's connections. A frame
 * parses into a tree of up to some thirty times its bytes of heap ({@code [{},{},...]}: three bytes an object
 * node), so a few frames within the message limit, sent at once, could take the whole heap where their bytes
 * took a few megabytes. A frame past the budget waits here, in arrival order, and is parsed by the thread that
 * ends an earlier one; no thread blocks. Thread-safe; one per server.
 *
 * <p>Written here rather than taken from a library: a semaphore would block the worker that waits, and the
 * waiting frames would hold workers that calls from other connections need.
 */
final class ParseBudget {

  private static final Logger log = LoggerFactory.getLogger(ParseBudget.class);
  /** The share of the heap that frames being parsed may stand for: a 64th, worst cases swelling some 30 times. */
  private static final int HEAP_SHARE = 64;

  /** A parse waiting for room, and the bytes it stands for. */
  private record Waiting(long bytes, Runnable parse) {}

  private final long budget;
  // Guarded by this.
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private long inUse;

  /** A budget of {@code budget} bytes; a frame larger than it is still parsed, alone. */
  ParseBudget(long budget) {
    this.budget = budget;
  }

  /** The budget for a JVM of this heap: a 64th of it, and never less than one message of the largest size. */
  static ParseBudget forHeap(long maxHeapBytes, int maxMessageBytes) {
    return new ParseBudget(Math.max(maxMessageBytes, maxHeapBytes / HEAP_SHARE));
  }

  /**
   * Runs {@code parse}, which parses a frame of {@code bytes} and runs what it holds, now on this thread if the
   * budget has room, else once the frames before it are done, on the thread that ends the last of them.
   */
  void run(long bytes, Runnable parse) {
    synchronized (this) {
      if (!waiting.isEmpty() || !fits(bytes)) {
        waiting.add(new Waiting(bytes, parse));
        return;
      }
      inUse += bytes;
    }
    long currentBytes = bytes;
    Runnable current = parse;
    while (current != null) {
      try {
        current.run();
      } catch (RuntimeException | Error e) {
        // The parses handle their own failures; one that does not must not strand the frames behind it.
        log.error("Parsing a frame failed", e);
      }
      Waiting next = next(currentBytes);
      current = next == null ? null : next.parse();
      currentBytes = next == null ? 0 : next.bytes();
    }
  }

  /** Frees {@code done}'s bytes and takes the next waiting parse that now fits, or null. */
  private synchronized Waiting next(long done) {
    inUse -= done;
    Waiting head = waiting.peek();
    if (head == null || !fits(head.bytes())) {
      return null;
    }
    inUse += head.bytes();
    return waiting.poll();
  }

  /** Whether a frame may start: it fits, or nothing else is being parsed (a frame larger than the budget). */
  private boolean fits(long bytes) {
    return inUse == 0 || inUse + bytes <= budget;
  }

  long budget() {
    return budget;
  }

  /** Bytes of the frames being parsed now; for tests. */
  synchronized long inUse() {
    return inUse;
  }
}
