package io.courier.zookeeper;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import io.courier.discovery.EndpointGroup;
import io.courier.discovery.Instance;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live list of a service's instances as registered in ZooKeeper by {@link ZooKeeperRegistry} (or anything
 * writing the same layout): what a client with a {@code zk://} target balances its calls over. It watches the
 * service's path with Curator's {@code CuratorCache} and reads each node as untrusted data: a node that is not a
 * Courier registration, or has no target of the wanted scheme, is left out with one log line.
 *
 * <p>While ZooKeeper cannot be reached, the group keeps the last list it read, and reads again once it is back:
 * a registry outage does not take the servers away from clients. A client makes one through
 * {@link ZooKeeperEndpointGroupProvider}; {@link #of} makes one to give to
 * {@code RpcClientBuilder.endpoints(...)}. Thread-safe; listeners are called on Curator's event thread.
 */
@Experimental
public final class ZooKeeperEndpointGroup implements EndpointGroup {

  private static final Logger log = LoggerFactory.getLogger(ZooKeeperEndpointGroup.class);

  /** A node's last reading: which version of it, and the instance it gave (null when it was refused). */
  private record Reading(long czxid, long mzxid, Instance instance) {}

  private final ZkTarget target;
  private final InstanceReader reader;
  private final CuratorFramework client;
  private final CuratorCache cache;
  private final String servicePath;
  private final CompletableFuture<List<Instance>> ready = new CompletableFuture<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  /** Readings by node path; guarded by this. */
  private final Map<String, Reading> readings = new HashMap<>();
  private volatile List<Instance> instances = List.of();
  /** Set when the cache has read the path once; guarded by this. */
  private boolean initialized;
  private volatile boolean closed;

  private ZooKeeperEndpointGroup(ZkTarget target, Duration connectTimeout) {
    this.target = target;
    this.reader = new InstanceReader(target.serviceName(), target.scheme());
    this.servicePath = target.servicePath();
    // The session only matters to the reader for its watches: the default is fine.
    this.client = Curators.newClient(target.connectString(), target.credentials(),
        ZooKeeperRegistry.DEFAULT_SESSION_TIMEOUT, connectTimeout);
    this.cache = CuratorCache.build(client, servicePath);
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forAll((type, before, after) -> refresh(false))
        .forInitialized(() -> refresh(true))
        .build());
    client.getConnectionStateListenable().addListener(this::stateChanged);
    client.start();
    // One CuratorCache for the group's life: on a reconnect it re-reads the path itself, and it is never rebuilt
    // here, so a flapping registry costs one read per reconnect and no new watches or threads.
    cache.start();
    // A little before the client's own deadline, so that its error carries this message rather than a timeout.
    long patience = Math.max(1, connectTimeout.toMillis() - Math.min(100, connectTimeout.toMillis() / 10));
    CompletableFuture.delayedExecutor(patience, TimeUnit.MILLISECONDS).execute(() -> giveUp(connectTimeout));
  }

  /**
   * Returns a group that follows {@code target}, a {@code zk://host:2181[,host2:2181]/serviceName} URI (see
   * {@link ZooKeeperEndpointGroupProvider}), completing {@link #whenReady()} with its first list, or exceptionally
   * when ZooKeeper cannot be reached within {@code connectTimeout}. Close it when done.
   *
   * @throws IllegalArgumentException when {@code target} is malformed, saying what is expected
   */
  public static ZooKeeperEndpointGroup of(String target, Duration connectTimeout) {
    requireNonNull(target, "target");
    URI uri;
    try {
      uri = new URI(target);
    } catch (URISyntaxException e) {
      // Not echoed: it may hold a password.
      throw new IllegalArgumentException("target: not a URI (" + e.getReason() + "; expected: "
          + "zk://host:2181[,host2:2181]/serviceName)", e);
    }
    return create(uri, connectTimeout);
  }

  static ZooKeeperEndpointGroup create(URI target, Duration connectTimeout) {
    requireNonNull(target, "target");
    requireNonNull(connectTimeout, "connectTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
    }
    return new ZooKeeperEndpointGroup(ZkTarget.parse(target), connectTimeout);
  }

  @Override
  public List<Instance> instances() {
    return instances;
  }

  @Override
  public CompletableFuture<List<Instance>> whenReady() {
    return ready;
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  @Override
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** Stops watching, closes the ZooKeeper client, and fails {@link #whenReady()} if it had not completed. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    listeners.clear();
    ready.completeExceptionally(new IllegalStateException("Closed before it read " + target));
    cache.close();
    client.close();
  }

  /** The client this group uses; for tests. */
  CuratorFramework curator() {
    return client;
  }

  @Override
  public String toString() {
    return target.toString();
  }

  private void giveUp(Duration connectTimeout) {
    if (ready.isDone()) {
      return;
    }
    String why = client.getZookeeperClient().isConnected()
        ? "Connected to ZooKeeper at " + target.connectString() + " but could not read " + servicePath + " within "
            + connectTimeout.toMillis() + " ms"
        : "Cannot reach ZooKeeper at " + target.connectString() + " within " + connectTimeout.toMillis() + " ms";
    if (ready.completeExceptionally(new IllegalStateException(why))) {
      log.warn("{}: {}; the list is read once it can be", target, why);
    }
  }

  private void stateChanged(CuratorFramework client, ConnectionState state) {
    if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
      log.warn("{}: ZooKeeper connection {}; keeping the last list of {} instances until it is back", target,
          state == ConnectionState.LOST ? "lost" : "suspended", instances.size());
    } else if (state == ConnectionState.RECONNECTED) {
      log.info("{}: ZooKeeper connection back", target);
    }
  }

  /**
   * Reads the service's nodes from the cache again, reusing the reading of each node that has not changed (so a
   * refused node is logged once per version), and tells the listeners when the list changed.
   */
  private synchronized void refresh(boolean initializedNow) {
    if (closed) {
      return;
    }
    initialized |= initializedNow;
    if (!initialized) {
      return; // the initial read is still filling the cache: one list when it is done
    }
    Map<String, Reading> seen = new HashMap<>();
    List<Instance> found = new ArrayList<>();
    cache.stream().forEach(data -> {
      String path = data.getPath();
      if (!servicePath.equals(ZKPaths.getPathAndNode(path).getPath())) {
        return; // the service node itself, or deeper nodes: not registrations
      }
      Reading reading = read(path, data);
      seen.put(path, reading);
      if (reading.instance != null) {
        found.add(reading.instance);
      }
    });
    readings.clear();
    readings.putAll(seen);
    found.sort(Comparator.comparing(Instance::id));
    List<Instance> now = List.copyOf(found);
    boolean changed = !now.equals(instances);
    instances = now;
    if (ready.complete(now)) {
      log.info("{}: {} instances {}", target, now.size(), now);
    } else if (changed) {
      log.info("{}: now {} instances {}", target, now.size(), now);
    }
    if (changed || initializedNow) {
      for (Listener listener : listeners) {
        try {
          listener.instancesChanged(now);
        } catch (RuntimeException e) {
          log.warn("{}: listener {} failed", target, listener, e);
        }
      }
    }
  }

  private Reading read(String path, ChildData data) {
    Stat stat = data.getStat();
    long czxid = stat == null ? -1 : stat.getCzxid();
    long mzxid = stat == null ? -1 : stat.getMzxid();
    Reading last = readings.get(path);
    if (last != null && last.czxid == czxid && last.mzxid == mzxid) {
      return last;
    }
    String node = ZKPaths.getNodeFromPath(path);
    try {
      return new Reading(czxid, mzxid, reader.read(node, data.getData()));
    } catch (InstanceReader.Rejected e) {
      log.warn("{}: ignoring ZooKeeper node {}: {}", target, InstanceReader.quote(path), e.getMessage());
      return new Reading(czxid, mzxid, null);
    }
  }
}
