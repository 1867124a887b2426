package io.courier.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.CallEvent;
import io.courier.Peer;
import io.courier.RpcEventListener;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What the web console shows of a running server, kept as its calls end: per method, calls and errors in each of
 * the last {@link #SECONDS} seconds and their latencies in a small log-scale histogram per second, from which p50
 * and p99 are read over the last {@link #LATENCY_SECONDS} seconds; and the open connections. Only a server built
 * with {@code console(true)} has one, as one more event listener.
 *
 * <p>It runs on every call of such a server, so recording takes no lock while the second is the same: a few atomic
 * increments in the method's ring. A slot is cleared under its own monitor once per second when the ring turns to
 * it. Memory is bounded: a method gets its ring at its first call, only registered methods do (the built-ins the
 * console itself calls are not counted), and at most {@link #MAX_METHODS} of them. Reading is a snapshot that may
 * be a call or two behind the writers, which is all a chart needs. Thread-safe.
 */
final class ConsoleStats implements RpcEventListener {

  /** How many one-second slots each method's ring keeps: the span of the console's charts. */
  static final int SECONDS = 60;
  /** How many seconds of latencies each percentile is read over. */
  static final int LATENCY_SECONDS = 10;
  /** Methods with stats at most; calls of others (a server with thousands of methods) are not charted. */
  static final int MAX_METHODS = 512;
  /** Connections listed in a snapshot at most; the count is always exact. */
  static final int MAX_LISTED_CONNECTIONS = 200;

  /**
   * Latency buckets: the first holds durations under {@link #FIRST_BOUND_NANOS}, each next one half an octave more
   * (a factor of √2), the last everything longer (about 3 minutes and up). A percentile is told as its bucket's
   * geometric middle, so it is within 19% of the true value: plenty to see a method slow down.
   */
  static final int BUCKETS = 48;
  static final long FIRST_BOUND_NANOS = 16_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  /** Slot layout in each {@link AtomicLongArray}: the counters, then the histogram. */
  private static final int CALLS = 0;
  private static final int ERRORS = 1;
  private static final int HISTOGRAM = 2;
  private static final int SLOT_LENGTH = HISTOGRAM + BUCKETS;

  private final LongSupplier nanoClock;
  private final LongSupplier wallClock;
  private final long startedAtMillis;
  private volatile Set<String> tracked = Set.of();
  private final Map<String, MethodStats> methods = new ConcurrentHashMap<>();
  private final Map<Peer, Connection> connections = new ConcurrentHashMap<>();

  private record Connection(String remoteAddress, String protocol, boolean secure, long openedAtMillis) {}

  ConsoleStats() {
    this(System::nanoTime, System::currentTimeMillis);
  }

  /** With clocks of the test's choosing: {@code nanoClock} decides the seconds, {@code wallClock} the dates shown. */
  ConsoleStats(LongSupplier nanoClock, LongSupplier wallClock) {
    this.nanoClock = nanoClock;
    this.wallClock = wallClock;
    this.startedAtMillis = wallClock.getAsLong();
  }

  /** Sets the methods whose calls are counted: the registered ones, known once the method table is built. */
  void track(Set<String> names) {
    this.tracked = Set.copyOf(names);
  }

  @Override
  public void connectionOpened(Peer connection) {
    connections.put(connection, new Connection(address(connection.remoteAddress()), connection.protocol(),
        connection.isSecure(), wallClock.getAsLong()));
  }

  @Override
  public void connectionClosed(Peer connection) {
    connections.remove(connection);
  }

  @Override
  public void callStarted(CallEvent call) {
    MethodStats stats = stats(call);
    if (stats != null) {
      stats.inFlight.increment();
    }
  }

  @Override
  public void callEnded(CallEvent call) {
    MethodStats stats = stats(call);
    if (stats != null) {
      stats.inFlight.decrement();
      stats.record(nanoClock.getAsLong() / NANOS_PER_SECOND, call.durationNanos(), call.error() != null);
    }
  }

  /**
   * The stats of a call's method, or null when it is not charted: a call the server makes to a peer is not one it
   * serves, even when the peer's method has the name of one of its own.
   */
  private MethodStats stats(CallEvent call) {
    if (!call.served()) {
      return null;
    }
    String method = call.method();
    MethodStats stats = methods.get(method);
    if (stats != null || !tracked.contains(method) || methods.size() >= MAX_METHODS) {
      return stats;
    }
    return methods.computeIfAbsent(method, name -> new MethodStats());
  }

  /** The bucket a duration falls in. */
  static int bucket(long nanos) {
    if (nanos < FIRST_BOUND_NANOS) {
      return 0;
    }
    // Octaves above the first bound, then which half of the octave: past its √2 point or not.
    long ratio = nanos / FIRST_BOUND_NANOS;
    int octave = 63 - Long.numberOfLeadingZeros(ratio);
    double lower = (double) FIRST_BOUND_NANOS * (1L << octave);
    int half = nanos >= lower * Math.sqrt(2) ? 1 : 0;
    return Math.min(BUCKETS - 1, 1 + 2 * octave + half);
  }

  /** The duration a bucket stands for in milliseconds: the geometric middle of its bounds. */
  static double bucketMillis(int bucket) {
    if (bucket == 0) {
      return FIRST_BOUND_NANOS / 2 / 1e6;
    }
    double lower = FIRST_BOUND_NANOS * Math.pow(2, (bucket - 1) / 2.0);
    return lower * Math.pow(2, 0.25) / 1e6;
  }

  /**
   * Returns what the console shows: per method (by name) the last {@link #SECONDS} seconds of calls, errors, p50 and
   * p99 in milliseconds (oldest first; a percentile is null where no call ended in its window), totals since the
   * server started, and the open connections.
   */
  ObjectNode snapshot() {
    long nowSecond = nanoClock.getAsLong() / NANOS_PER_SECOND;
    ObjectNode root = NODES.objectNode();
    root.put("now", wallClock.getAsLong());
    root.put("startedAt", startedAtMillis);
    root.put("seconds", SECONDS);
    root.put("latencySeconds", LATENCY_SECONDS);
    long calls = 0;
    long errors = 0;
    long inFlight = 0;
    ArrayNode methodNodes = root.putArray("methods");
    List<String> names = new ArrayList<>(methods.keySet());
    names.sort(Comparator.naturalOrder());
    for (String name : names) {
      MethodStats stats = methods.get(name);
      ObjectNode node = methodNodes.addObject().put("name", name);
      stats.describe(nowSecond, node);
      calls += stats.totalCalls.sum();
      errors += stats.totalErrors.sum();
      inFlight += stats.inFlight.sum();
    }
    root.putObject("totals").put("calls", calls).put("errors", errors).put("inFlight", inFlight)
        .put("connections", connections.size());
    ArrayNode connectionNodes = root.putArray("connections");
    connections.values().stream()
        .sorted(Comparator.comparingLong(Connection::openedAtMillis))
        .limit(MAX_LISTED_CONNECTIONS)
        .forEach(c -> connectionNodes.addObject().put("remoteAddress", c.remoteAddress())
            .put("protocol", c.protocol()).put("secure", c.secure()).put("openedAt", c.openedAtMillis()));
    return root;
  }

  private static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }

  /** One method's ring of seconds, and its totals. */
  private static final class MethodStats {

    final LongAdder totalCalls = new LongAdder();
    final LongAdder totalErrors = new LongAdder();
    final LongAdder inFlight = new LongAdder();
    /** Which second each slot holds now; -1 for none yet. */
    private final AtomicLongArray stamps = new AtomicLongArray(SECONDS);
    private final AtomicLongArray[] slots = new AtomicLongArray[SECONDS];

    MethodStats() {
      for (int i = 0; i < SECONDS; i++) {
        stamps.set(i, -1);
        slots[i] = new AtomicLongArray(SLOT_LENGTH);
      }
    }

    void record(long second, long durationNanos, boolean failed) {
      totalCalls.increment();
      if (failed) {
        totalErrors.increment();
      }
      int index = (int) Math.floorMod(second, (long) SECONDS);
      AtomicLongArray slot = slots[index];
      if (stamps.get(index) != second && !turn(index, slot, second)) {
        return; // a writer that stalled past the ring's length: its second is gone; the totals have it
      }
      slot.incrementAndGet(CALLS);
      if (failed) {
        slot.incrementAndGet(ERRORS);
      }
      slot.incrementAndGet(HISTOGRAM + bucket(durationNanos));
    }

    /**
     * Clears a slot for a new second, and returns whether the slot is now {@code second}'s. The stamp is written
     * last, so a writer that sees the new stamp counts into a cleared slot; writers that saw an old one wait here,
     * then find it turned. Only forward: a writer late by a whole ring must not wipe a newer second.
     */
    private boolean turn(int index, AtomicLongArray slot, long second) {
      synchronized (slot) {
        long stamp = stamps.get(index);
        if (stamp >= second) {
          return stamp == second;
        }
        for (int i = 0; i < SLOT_LENGTH; i++) {
          slot.set(i, 0);
        }
        stamps.set(index, second);
        return true;
      }
    }

    /** Writes the series, oldest second first, ending with {@code nowSecond}. */
    void describe(long nowSecond, ObjectNode node) {
      long[][] seconds = new long[SECONDS + LATENCY_SECONDS - 1][];
      long first = nowSecond - seconds.length + 1;
      for (int i = 0; i < seconds.length; i++) {
        seconds[i] = read(first + i);
      }
      ArrayNode calls = node.putArray("calls");
      ArrayNode errors = node.putArray("errors");
      ArrayNode p50 = node.putArray("p50");
      ArrayNode p99 = node.putArray("p99");
      // A window of LATENCY_SECONDS slides over the seconds: add the one entering, take off the one leaving.
      long[] window = new long[BUCKETS];
      for (int i = 0; i < seconds.length; i++) {
        for (int b = 0; b < BUCKETS; b++) {
          window[b] += seconds[i][HISTOGRAM + b];
        }
        if (i >= LATENCY_SECONDS) {
          for (int b = 0; b < BUCKETS; b++) {
            window[b] -= seconds[i - LATENCY_SECONDS][HISTOGRAM + b];
          }
        }
        if (i >= LATENCY_SECONDS - 1) {
          calls.add(seconds[i][CALLS]);
          errors.add(seconds[i][ERRORS]);
          addPercentile(p50, window, 0.50);
          addPercentile(p99, window, 0.99);
        }
      }
      node.put("totalCalls", totalCalls.sum()).put("totalErrors", totalErrors.sum()).put("inFlight", inFlight.sum());
    }

    /** A copy of the slot holding {@code second}, or zeros when the ring holds another second there. */
    private long[] read(long second) {
      int index = (int) Math.floorMod(second, (long) SECONDS);
      long[] copy = new long[SLOT_LENGTH];
      if (stamps.get(index) == second) {
        AtomicLongArray slot = slots[index];
        for (int i = 0; i < SLOT_LENGTH; i++) {
          copy[i] = slot.get(i);
        }
      }
      return copy;
    }
  }

  /** Adds the {@code quantile} of the histogram in milliseconds, rounded to microseconds, or null when it is empty. */
  private static void addPercentile(ArrayNode series, long[] histogram, double quantile) {
    long count = 0;
    for (long c : histogram) {
      count += c;
    }
    if (count == 0) {
      series.addNull();
      return;
    }
    long rank = Math.max(1, (long) Math.ceil(quantile * count));
    long seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
      seen += histogram[b];
      if (seen >= rank) {
        series.add(Math.round(bucketMillis(b) * 1000) / 1000.0);
        return;
      }
    }
    series.add(Math.round(bucketMillis(BUCKETS - 1) * 1000) / 1000.0);
  }
}
