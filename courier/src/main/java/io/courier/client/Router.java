package io.courier.client;

import io.courier.ConnectionException;
import io.courier.RpcError;
import io.courier.discovery.EndpointGroup;
import io.courier.discovery.Instance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the server of each call among the client's: one {@link EndpointPool} per server, from a fixed list or an
 * {@link EndpointGroup} it follows, picked by the {@link LoadBalancing} policy with a preference for the client's
 * zone. It learns from each call's outcome: servers whose calls keep failing are ejected ({@link OutlierDetection}),
 * servers shutting down are drained. Picking reads one volatile snapshot and takes no lock; a change of the list
 * makes a new snapshot. Thread-safe.
 */
final class Router implements EndpointGroup.Listener {

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** The pools calls are picked from, and the pickers over them; replaced whole when the list changes. */
  private record Snapshot(EndpointPool[] pools, Picker all, Picker local) {}

  private final String describe;
  private final LoadBalancing policy;
  private final String zone;
  private final OutlierDetection outliers;
  /** Makes the pool of a new server, or returns null (with a log line) for a server this client cannot call. */
  private final Function<Instance, EndpointPool> newPool;
  /** Used while the group has no instances: the client's fallback list, or none. */
  private final List<Instance> fallback;
  /** How long a server that left the list keeps its connections for the calls already sent there. */
  private final long retirePatienceNanos;
  private final EndpointGroup group;

  /** Pools by instance id and target; guarded by this. */
  private final Map<String, EndpointPool> pools = new HashMap<>();
  /** Instances already refused, so that a registry that repeats its list does not repeat the log line. */
  private final Set<String> refused = new HashSet<>();
  private volatile Snapshot snapshot = new Snapshot(new EndpointPool[0], null, null);
  private volatile boolean closed;
  /** Whether a list was taken already: the first one's servers are not news worth an info line. */
  private boolean listedBefore; // guarded by this
  /** Turns of the pick when no server is available; a lost increment costs nothing. */
  private int fallbackTurn;

  /**
   * A router over {@code group}'s instances (the client closes the group); {@code fallback} stands in while it has
   * none.
   */
  Router(String describe, EndpointGroup group, List<Instance> fallback, LoadBalancing policy, String zone,
      OutlierDetection outliers, long retirePatienceNanos, Function<Instance, EndpointPool> newPool) {
    this.describe = describe;
    this.group = group;
    this.fallback = fallback;
    this.policy = policy;
    this.zone = zone;
    this.outliers = outliers;
    this.retirePatienceNanos = retirePatienceNanos;
    this.newPool = newPool;
    group.addListener(this);
    instancesChanged(group.instances());
  }

  /** A router over one pool made already: a program the client launched. */
  Router(String describe, EndpointPool only) {
    this.describe = describe;
    this.group = null;
    this.fallback = List.of();
    this.policy = LoadBalancing.roundRobin();
    this.zone = null;
    this.outliers = OutlierDetection.OFF;
    this.retirePatienceNanos = 0;
    this.newPool = instance -> only;
    EndpointPool[] one = {only};
    this.snapshot = new Snapshot(one, policy.newPicker(one), null);
  }

  /**
   * Returns the pool for a call's attempt: an available one the policy picks (in the client's zone while any is
   * available there) other than {@code avoid}, where the call's last attempt failed; when none is available, the
   * next one in turn, so that the call fails at once with what is wrong with it, or tries a connection whose
   * backoff has passed.
   *
   * @throws ConnectionException when the client has no server at all
   */
  EndpointPool pick(Object routingKey, Object params, EndpointPool avoid) {
    Snapshot s = snapshot;
    if (s.pools.length == 1) {
      return s.pools[0]; // nothing to choose: a lone server gets every call, whatever its health
    }
    Object key = policy.keyOf(routingKey, params);
    EndpointPool pool = s.local == null ? null : s.local.pick(key, avoid);
    if (pool == null && s.all != null) {
      pool = s.all.pick(key, avoid);
    }
    if (pool != null) {
      return pool;
    }
    EndpointPool[] all = s.pools;
    if (all.length == 0) {
      throw ConnectionException.notSent(RpcError.CONNECTION_LOST.withMessage("No server to call: " + describe
          + " lists none"), null);
    }
    EndpointPool next = all[Math.floorMod(fallbackTurn++, all.length)];
    return next != avoid ? next : all[Math.floorMod(fallbackTurn++, all.length)];
  }

