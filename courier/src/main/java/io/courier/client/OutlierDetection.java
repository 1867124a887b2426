package io.courier.client;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import java.time.Duration;

/**
 * When a client that balances over several servers stops sending calls to one that keeps failing them: after
 * {@code consecutiveFailures} calls in a row time out there, the server is ejected for
 * {@code baseEjection}, doubled at each ejection since it last answered a call, at most {@code maxEjection}; never
 * more than {@code maxEjectedShare} of the servers at once, so that a fault of the client's own (its network, its
 * deadlines) cannot eject them all. A server that answers, even with an error, is working. A server that cannot be
 * connected to is kept out by its reconnect backoff instead, and one that is shutting down by its draining.
 *
 * @param consecutiveFailures failures in a row that eject a server, at least 1
 * @param baseEjection how long the first ejection lasts
 * @param maxEjection the longest ejection
 * @param maxEjectedShare the largest share of servers ejected at once, 0 (never eject) to 1
 */
@Experimental
public record OutlierDetection(int consecutiveFailures, Duration baseEjection, Duration maxEjection,
    double maxEjectedShare) {

  /** Five failures in a row eject a server for 10 s, then 20 s, ... at most 5 minutes; at most half of them. */
  public static final OutlierDetection DEFAULT =
      new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofMinutes(5), 0.5);

  /** Never ejects a server. */
  public static final OutlierDetection OFF = new OutlierDetection(Integer.MAX_VALUE, Duration.ofSeconds(1),
      Duration.ofSeconds(1), 0);

  public OutlierDetection {
    requireNonNull(baseEjection, "baseEjection");
    requireNonNull(maxEjection, "maxEjection");
    if (consecutiveFailures < 1) {
      throw new IllegalArgumentException("consecutiveFailures: " + consecutiveFailures + " (expected: >= 1)");
    }
    if (baseEjection.isNegative() || baseEjection.isZero()) {
      throw new IllegalArgumentException("baseEjection: " + baseEjection + " (expected: > 0)");
    }
    if (maxEjection.compareTo(baseEjection) < 0) {
      throw new IllegalArgumentException("maxEjection: " + maxEjection + " (expected: >= baseEjection)");
    }
    if (!(maxEjectedShare >= 0 && maxEjectedShare <= 1)) {
      throw new IllegalArgumentException("maxEjectedShare: " + maxEjectedShare + " (expected: 0-1)");
    }
  }
}
