package io.courier.server;

import static io.courier.peer.Checks.notNegative;
import static io.courier.peer.Checks.positive;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Experimental;
import io.courier.MethodDescriptor;
import io.courier.RpcEventListener;
import io.courier.RpcHandler;
import io.courier.peer.LocalMethod;
import io.courier.peer.MethodTable;
import io.courier.peer.OpenRpc;
import io.courier.peer.Registrations;
import io.courier.peer.Serving;
import io.courier.protocol.CourierJson;
import io.courier.transport.AllowedHosts;
import io.courier.transport.HttpOptions;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Configures and builds an {@link RpcServer}. Each setter states its default. Registration methods check
 * what they register at once and throw {@link IllegalArgumentException} naming the method that cannot be
 * served. Not thread-safe; the server it builds is.
 */
public final class RpcServerBuilder {

  static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  static final Duration DEFAULT_PEER_CALL_TIMEOUT = Duration.ofSeconds(30);
  static final int DEFAULT_MAX_BATCH_RESPONSE_BYTES = 16 * 1024 * 1024;
  static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_000;
  static final Duration DEFAULT_PROTOCOL_DETECTION_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_PARTIAL_FRAME_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
  static final Duration DEFAULT_UNWRITABLE_TIMEOUT = Duration.ofSeconds(30);
  static final String DEFAULT_WEB_SOCKET_PATH = "/ws";
  /** Where JSON-RPC is posted over HTTP. */
  static final Set<String> RPC_PATHS = Set.of("/", "/rpc");
  /** Where the browser client is served, when its file is on the class path. */
  static final String BROWSER_CLIENT_PATH = "/courier.js";
  /** Paths the server answers itself on its HTTP port, which neither {@link #httpGet} nor the WebSocket may take. */
  private static final Set<String> RESERVED_PATHS = Stream.concat(RPC_PATHS.stream(),
      Stream.of(HttpOptions.HEALTH_PATH, BROWSER_CLIENT_PATH)).collect(Collectors.toUnmodifiableSet());

  String host = "0.0.0.0";
  int port = 0;
  int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
  int workerThreads = Serving.DEFAULT_WORKER_THREADS;
  int queueCapacity = Serving.DEFAULT_QUEUE_CAPACITY;
  ExecutorService executor;
  ObjectMapper mapper;
  int maxMessageBytes = CourierJson.DEFAULT_MAX_MESSAGE_BYTES;
  boolean developmentMode;
  Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
  int maxInFlightPerConnection = Serving.DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION;
  int maxBatchItems = Serving.DEFAULT_MAX_BATCH_ITEMS;
  Duration peerCallTimeout = DEFAULT_PEER_CALL_TIMEOUT;
  int maxBatchResponseBytes = DEFAULT_MAX_BATCH_RESPONSE_BYTES;
  int maxConnections = DEFAULT_MAX_CONNECTIONS;
  int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  /** 0 until set: then it follows maxMessageBytes. */
  int maxOutboundMessageBytes;
  int maxNumberScale = CourierJson.DEFAULT_MAX_NUMBER_SCALE;
  /** 0 until set: then half the worker threads. */
  int maxRunningPerConnection;
  /** 0 until set: then derived from the JVM's direct-memory limit. */
  long partialMessageBudget;
  Duration protocolDetectionTimeout = DEFAULT_PROTOCOL_DETECTION_TIMEOUT;
  Duration partialFrameTimeout = DEFAULT_PARTIAL_FRAME_TIMEOUT;
  Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
  Duration unwritableTimeout = DEFAULT_UNWRITABLE_TIMEOUT;
  String webSocketPath = DEFAULT_WEB_SOCKET_PATH;
  Set<String> corsOrigins = Set.of();
  Set<String> allowedHosts = Set.of();
  ServerTls tls;
  boolean plaintext = true;
  final List<ServerInterceptor> interceptors = new ArrayList<>();
  final List<ServerListener> listeners = new ArrayList<>();
  final List<RpcEventListener> eventListeners = new ArrayList<>();
  final Map<String, HttpGetHandler> httpGets = new LinkedHashMap<>();
  boolean openRpc = true;
  String openRpcTitle = OpenRpc.DEFAULT_TITLE;
  String openRpcVersion = OpenRpc.DEFAULT_VERSION;
  boolean console;
  private final Registrations registrations = new Registrations(this::mapper);

