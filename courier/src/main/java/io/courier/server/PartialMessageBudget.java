package io.courier.server;

import io.courier.peer.RateLimitedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-wide budget for bytes held in messages that have begun to arrive and are not complete. Each
 * connection is held to the message size limit, but ten thousand connections each just under it add up to far
 * more memory than there is: past the budget, the connections holding the most unfinished bytes are closed
 * first, until the rest fit, and the server goes on answering everyone else. Thread-safe: connections report
 * from their event loops.
 */
final class PartialMessageBudget {

  private static final Logger log = LoggerFactory.getLogger(PartialMessageBudget.class);

  private final long budget;
  private final Collection<ServerConnection> connections;
  private final AtomicLong held = new AtomicLong();
  /**
   * Bytes of connections already closed for the budget that have not yet let go of them: exact when counted
   * in {@link #closeLargest}, followed as they let go in between, so that a connection's read while the closed
   * ones wind down does not scan every connection again.
   */
  private final AtomicLong releasing = new AtomicLong();
  private final RateLimitedLog evictionLog = new RateLimitedLog(Duration.ofSeconds(1));

  PartialMessageBudget(long budget, Collection<ServerConnection> connections) {
    this.budget = budget;
    this.connections = connections;
  }

  /** Records that {@code connection} now holds {@code bytes} (it held {@code before}); called on its event loop. */
  void update(ServerConnection connection, long before, long bytes) {
    long delta = bytes - before;
    if (delta == 0) {
      return;
    }
    long total = held.addAndGet(delta);
    if (connection.closedForBudget() && delta < 0) {
      releasing.accumulateAndGet(delta, (left, d) -> Math.max(0, left + d));
    }
    if (delta > 0 && total - releasing.get() > budget) {
      closeLargest();
    }
  }

  /** Bytes held over all connections; for tests and logs. */
  long held() {
    return held.get();
  }

  private synchronized void closeLargest() {
    List<ServerConnection> holders = new ArrayList<>();
    long leaving = 0;
    for (ServerConnection c : connections) {
      if (c.closedForBudget()) {
        leaving += c.partialHeld();
      } else if (c.partialHeld() > 0) {
        holders.add(c);
      }
    }
    long excess = held.get() - leaving - budget;
    if (excess <= 0) {
      releasing.set(leaving);
      return; // closed enough already; they are winding down
    }
    holders.sort(Comparator.comparingLong(ServerConnection::partialHeld).reversed());
    int closed = 0;
    long freed = 0;
    for (ServerConnection c : holders) {
      if (freed >= excess) {
        break;
      }
      long bytes = c.partialHeld();
      if (c.closeForBudget()) {
        freed += bytes;
        closed++;
      }
    }
    releasing.set(leaving + freed);
    evictionLog.warn(log, "Closed {} connections holding the most bytes of unfinished messages ({} bytes): "
        + "{} bytes were held in all, over the budget of {} (partialMessageBudget)", closed, freed, held.get(),
        budget);
  }
}
