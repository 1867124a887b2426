package io.courier.client;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses an available server for a call among a fixed array of pools, for one {@link LoadBalancing} policy: made
 * each time the list of servers changes, used by every call until the next change. Picking takes no lock and
 * allocates nothing.
 */
abstract class Picker {

  final EndpointPool[] pools;

  Picker(EndpointPool[] pools) {
    this.pools = pools;
  }

  /**
   * Returns an available pool other than {@code avoid} (where the call's last attempt failed), or null when there
   * is none.
   */
  abstract EndpointPool pick(Object key, EndpointPool avoid);

  /** The first available pool other than {@code avoid} from {@code start} on, in order, or null. */
  final EndpointPool firstAvailableFrom(int start, EndpointPool avoid) {
    int n = pools.length;
    for (int i = 0; i < n; i++) {
      EndpointPool pool = pools[Math.floorMod(start + i, n)];
      if (pool != avoid && pool.isAvailable()) {
        return pool;
      }
    }
    return null;
  }

  /** Each call to the next pool; the first is chosen at random. */
  static final class RoundRobin extends Picker {

    private final AtomicInteger next;

    RoundRobin(EndpointPool[] pools) {
      super(pools);
      this.next = new AtomicInteger(pools.length == 0 ? 0 : ThreadLocalRandom.current().nextInt(pools.length));
    }

    @Override
    EndpointPool pick(Object key, EndpointPool avoid) {
      return pools.length == 0 ? null : firstAvailableFrom(next.getAndIncrement(), avoid);
    }
  }

  /** The one of two random pools with fewer calls waiting for answers. */
  static final class LeastPending extends Picker {

    LeastPending(EndpointPool[] pools) {
      super(pools);
    }

    @Override
    EndpointPool pick(Object key, EndpointPool avoid) {
      int n = pools.length;
      if (n < 2) {
        return n == 0 ? null : firstAvailableFrom(0, avoid);
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int i = random.nextInt(n);
      int j = random.nextInt(n - 1);
      if (j >= i) {
        j++;
      }
      EndpointPool a = usable(pools[i], avoid);
      EndpointPool b = usable(pools[j], avoid);
      if (a != null && b != null) {
        return b.pendingCalls() < a.pendingCalls() ? b : a;
      }
      EndpointPool either = a != null ? a : b;
      return either != null ? either : firstAvailableFrom(i, avoid);
    }

    private static EndpointPool usable(EndpointPool pool, EndpointPool avoid) {
      return pool != avoid && pool.isAvailable() ? pool : null;
    }
  }

  /** A random pool, in proportion to its weight. */
  static final class Weighted extends Picker {

    /** Running totals of the weights: pool i takes [cumulative[i - 1], cumulative[i]). */
    private final int[] cumulative;

    Weighted(EndpointPool[] pools) {
      super(pools);
      this.cumulative = new int[pools.length];
      int total = 0;
      for (int i = 0; i < pools.length; i++) {
        total += pools[i].instance().weight();
        cumulative[i] = total;
      }
    }

    @Override
    EndpointPool pick(Object key, EndpointPool avoid) {
      int n = pools.length;
      if (n == 0) {
        return null;
      }
      int ticket = ThreadLocalRandom.current().nextInt(cumulative[n - 1]);
      int found = Arrays.binarySearch(cumulative, ticket);
      // An exact hit on a running total belongs to the next pool; a miss gives the insertion point.
      int index = found >= 0 ? found + 1 : -found - 1;
      EndpointPool pool = pools[index];
      return pool != avoid && pool.isAvailable() ? pool : firstAvailableFrom(index + 1, avoid);
    }
  }

  /**
   * A ring of {@link #POINTS_PER_POOL} points per pool, placed by hashing the pool's instance id: a key goes to
   * the pool of the first point at or after its hash, or the next available one along the ring. Since a pool's
   * points do not depend on the others, a pool joining or leaving moves only the keys of its own arcs. Calls with
   * no key go round robin.
   */
  static final class ConsistentHash extends Picker {

    static final int POINTS_PER_POOL = 160;

    private final long[] points;
    private final EndpointPool[] owners;
    private final RoundRobin keyless;

    ConsistentHash(EndpointPool[] pools) {
      super(pools);
      this.keyless = new RoundRobin(pools);
      int size = pools.length * POINTS_PER_POOL;
      long[][] entries = new long[size][];
      int e = 0;
      for (int p = 0; p < pools.length; p++) {
        long seed = hash(pools[p].instance().id());
        for (int v = 0; v < POINTS_PER_POOL; v++) {
          entries[e++] = new long[] {mix(seed + v * 0x9E3779B97F4A7C15L), p};
        }
      }
      Arrays.sort(entries, (x, y) -> Long.compare(x[0], y[0]));
      this.points = new long[size];
      this.owners = new EndpointPool[size];
      for (int i = 0; i < size; i++) {
        points[i] = entries[i][0];
        owners[i] = pools[(int) entries[i][1]];
      }
    }

    @Override
    EndpointPool pick(Object key, EndpointPool avoid) {
      if (key == null) {
        return keyless.pick(null, avoid);
      }
      int size = points.length;
      if (size == 0) {
        return null;
      }
      int found = Arrays.binarySearch(points, hash(key));
      int start = found >= 0 ? found : -found - 1;
      for (int i = 0; i < size; i++) {
        EndpointPool pool = owners[(start + i) % size];
        if (pool != avoid && pool.isAvailable()) {
          return pool;
        }
      }
      return null;
    }

    /** A 64-bit hash of a key: FNV-1a over a string's characters (String.hashCode has only 32 bits), mixed. */
    static long hash(Object key) {
      if (key instanceof CharSequence text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
          h = (h ^ text.charAt(i)) * 0x100000001b3L;
        }
        return mix(h);
      }
      return mix(key.hashCode());
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    static long mix(long h) {
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb34fe1a85ec3L;
      h ^= h >>> 33;
      return h;
    }
  }
}