  /** Whether a call that failed at {@code pool} has another server to go to. */
  boolean hasAlternative(EndpointPool pool) {
    for (EndpointPool other : snapshot.pools) {
      if (other != pool) {
        return true;
      }
    }
    return false;
  }

  /** Returns the servers calls are balanced over now. */
  List<Instance> instances() {
    List<Instance> instances = new ArrayList<>();
    for (EndpointPool pool : snapshot.pools) {
      if (pool.instance() != null) { // a launched program is no network server
        instances.add(pool.instance());
      }
    }
    return instances;
  }

  /** Returns every pool now in the list; for the client's counters and tests. */
  EndpointPool[] pools() {
    return snapshot.pools;
  }

  // --------------------------------------------------------------------------------------------- outcomes

  /** A call at {@code pool} timed out: eject the pool when it keeps failing. */
  void failed(EndpointPool pool) {
    if (pool.failed() < outliers.consecutiveFailures()) {
      return;
    }
    EndpointPool[] all = snapshot.pools;
    int ejected = 0;
    for (EndpointPool other : all) {
      if (other.isEjected()) {
        ejected++;
      }
    }
    if (ejected + 1 <= outliers.maxEjectedShare() * all.length) {
      pool.eject(outliers.baseEjection().toNanos(), outliers.maxEjection().toNanos());
    }
  }

  // ---------------------------------------------------------------------------------------- list changes

  @Override
  public synchronized void instancesChanged(List<Instance> instances) {
    if (closed) {
      return;
    }
    List<Instance> effective = instances.isEmpty() && !fallback.isEmpty() ? fallback : instances;
    boolean first = !listedBefore;
    listedBefore = true;
    Map<String, EndpointPool> kept = new HashMap<>();
    List<EndpointPool> ordered = new ArrayList<>();
    for (Instance instance : effective) {
      String key = instance.id() + " " + instance.target();
      if (kept.containsKey(key)) {
        continue;
      }
      EndpointPool pool = pools.remove(key);
      if (pool == null) {
        if (refused.contains(key) || (pool = newPool.apply(instance)) == null) {
          refused.add(key);
          continue;
        }
        if (first) {
          log.debug("{}: calling {}", describe, instance);
        } else {
          log.info("{}: {} joined the list", describe, instance);
        }
      } else if (!Objects.equals(pool.instance(), instance)) {
        pool.instance(instance);
      }
      kept.put(key, pool);
      ordered.add(pool);
    }
    for (EndpointPool left : pools.values()) {
      log.info("{}: {} left the list", describe, left.instance());
      left.retire(retirePatienceNanos, new ConnectionException(RpcError.CONNECTION_LOST.withMessage(
          left.target() + " left the list of " + describe + " with this call pending; it may have run"), null));
    }
    pools.clear();
    pools.putAll(kept);
    EndpointPool[] all = ordered.toArray(new EndpointPool[0]);
    EndpointPool[] local = zone == null ? new EndpointPool[0]
        : ordered.stream().filter(p -> zone.equals(p.instance().zone())).toArray(EndpointPool[]::new);
    snapshot = new Snapshot(all, policy.newPicker(all),
        local.length == 0 || local.length == all.length ? null : policy.newPicker(local));
    if (all.length == 0) {
      log.warn("{}: no server to call", describe);
    }
  }

  /** Stops following the group and closes every pool; their calls fail with {@code failure}. */
  void close(ConnectionException failure) {
    List<EndpointPool> open;
    synchronized (this) {
      closed = true;
      open = List.copyOf(pools.values());
      pools.clear();
    }
    if (group != null) {
      group.removeListener(this);
      group.close();
    }
    for (EndpointPool pool : snapshot.pools) {
      pool.close(failure);
    }
    open.forEach(pool -> pool.close(failure));
  }
}
