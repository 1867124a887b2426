package io.courier.zookeeper;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import io.courier.discovery.Instance;
import io.courier.server.RpcServer;
import io.courier.server.ServerListener;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a server in ZooKeeper while it runs, so that clients of {@code zk://} targets find it: one ephemeral
 * node per service name, in Apache Curator's service-discovery layout ({@code basePath/serviceName/instanceId},
 * written by Curator's JSON serializer), whose payload lists the URIs the server answers on. Add it to a server as
 * a {@linkplain io.courier.server.RpcServerBuilder#listener listener}:
 *
 * <pre>{@code
 * RpcServer server = RpcServer.builder()
 *     .port(7070)
 *     .service(Calculator.class, new CalculatorImpl())
 *     .listener(ZooKeeperRegistry.builder()
 *         .connectString("zk1:2181,zk2:2181,zk3:2181")
 *         .serviceName("calc")
 *         .zone("eu-west-1a")
 *         .build())
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>When the server has started, the registry registers it, waiting at most the {@linkplain
 * Builder#connectionTimeout connection timeout} for ZooKeeper; if ZooKeeper cannot be reached by then, the server
 * starts anyway and is registered as soon as ZooKeeper is reached. It is registered again after its ZooKeeper
 * session expires. When the server begins a graceful stop, it is unregistered first and goes on serving for the
 * {@linkplain Builder#unregisterDelay unregister delay}, so that clients leave it before it refuses calls; when the
 * server has stopped, the registry closes the ZooKeeper client it made.
 *
 * <p>One registry serves one server. Thread-safe: the server calls it from the thread that starts or stops it, and
 * it re-registers on a thread of its own.
 */
@Experimental
public final class ZooKeeperRegistry implements ServerListener {

  private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistry.class);

  static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(15);
  static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_UNREGISTER_DELAY = Duration.ofSeconds(1);

  private final String connectString;
  private final CuratorFramework givenClient;
  private final List<String> serviceNames;
  private final String basePath;
  private final String advertisedHost;
  private final int weight;
  private final String zone;
  private final String version;
  private final Map<String, String> metadata;
  private final String digest;
  private final Duration sessionTimeout;
  private final Duration connectionTimeout;
  private final Duration unregisterDelay;

  private final ConnectionStateListener stateListener = this::stateChanged;

  /** Set once the server has started; guarded by this. */
  private RpcServer server;
  private CuratorFramework client;
  private ExecutorService worker;
  /** The nodes to keep registered, made at start. */
  private volatile List<Node> nodes = List.of();
  /** Whether the nodes should exist: from start until the server begins to stop. */
  private volatile boolean wanted;

  /** A registration node: where, and what it holds. */
  private record Node(String path, byte[] data) {}

  private ZooKeeperRegistry(Builder builder) {
    this.connectString = builder.connectString;
    this.givenClient = builder.client;
    this.serviceNames = List.copyOf(builder.serviceNames);
    this.basePath = builder.basePath;
    this.advertisedHost = builder.advertisedHost;
    this.weight = builder.weight;
    this.zone = builder.zone;
    this.version = builder.version;
    this.metadata = Map.copyOf(builder.metadata);
    this.digest = builder.digest;
    this.sessionTimeout = builder.sessionTimeout;
    this.connectionTimeout = builder.connectionTimeout;
    this.unregisterDelay = builder.unregisterDelay;
  }

  /** Returns a builder of a registry. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers {@code server}, waiting at most the connection timeout for ZooKeeper; past it, logs a warning and
   * registers once ZooKeeper is reached.
   *
   * @throws IllegalStateException when this registry already serves another server
   */
  @Override
  public void started(RpcServer server) {
    requireNonNull(server, "server");
    ExecutorService worker;
    CuratorFramework client;
    synchronized (this) {
      if (this.server != null) {
        throw new IllegalStateException("This ZooKeeperRegistry already registers " + this.server.localAddress()
            + " (expected: one registry per server)");
      }
      this.server = server;
      String host = advertisedHost != null ? advertisedHost : defaultHost(server);
      this.nodes = nodes(server, host);
      this.worker = worker = Curators.newWorker("courier-zk-registry");
      this.client = client = givenClient != null ? givenClient
          : Curators.newClient(connectString, digest, sessionTimeout, connectionTimeout);
      wanted = true;
    }
    // Connection changes are handled on our own thread: registering blocks, Curator's event thread must not.
    client.getConnectionStateListenable().addListener(stateListener, worker);
    if (client.getState() == CuratorFrameworkState.LATENT) {
      client.start();
    }
    long deadline = System.nanoTime() + connectionTimeout.toNanos();
    try {
      if (!client.blockUntilConnected(Curators.millis(connectionTimeout), TimeUnit.MILLISECONDS)) {
        log.warn("Cannot reach ZooKeeper at {} within {} ms: {} will be registered as {} once it can",
            describeZooKeeper(), connectionTimeout.toMillis(), serviceNames, describeNodes());
        return;
      }
      Future<?> registered = worker.submit(this::ensureRegistered);
      registered.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      log.warn("Registering {} in ZooKeeper at {} takes longer than {} ms; it goes on in the background",
          serviceNames, describeZooKeeper(), connectionTimeout.toMillis());
    } catch (ExecutionException e) {
      log.warn("Cannot register {} in ZooKeeper at {}", serviceNames, describeZooKeeper(), e.getCause());
    }
  }

  /**
   * Unregisters the server, waiting at most the connection timeout, then, while any client is connected, keeps it
   * serving for the {@linkplain Builder#unregisterDelay unregister delay}, so that clients following ZooKeeper have
   * left it before it refuses calls and closes its connections.
   */
  @Override
  public void stopping(RpcServer server) {
    ExecutorService worker;
    synchronized (this) {
      if (this.server != server || this.worker == null) {
        return;
      }
      worker = this.worker;
      wanted = false;
    }
    try {
      boolean removed = worker.submit(this::unregister).get(connectionTimeout.toMillis(), TimeUnit.MILLISECONDS);
      if (removed && !unregisterDelay.isZero() && !server.peers().isEmpty()) {
        // Clients learn of the deletion through their watches a little later; calls they send meanwhile must
        // still be served, not met by a closed connection. With no client connected, nobody is to be waited for.
        TimeUnit.NANOSECONDS.sleep(unregisterDelay.toNanos());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      log.warn("Cannot unregister {} from ZooKeeper at {} in time; its nodes go when its session closes",
          serviceNames, describeZooKeeper());
    }
  }

  /** Closes the ZooKeeper client the registry made (a client given to it stays open) and its thread. */
  @Override
  public void stopped(RpcServer server) {
    ExecutorService worker;
    CuratorFramework client;
    synchronized (this) {
      if (this.server != server || this.worker == null) {
        return;
      }
      wanted = false;
      worker = this.worker;
      client = this.client;
      this.worker = null;
    }
    client.getConnectionStateListenable().removeListener(stateListener);
    worker.shutdown();
    try {
      if (!worker.awaitTermination(connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (client != givenClient) {
      // Closing the session removes its ephemeral nodes, should unregistering have failed.
      client.close();
    } else if (!nodes.isEmpty()) {
      unregister();
    }
  }

  /** The client this registry uses; for tests. */
  synchronized CuratorFramework curator() {
    return client;
  }

  /** The paths of the nodes this registry keeps; for tests. */
  List<String> paths() {
    return nodes.stream().map(Node::path).toList();
  }

  private void stateChanged(CuratorFramework client, ConnectionState state) {
    if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
      ensureRegistered();
    } else if (state == ConnectionState.LOST) {
      log.info("ZooKeeper session of {} lost; {} will be registered again when it reconnects", describeNodes(),
          serviceNames);
    }
  }

  /**
   * Creates each node that does not exist in the current session. A node left by an earlier session of this
   * registry (ZooKeeper has not expired it yet) is replaced, so that it is owned by the live session and goes
   * with it. A node this session owns already is left alone: a reconnect within the session does not make
   * clients see the server leave and come back. Runs on the worker thread only.
   */
  private void ensureRegistered() {
    CuratorFramework client = this.client;
    if (!wanted || client == null) {
      return;
    }
    List<ACL> acl = digest == null ? null
        : List.of(new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.AUTH_IDS),
            new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
    for (Node node : nodes) {
      try {
        for (int attempt = 0; attempt < 3 && wanted; attempt++) {
          long session = client.getZookeeperClient().getZooKeeper().getSessionId();
          Stat stat = client.checkExists().forPath(node.path);
          if (stat != null && stat.getEphemeralOwner() == session) {
            break;
          }
          if (stat != null) {
            deleteQuietly(client, node.path);
          }
          try {
            client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).withACL(acl, true)
                .forPath(node.path, node.data);
            log.info("Registered {} in ZooKeeper at {}", node.path, describeZooKeeper());
            break;
          } catch (KeeperException.NodeExistsException raced) {
            // Created meanwhile by a reconnect of this same registry: check its owner again.
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        log.warn("Cannot register {} in ZooKeeper at {} ({}); trying again when it reconnects", node.path,
            describeZooKeeper(), e.toString());
      }
    }
  }

  /**
   * Deletes the nodes; runs on the worker thread, or after it has stopped.
   *
   * @return whether any node was there to delete, so that clients may have been calling the server
   */
  private boolean unregister() {
    CuratorFramework client = this.client;
    boolean removed = false;
    for (Node node : nodes) {
      try {
        // Guaranteed: should the connection be down now, Curator deletes it once it is back.
        client.delete().guaranteed().forPath(node.path);
        removed = true;
        log.info("Unregistered {} from ZooKeeper at {}", node.path, describeZooKeeper());
      } catch (KeeperException.NoNodeException gone) {
        // Nothing to do: the session that owned it has ended.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return removed;
      } catch (Exception e) {
        log.warn("Cannot unregister {} from ZooKeeper at {} ({})", node.path, describeZooKeeper(), e.toString());
      }
    }
    return removed;
  }

  private static void deleteQuietly(CuratorFramework client, String path) throws Exception {
    try {
      client.delete().forPath(path);
    } catch (KeeperException.NoNodeException gone) {
      // Expired meanwhile, which is what we wanted.
    }
  }

  /** One node per service name, sharing one instance id, each holding Curator's JSON of the instance. */
  private List<Node> nodes(RpcServer server, String host) {
    List<URI> targets = server.targets(host);
    boolean tls = targets.stream().anyMatch(t -> "tls".equals(t.getScheme()));
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("targets", targets.stream().map(URI::toString).toList());
    payload.put("tls", tls);
    payload.put("weight", weight);
    payload.put("zone", zone);
    payload.put("version", version);
    payload.put("metadata", new LinkedHashMap<>(metadata));
    // Object, so that Curator's serializer names the payload's class as a plain map: any Curator reader with a
    // Map payload type can read it, and no reader needs a class of ours.
    JsonInstanceSerializer<Object> serializer = new JsonInstanceSerializer<>(Object.class);
    String id = UUID.randomUUID().toString();
    List<Node> nodes = new ArrayList<>();
    for (String name : serviceNames) {
      try {
        ServiceInstanceBuilder<Object> instance = ServiceInstance.builder()
            .name(name)
            .id(id)
            .address(host)
            .port(server.port())
            .payload(payload)
            .serviceType(ServiceType.DYNAMIC);
        if (tls) {
          instance.sslPort(server.port());
        }
        nodes.add(new Node(ZKPaths.makePath(basePath, name, id), serializer.serialize(instance.build())));
      } catch (Exception e) {
        throw new IllegalStateException("Cannot describe the server for ZooKeeper: " + e, e);
      }
    }
    return List.copyOf(nodes);
  }

  /**
   * The address clients should use: the server's bound address when it is a specific one, else this machine's
   * first non-loopback address (IPv4 first), else the loopback address.
   */
  static String defaultHost(RpcServer server) {
    InetAddress bound = server.localAddress().getAddress();
    if (!bound.isAnyLocalAddress()) {
      return hostAddress(bound);
    }
    try {
      Collection<InetAddress> all = ServiceInstanceBuilder.getAllLocalIPs();
      InetAddress chosen = all.stream().filter(a -> a instanceof Inet4Address).findFirst()
          .orElse(all.isEmpty() ? null : all.iterator().next());
      if (chosen != null) {
        return hostAddress(chosen);
      }
    } catch (SocketException e) {
      log.warn("Cannot list this machine's addresses ({}); advertising the loopback address", e.toString());
    }
    log.warn("No non-loopback address found: advertising the loopback address; set advertisedHost(...)");
    return hostAddress(InetAddress.getLoopbackAddress());
  }

  private static String hostAddress(InetAddress address) {
    String text = address.getHostAddress();
    int scope = text.indexOf('%');
    return scope < 0 ? text : text.substring(0, scope);
  }

  private String describeZooKeeper() {
    return givenClient != null ? givenClient.getZookeeperClient().getCurrentConnectionString() : connectString;
  }

  private String describeNodes() {
    return basePath + "/{" + String.join(",", serviceNames) + "}";
  }

  @Override
  public String toString() {
    return "ZooKeeperRegistry" + serviceNames + " at " + (connectString != null ? connectString : "a given client")
        + basePath;
  }

  /**
   * Builds a {@link ZooKeeperRegistry}. Either {@link #connectString} or {@link #curator} and at least one
   * {@link #serviceName} are required. Not thread-safe.
   */
  @Experimental
  public static final class Builder {

    private String connectString;
    private CuratorFramework client;
    private final Set<String> serviceNames = new LinkedHashSet<>();
    private String basePath = ZkTarget.DEFAULT_BASE_PATH;
    private String advertisedHost;
    private int weight = Instance.DEFAULT_WEIGHT;
    private String zone;
    private String version;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String digest;
    private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
    private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    private Duration unregisterDelay = DEFAULT_UNREGISTER_DELAY;

    private Builder() {}

    /**
     * The ZooKeeper servers, {@code host:2181[,host2:2181]}; the registry makes its own client and closes it when
     * the server stops. Replaces {@link #curator}.
     */
    public Builder connectString(String connectString) {
      requireNonNull(connectString, "connectString");
      this.connectString = ZkTarget.connectString(connectString, "connectString: " + connectString);
      this.client = null;
      return this;
    }

    /**
     * A Curator client to register through, which the registry uses as it is (started or not: it starts one
     * that is not) and never closes. Replaces {@link #connectString}. With {@link #digest}, this client must
     * authenticate itself with the same credentials ({@code CuratorFrameworkFactory.builder().authorization(...)}).
     */
    public Builder curator(CuratorFramework client) {
      this.client = requireNonNull(client, "client");
      this.connectString = null;
      return this;
    }

    /** Adds the names of services the server is registered as (one node each), such as {@code calc}. */
    public Builder serviceName(String... names) {
      for (String name : requireNonNull(names, "names")) {
        requireNonNull(name, "name");
        if (name.isEmpty() || !ZkTarget.validNode(name) || name.equals(".") || name.equals("..")) {
          throw new IllegalArgumentException("serviceName: " + name + " (expected: one ZooKeeper node name)");
        }
        serviceNames.add(name);
      }
      return this;
    }

    /** The path under which services are registered. Default: {@code /courier/services}. */
    public Builder basePath(String basePath) {
      this.basePath = ZkTarget.basePath(requireNonNull(basePath, "basePath"), "basePath: " + basePath);
      return this;
    }

    /**
     * The host name or address clients reach the server at. Default: the address the server is bound to when it
     * is a specific one; for a server bound to all addresses, this machine's first non-loopback address.
     */
    public Builder advertisedHost(String host) {
      requireNonNull(host, "host");
      try {
        if (new URI("tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":1").getHost() == null) {
          throw new IllegalArgumentException();
        }
      } catch (Exception e) {
        throw new IllegalArgumentException("advertisedHost: " + host + " (expected: a host name or address)");
      }
      this.advertisedHost = host;
      return this;
    }

    /** The server's share of calls relative to the others, 1 to 1000. Default: 1. */
    public Builder weight(int weight) {
      if (weight < 1 || weight > Instance.MAX_WEIGHT) {
        throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + Instance.MAX_WEIGHT + ")");
      }
      this.weight = weight;
      return this;
    }

    /** Where the server runs (a zone, a rack), for clients that prefer their own zone. Default: none. */
    public Builder zone(String zone) {
      this.zone = text(zone, "zone");
      return this;
    }

    /** The version the server runs, published in its metadata as {@code version}. Default: none. */
    public Builder version(String version) {
      this.version = text(version, "version");
      return this;
    }

    /** Adds labels published with the server (at most 64, each at most 1024 characters). */
    public Builder metadata(Map<String, String> metadata) {
      requireNonNull(metadata, "metadata").forEach(this::metadata);
      return this;
    }

    /** Adds one label published with the server. */
    public Builder metadata(String key, String value) {
      text(requireNonNull(key, "key"), "metadata key");
      text(requireNonNull(value, "value"), "metadata " + key);
      if (!this.metadata.containsKey(key) && this.metadata.size() >= InstanceReader.MAX_METADATA) {
        throw new IllegalArgumentException("metadata: more than " + InstanceReader.MAX_METADATA + " entries");
      }
      this.metadata.put(key, value);
      return this;
    }

    /**
     * Protects the registration nodes with a ZooKeeper digest ACL: the registry's client authenticates as
     * {@code user:password}, and the nodes it creates (and the parents it creates) get the ACL "all for the
     * creator, read for anyone" ({@code auth::cdrwa}, {@code world:anyone:r}), so that only clients
     * authenticated with the same credentials can change or delete them, and anyone can discover the servers.
     * Every server registering under one base path must then use the same credentials. Default: no ACL (the
     * ensemble's default, usually open).
     */
    public Builder digest(String userPassword) {
      requireNonNull(userPassword, "userPassword");
      if (userPassword.indexOf(':') <= 0 || userPassword.endsWith(":")) {
        throw new IllegalArgumentException("digest: (expected: user:password)");
      }
      this.digest = userPassword;
      return this;
    }

    /**
     * How long ZooKeeper keeps the registration after it last heard from the registry (a crashed server leaves
     * clients' lists after this time). The ensemble bounds it, by default to 4-40 s. Default: 15 seconds.
     */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = positive(timeout, "sessionTimeout");
      return this;
    }

    /**
     * How long the server's start waits for ZooKeeper before going on without it (it is registered when
     * ZooKeeper is reached), and how long its stop waits to unregister. Default: 5 seconds.
     */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = positive(timeout, "connectionTimeout");
      return this;
    }

    /**
     * How long a stopping server goes on serving after it has left ZooKeeper, before it refuses new calls: the
     * time clients need to learn that it left (a ZooKeeper watch usually takes milliseconds) and send their calls
     * elsewhere. Calls sent to it during this time are answered. Zero does not wait. Default: 1 second.
     */
    public Builder unregisterDelay(Duration delay) {
      requireNonNull(delay, "delay");
      if (delay.isNegative() || delay.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("unregisterDelay: " + delay + " (expected: >= 0 and <= 24 days)");
      }
      this.unregisterDelay = delay;
      return this;
    }

    /**
     * Builds the registry.
     *
     * @throws IllegalStateException when neither a connect string nor a client, or no service name, was given
     */
    public ZooKeeperRegistry build() {
      if (connectString == null && client == null) {
        throw new IllegalStateException("connectString(\"host:2181\") or curator(client) is required");
      }
      if (serviceNames.isEmpty()) {
        throw new IllegalStateException("serviceName(...) is required (e.g. serviceName(\"calc\"))");
      }
      return new ZooKeeperRegistry(this);
    }

    private static String text(String value, String what) {
      if (value != null && value.length() > InstanceReader.MAX_TEXT) {
        throw new IllegalArgumentException(what + ": " + value.length() + " characters (expected: <= "
            + InstanceReader.MAX_TEXT + ")");
      }
      return value == null || value.isBlank() ? null : value;
    }

    private static Duration positive(Duration duration, String what) {
      requireNonNull(duration, what);
      if (duration.isNegative() || duration.isZero() || duration.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + ": " + duration + " (expected: > 0 and <= 24 days)");
      }
      return duration;
    }
  }
}