  RpcServerBuilder() {}

  /**
   * The address to listen on. Default: {@code 0.0.0.0}, every interface. It also decides which {@code Host}
   * names HTTP requests may carry: see {@link #allowedHosts(String...)}.
   */
  public RpcServerBuilder host(String host) {
    this.host = requireNonNull(host, "host");
    return this;
  }

  /** The TCP port to listen on, 0 to 65535. Default: 0, an ephemeral port ({@link RpcServer#port()} tells). */
  public RpcServerBuilder port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    this.port = port;
    return this;
  }

  /**
   * Registers {@code impl} as the service described by {@code type}: every method of the interface is
   * callable, by its name or the name its {@link io.courier.RpcMethod} gives, prefixed by the interface's
   * {@link io.courier.RpcService}.
   */
  public <T> RpcServerBuilder service(Class<T> type, T impl) {
    registrations.service(type, impl);
    return this;
  }

  /** Registers every public instance method of {@code impl}'s class, except those of {@code Object}. */
  public RpcServerBuilder service(Object impl) {
    registrations.service(impl);
    return this;
  }

  /** Registers a single function under {@code name}, taking any positional and keyword arguments. */
  public RpcServerBuilder method(String name, RpcHandler handler) {
    registrations.function(name, handler);
    return this;
  }

  /**
   * Whether the server answers {@code rpc.discover}, OpenRPC's discovery method, with an OpenRPC 1.3.2 document
   * of its methods (see {@link RpcServer#describeMethods()}). When off, {@code rpc.discover} is an unknown
   * method (-32601). Calls to it pass through the interceptors like any call. Default: on.
   */
  @Experimental
  public RpcServerBuilder openRpc(boolean enabled) {
    this.openRpc = enabled;
    return this;
  }

  /**
   * The {@code info} of the OpenRPC document {@code rpc.discover} answers with: the API's title and version.
   * Default: {@value OpenRpc#DEFAULT_TITLE}, version {@value OpenRpc#DEFAULT_VERSION}.
   */
  @Experimental
  public RpcServerBuilder openRpcInfo(String title, String version) {
    this.openRpcTitle = requireNonNull(title, "title");
    this.openRpcVersion = requireNonNull(version, "version");
    return this;
  }

  /**
   * Whether the server serves a web console at {@code /console} on its HTTP port: its methods with their
   * descriptions and schemas, a form to try each one, live charts of calls per second and p50/p99 latency per
   * method, and the open connections. The page, its script and its style sheet are static files served to anyone
   * who asks (they hold no data); everything the page shows it gets by calling the server over its WebSocket path,
   * {@code rpc.discover} and the built-in {@code rpc.courier.console}, so the interceptors guard every datum as
   * they guard calls, and a page without the token a server requires shows a prompt for it and nothing else.
   *
   * <p>The same snapshot answers {@code GET /console/snapshot} as JSON, through the interceptors as
   * {@link #httpGet} paths are: 401 without a token the server requires. When on, the server also keeps the
   * console's stats as an event listener: a few atomic increments per call, and a bounded amount of memory per
   * method called. Default: off; then {@code /console} is not found (404) and
   * {@code rpc.courier.console} is an unknown method (-32601).
   *
   * @see #httpGet(String, HttpGetHandler)
   */
  @Experimental
  public RpcServerBuilder console(boolean enabled) {
    this.console = enabled;
    return this;
  }

  /**
   * How long a call the server makes to a connected peer ({@link io.courier.Peer#call}, or a proxy from
   * {@link io.courier.Peer#create}) waits for its reply before it fails with a timeout and is cancelled on the
   * peer. A call made while serving one gets no more than that call has left. Default: 30 seconds.
   */
  @Experimental
  public RpcServerBuilder peerCallTimeout(Duration timeout) {
    this.peerCallTimeout = positive(timeout, "peerCallTimeout");
    return this;
  }

  /** Number of Netty I/O threads. Default: the number of cores. */
  public RpcServerBuilder ioThreads(int threads) {
    this.ioThreads = positive(threads, "ioThreads");
    return this;
  }

  /**
   * Threads of the default executor that runs service methods. Default: twice the cores, at least 4 and at
   * most 200. Ignored when {@link #executor} is set.
   */
  public RpcServerBuilder workerThreads(int threads) {
    this.workerThreads = positive(threads, "workerThreads");
    return this;
  }

  /**
   * Calls the default executor queues when all its threads are busy; past it, calls are refused at once with
   * a "server busy" error that says they were not processed. Default: 1000. Ignored when {@link #executor} is
   * set.
   */
  public RpcServerBuilder queueCapacity(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("queueCapacity: " + capacity + " (expected: >= 0)");
    }
    this.queueCapacity = capacity;
    return this;
  }

  /**
   * An executor of your own to run service methods on instead of the default bounded pool. The server does
   * not shut it down. When it rejects a task, the call gets a "server busy" error.
   */
  public RpcServerBuilder executor(ExecutorService executor) {
    this.executor = requireNonNull(executor, "executor");
    return this;
  }

  /**
   * The Jackson mapper that binds params and writes results. Default: {@link CourierJson#newMapper(int)}. A
   * mapper of your own should start from that one: default typing must stay off. Set it before registering
   * services, which are bound with it.
   */
  public RpcServerBuilder objectMapper(ObjectMapper mapper) {
    this.mapper = requireNonNull(mapper, "mapper");
    return this;
  }

  /**
   * Largest message accepted, in bytes, on every framing. Default: 4 MiB. A larger message is answered with a
   * "limit exceeded" error and the connection is closed.
   */
  public RpcServerBuilder maxMessageBytes(int bytes) {
    this.maxMessageBytes = positive(bytes, "maxMessageBytes");
    return this;
  }

  /**
   * Whether internal errors carry the exception's message and stack trace to the caller. Default: off; turn
   * it on only in development, since traces tell an attacker about the server.
   */
  public RpcServerBuilder developmentMode(boolean on) {
    this.developmentMode = on;
    return this;
  }

  /** How long {@link RpcServer#close()} lets calls in flight finish. Default: 10 seconds. */
  public RpcServerBuilder shutdownGrace(Duration grace) {
    requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace: " + grace + " (expected: >= 0)");
    }
    this.shutdownGrace = grace;
    return this;
  }

  /**
   * Calls (and notifications) one connection may have running at once. At the cap the server stops reading
   * that connection until a call completes: backpressure, not a queue. Default: 256.
   */
  public RpcServerBuilder maxInFlightPerConnection(int calls) {
    this.maxInFlightPerConnection = positive(calls, "maxInFlightPerConnection");
    return this;
  }

  /**
   * Most calls in one batch. A larger batch is answered with one "limit exceeded" error (-32004) and none of
   * its calls run. Default: 100.
   */
  public RpcServerBuilder maxBatchItems(int items) {
    this.maxBatchItems = positive(items, "maxBatchItems");
    return this;
  }

  /**
   * Largest reply to a batch, in bytes. Results past it are replaced by "limit exceeded" errors for their
   * calls. Default: 16 MiB.
   */
  public RpcServerBuilder maxBatchResponseBytes(int bytes) {
    this.maxBatchResponseBytes = positive(bytes, "maxBatchResponseBytes");
    return this;
  }

  /** Most connections open at once; further connections are closed as soon as they are accepted. Default: 10,000. */
  public RpcServerBuilder maxConnections(int connections) {
    this.maxConnections = positive(connections, "maxConnections");
    return this;
  }

  /**
   * Most connections open at once from one IP address, so that one peer cannot hold every connection the
   * server allows; further connections from it are closed as soon as they are accepted. Default: 1,000.
   * {@code Integer.MAX_VALUE} turns the cap off (a load test from one machine may need that).
   */
  public RpcServerBuilder maxConnectionsPerAddress(int connections) {
    this.maxConnectionsPerAddress = positive(connections, "maxConnectionsPerAddress");
    return this;
  }

  /**
   * Largest message the server writes, in bytes: one reply, or one notification. A reply that grows past it
   * while it is being written is dropped and its call answered with "limit exceeded" (-32004) instead; a
   * notification that would is refused with an exception. Default: the {@link #maxMessageBytes} limit.
   */
  public RpcServerBuilder maxOutboundMessageBytes(int bytes) {
    this.maxOutboundMessageBytes = positive(bytes, "maxOutboundMessageBytes");
    return this;
  }

  /**
   * Largest scale, either sign, of a decimal number read from a message: {@code 1e-5} has scale 5,
   * {@code 1e5} scale -5. Its text is short, but arithmetic on it and writing it out cost as many digits as
   * its scale, so a request holding a larger one is answered with "invalid params" (-32602) before any method
   * runs. Default: 9,999 ({@link CourierJson#DEFAULT_MAX_NUMBER_SCALE}).
   */
  public RpcServerBuilder maxNumberScale(int scale) {
    this.maxNumberScale = notNegative(scale, "maxNumberScale");
    return this;
  }

  /**
   * Calls of one connection that may run on worker threads at once: its fair share of the pool, so that one
   * connection sending slow calls cannot take every worker. Further calls wait in that connection's own queue
   * (at most {@link #maxInFlightPerConnection} of them), not in the pool's. Default: half of
   * {@link #workerThreads}, at least 1. Non-blocking methods, which run on the I/O thread, do not count.
   */
  public RpcServerBuilder maxRunningPerConnection(int calls) {
    this.maxRunningPerConnection = positive(calls, "maxRunningPerConnection");
    return this;
  }

  /**
   * Bytes the server holds, over all connections together, in messages that have begun to arrive and are not
   * complete. Each connection is held to {@link #maxMessageBytes}, but many connections each within it can
   * still add up to all the memory there is: past this budget the connections holding the most unfinished
   * bytes are closed first, with one log line, until the total is back under it. Default: a quarter of the
   * JVM's direct-memory limit, and at least twice {@link #maxMessageBytes}.
   */
  public RpcServerBuilder partialMessageBudget(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("partialMessageBudget: " + bytes + " (expected: > 0)");
    }
    this.partialMessageBudget = bytes;
    return this;
  }

  /** How long a new connection may take to send the bytes that tell its protocol. Default: 10 seconds. */
  public RpcServerBuilder protocolDetectionTimeout(Duration timeout) {
    this.protocolDetectionTimeout = positive(timeout, "protocolDetectionTimeout");
    return this;
  }

  /**
   * How long a message may take to arrive once it has started, so that a peer trickling bytes cannot hold a
   * connection and its buffer forever. Default: 30 seconds.
   */
  public RpcServerBuilder partialFrameTimeout(Duration timeout) {
    this.partialFrameTimeout = positive(timeout, "partialFrameTimeout");
    return this;
  }

  /** How long a connection may stay open with nothing received and no call running. Default: 120 seconds. */
  public RpcServerBuilder idleTimeout(Duration timeout) {
    this.idleTimeout = positive(timeout, "idleTimeout");
    return this;
  }

  /**
   * How long a connection may stay unwritable (its peer is not reading replies) before it is closed. While
   * unwritable the server reads no more calls from it. Default: 30 seconds.
   */
  public RpcServerBuilder unwritableTimeout(Duration timeout) {
    this.unwritableTimeout = positive(timeout, "unwritableTimeout");
    return this;
  }

  /**
   * Adds interceptors that run around every call, before its params are bound (authentication, authorization,
   * metrics). They run in the order added: the first added is the outermost. Default: none.
   */
  public RpcServerBuilder intercept(ServerInterceptor... interceptors) {
    for (ServerInterceptor interceptor : interceptors) {
      this.interceptors.add(requireNonNull(interceptor, "interceptor"));
    }
    return this;
  }

  /**
   * Adds listeners told when the server has started and when it begins to stop (a registry such as
   * {@code courier-zookeeper}'s announces the server and withdraws it). They are called in the order added.
   */
  @Experimental
  public RpcServerBuilder listener(ServerListener... listeners) {
    for (ServerListener listener : listeners) {
      this.listeners.add(requireNonNull(listener, "listener"));
    }
    return this;
  }

  /**
   * Adds listeners told of the server's connections, of every call it serves (with its duration, sizes and
   * outcome) and of every message it refuses before a method runs: what metrics are made of (see
   * {@code courier-micrometer}). Called in the order added; see {@link RpcEventListener}. Default: none.
   */
  @Experimental
  public RpcServerBuilder eventListener(RpcEventListener... listeners) {
    for (RpcEventListener listener : listeners) {
      this.eventListeners.add(requireNonNull(listener, "listener"));
    }
    return this;
  }

  /**
   * Serves TLS on the port, alongside the clear protocols: a connection that starts with a TLS handshake gets
   * TLS, and then raw TCP, HTTP or WebSocket inside it. Default: none (a TLS handshake is refused).
   */
  public RpcServerBuilder tls(ServerTls tls) {
    this.tls = requireNonNull(tls, "tls");
    return this;
  }

  /**
   * Whether the port also serves clients that do not use TLS, when {@link #tls(ServerTls)} is set. Default:
   * true. Set it to false for a port reachable from networks you do not trust: connections that do not start
   * with a TLS handshake are then closed at once, with a log line.
   */
  public RpcServerBuilder allowPlaintext(boolean allow) {
    this.plaintext = allow;
    return this;
  }

  /**
   * Browser origins (such as {@code https://app.example.com}) allowed to call over HTTP from a page served
   * elsewhere (CORS); {@code "*"} allows any origin. Default: none, so browsers only allow pages served by this
   * server. The same origins may also open WebSocket connections, which are otherwise refused (403) to pages
   * served elsewhere. Only requests naming an allowed host get this far: see {@link #allowedHosts(String...)}.
   */
  public RpcServerBuilder corsOrigins(String... origins) {
    for (String origin : origins) {
      requireNonNull(origin, "origin");
    }
    this.corsOrigins = Set.of(origins);
    return this;
  }

  /**
   * Host names, besides the server's own, that HTTP and WebSocket requests may name in their {@code Host}
   * header; {@code "*"} allows any. A request naming another host is answered 421 Misdirected Request and its
   * connection closed, which is what stops DNS rebinding: a page on {@code evil.example}, whose name the
   * attacker re-points at this server's address, is "same origin" with the server in the browser's eyes, but
   * still sends {@code Host: evil.example}. Raw TCP has no {@code Host} and is not affected.
   *
   * <p>The server's own hosts are always allowed: when it is bound to a loopback address or {@code localhost},
   * {@code localhost} and the loopback addresses ({@code 127.0.0.1}, {@code [::1]}); otherwise, including the
   * default {@code 0.0.0.0}, {@code localhost}, any IP address, the name given to {@link #host(String)} and
   * the machine's host name. Add the names clients use to reach the server through DNS, a proxy or a load
   * balancer, such as {@code allowedHosts("api.example.com")}. Names are matched ignoring case and port.
   * Default: none besides the server's own.
   *
   * @throws IllegalArgumentException for a name with a scheme or port ({@code "http://..."} belongs in
   *     {@link #corsOrigins(String...)})
   */
  public RpcServerBuilder allowedHosts(String... hosts) {
    for (String host : hosts) {
      AllowedHosts.requireHostName(host);
    }
    this.allowedHosts = Set.copyOf(List.of(hosts));
    return this;
  }

  /**
   * Answers {@code GET} requests at {@code path} on the HTTP port with {@code handler}, past the server's
   * interceptors: how {@code courier-micrometer} serves {@code /metrics}. See {@link HttpGetHandler}.
   *
   * @throws IllegalArgumentException when {@code path} does not start with {@code /}, is taken already, or is one
   *     the server answers itself ({@code /}, {@code /rpc}, {@code /health}, {@code /courier.js}, the WebSocket
   *     path); the {@link #console(boolean) console}'s paths under {@code /console} are checked in {@link #build()}
   */
  @Experimental
  public RpcServerBuilder httpGet(String path, HttpGetHandler handler) {
    requireNonNull(path, "path");
    requireNonNull(handler, "handler");
    if (!path.startsWith("/") || RESERVED_PATHS.contains(path) || path.equals(webSocketPath)
        || httpGets.containsKey(path)) {
      throw new IllegalArgumentException("httpGet: " + path + " (expected: a path starting with / that is not "
          + "taken: " + RESERVED_PATHS + ", " + webSocketPath + " and " + httpGets.keySet() + " are)");
    }
    httpGets.put(path, handler);
    return this;
  }

  /**
   * The path of the WebSocket upgrade. Default: {@code /ws}. JSON-RPC over HTTP is posted to {@code /rpc} or
   * {@code /}; those, {@code /health}, {@code /courier.js} and {@link #httpGet} paths cannot be the WebSocket's.
   */
  public RpcServerBuilder webSocketPath(String path) {
    requireNonNull(path, "path");
    if (!path.startsWith("/") || RESERVED_PATHS.contains(path) || httpGets.containsKey(path)) {
      throw new IllegalArgumentException("webSocketPath: " + path + " (expected: a path starting with / that is not "
          + "taken: " + RESERVED_PATHS + " and " + httpGets.keySet() + " are)");
    }
    this.webSocketPath = path;
    return this;
  }

  Limits limits() {
    return new Limits(maxMessageBytes,
        maxOutboundMessageBytes > 0 ? maxOutboundMessageBytes : maxMessageBytes,
        maxNumberScale, maxInFlightPerConnection,
        maxRunningPerConnection > 0 ? maxRunningPerConnection : Serving.defaultMaxRunningPerConnection(workerThreads),
        maxBatchItems, maxBatchResponseBytes, maxConnections, maxConnectionsPerAddress,
        partialMessageBudget > 0 ? partialMessageBudget : defaultPartialMessageBudget(maxMessageBytes),
        protocolDetectionTimeout, partialFrameTimeout, idleTimeout, unwritableTimeout);
  }

  /** A quarter of the direct memory Netty may use (by default as much as the heap), and room for two messages. */
  static long defaultPartialMessageBudget(int maxMessageBytes) {
    return Math.max(PlatformDependent.maxDirectMemory() / 4, 2L * maxMessageBytes);
  }

  ObjectMapper mapper() {
    return mapper != null ? mapper : CourierJson.newMapper(maxMessageBytes);
  }

  /**
   * Builds the server, not yet listening; call {@link RpcServer#start()}.
   *
   * @throws IllegalStateException when {@code allowPlaintext(false)} is set without TLS, or when
   *     {@code console(true)} is set and {@link #httpGet} took one of the console's paths
   */
  public RpcServer build() {
    if (!plaintext && tls == null) {
      throw new IllegalStateException("allowPlaintext(false) needs tls(...): the port would refuse every client");
    }
    if (console) {
      List<String> consolePaths = new ArrayList<>(ConsoleFiles.PATHS);
      consolePaths.add(ConsoleMethod.HTTP_PATH);
      for (String path : consolePaths) {
        if (httpGets.containsKey(path) || path.equals(webSocketPath)) {
          throw new IllegalStateException("console(true) serves " + path + ", which httpGet or webSocketPath "
              + "took already");
        }
      }
    }
    ObjectMapper finalMapper = mapper();
    List<Function<List<MethodDescriptor>, LocalMethod>> builtIns = new ArrayList<>();
    if (openRpc) {
      builtIns.add(OpenRpc.discover(openRpcTitle, openRpcVersion, finalMapper));
    }
    ConsoleMethod consoleMethod = null;
    if (console) {
      ConsoleMethod snapshot = new ConsoleMethod(new ConsoleStats(), openRpcTitle, openRpcVersion, finalMapper);
      builtIns.add(described -> snapshot);
      consoleMethod = snapshot;
    }
    MethodTable table = registrations.build(finalMapper, builtIns);
    if (consoleMethod != null) {
      consoleMethod.stats().track(table.names());
    }
    return new RpcServer(this, finalMapper, table, consoleMethod);
  }
}
