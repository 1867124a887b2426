package io.courier.client;

import static io.courier.peer.Checks.notNegative;
import static io.courier.peer.Checks.positive;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Endpoint;
import io.courier.Experimental;
import io.courier.Framing;
import io.courier.RpcEventListener;
import io.courier.RpcHandler;
import io.courier.peer.Calling;
import io.courier.peer.Registrations;
import io.courier.protocol.CourierJson;
import io.courier.discovery.EndpointGroup;
import io.courier.discovery.EndpointGroupProvider;
import io.courier.discovery.Instance;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures and builds an {@link RpcClient}. Each setter states its default; {@link #target} is required.
 * Not thread-safe; the client it builds is.
 */
public final class RpcClientBuilder {

  private static final Logger log = LoggerFactory.getLogger(RpcClientBuilder.class);

  static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final int DEFAULT_MAX_ATTEMPTS = 5;
  static final int DEFAULT_MAX_HTTP_CONNECTIONS = 16;

  /** The servers the client calls: a list of one or more (from a URI or endpoint), ... */
  List<Instance> listed;
  /** ... or a service a registry is asked for, through its provider, ... */
  URI discovered;
  EndpointGroupProvider provider;
  /** ... or a group given, ... */
  EndpointGroup group;
  /** ... or a program launched. */
  Target program;
  /** The target as given, for messages. */
  String describe;
  /** Servers to call while a discovered service has none (its registry cannot be reached). */
  List<Instance> fallback = List.of();
  LoadBalancing loadBalancing = LoadBalancing.roundRobin();
  String zone;
  OutlierDetection outlierDetection = OutlierDetection.DEFAULT;
  Dialect dialect = Dialect.JSON_RPC;
  /** Null until set: then build() checks that the target has a framing to choose. */
  Framing framing;
  Duration callTimeout = DEFAULT_CALL_TIMEOUT;
  Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  ObjectMapper mapper;
  int maxMessageBytes = CourierJson.DEFAULT_MAX_MESSAGE_BYTES;
  /** 0 until set: then it follows maxMessageBytes. */
  int maxOutboundMessageBytes;
  int maxNumberScale = CourierJson.DEFAULT_MAX_NUMBER_SCALE;
  int ioThreads = 1;
  Executor callbackExecutor = ForkJoinPool.commonPool();
  int maxPendingCalls = Calling.DEFAULT_MAX_PENDING_CALLS;
  int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  boolean propagateDeadline = true;
  Backoff reconnectBackoff = Backoff.DEFAULT;
  Duration keepAliveInterval;
  Duration keepAliveTimeout;
  ClientTls tls;
  String bearerToken;
  boolean allowPlaintextToken;
  NotificationListener notificationListener;
  final List<ClientInterceptor> interceptors = new ArrayList<>();
  final List<RpcEventListener> eventListeners = new ArrayList<>();
  int maxHttpConnections = DEFAULT_MAX_HTTP_CONNECTIONS;
  final Registrations registrations = new Registrations(this::mapper);
  ExecutorService executor;

  RpcClientBuilder() {}

  /**
   * The server to call, as a URI or a plain {@code host:port} (raw TCP). Required. The scheme chooses the
   * transport: {@code tcp://host:port}, {@code http://host:port/rpc} (each call an HTTP POST, pipelined on a
   * keep-alive connection), {@code ws://host:port/ws} (WebSocket), and their TLS forms {@code tls://},
   * {@code https://} and {@code wss://}. HTTP and WebSocket paths default to {@code /rpc} and {@code /ws}.
   *
   * <p>Several servers of one service are listed with commas, {@code tcp://10.0.0.1:7070,10.0.0.2:7070} (one
   * scheme and path for all), and the client balances its calls over them ({@link #loadBalancing}). A scheme that
   * names a registry, such as {@code zk://zk1:2181,zk2:2181/calculator}, asks it for the service's servers and
   * follows their changes; the module that resolves it ({@code courier-zookeeper} for {@code zk://}) must be on
   * the class path, where {@link java.util.ServiceLoader} finds its {@link EndpointGroupProvider}.
   *
   * @throws IllegalArgumentException when the scheme is unknown (or its module missing) or a port is missing
   */
  public RpcClientBuilder target(String target) {
    requireNonNull(target, "target");
    int separator = target.indexOf("://");
    if (separator < 0) {
      return endpoint(Endpoint.parse(target));
    }
    String scheme = target.substring(0, separator).toLowerCase(Locale.ROOT);
    if (Instance.SCHEMES.contains(scheme)) {
      return servers(parseList(target, "target"), target);
    }
    EndpointGroupProvider found = providerFor(scheme, target);
    URI uri;
    try {
      uri = URI.create(target);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("target: " + target + " (" + e.getMessage() + ")", e);
    }
    clearTarget();
    this.provider = found;
    this.discovered = uri;
    // Credentials for the registry (zk://user:password@...) stay out of log lines and messages.
    this.describe = uri.getRawUserInfo() == null ? target : target.replace(uri.getRawUserInfo() + "@", "***@");
    return this;
  }

  /** The server to call, as a URI; see {@link #target(String)}. */
  public RpcClientBuilder target(URI target) {
    return target(requireNonNull(target, "target").toString());
  }

  /** The server to call, over raw TCP. */
  public RpcClientBuilder endpoint(Endpoint endpoint) {
    requireNonNull(endpoint, "endpoint");
    String uri = "tcp://" + endpoint;
    return servers(List.of(instance(Target.parse(URI.create(uri)))), uri);
  }

  /**
   * The servers to call, as a live group the client follows and balances over (a registry of your own; a
   * {@code zk://} target makes one for you). The client closes it when it is closed. Replaces any target.
   */
  @Experimental
  public RpcClientBuilder endpoints(EndpointGroup group) {
    clearTarget();
    this.group = requireNonNull(group, "group");
    this.describe = group.toString();
    return this;
  }

  /**
   * Servers to call, as a list like {@link #target(String)}'s ({@code tcp://10.0.0.1:7070,10.0.0.2:7070}), while a
   * discovered service has none: when its registry cannot be reached at start, or lists no server. Without one, a
   * client whose registry cannot be reached fails to build, after {@link #connectTimeout}. Default: none.
   */
  @Experimental
  public RpcClientBuilder fallback(String servers) {
    this.fallback = parseList(requireNonNull(servers, "servers"), "fallback");
    return this;
  }

  /** How the client chooses a server for each call when it has several. Default: {@link LoadBalancing#roundRobin()}. */
  @Experimental
  public RpcClientBuilder loadBalancing(LoadBalancing policy) {
    this.loadBalancing = requireNonNull(policy, "policy");
    return this;
  }

  /**
   * The zone (a rack, a zone, a data centre) the client runs in: while any server that registered the same zone
   * is available, calls go only to such servers. Default: none (every server alike).
   */
  @Experimental
  public RpcClientBuilder zone(String zone) {
    requireNonNull(zone, "zone");
    if (zone.isBlank()) {
      throw new IllegalArgumentException("zone: blank (expected: a zone name)");
    }
    this.zone = zone;
    return this;
  }

  /**
   * When a server whose calls keep timing out or losing their connection is set aside. Default:
   * {@link OutlierDetection#DEFAULT}; {@link OutlierDetection#OFF} never ejects one.
   */
  @Experimental
  public RpcClientBuilder outlierDetection(OutlierDetection detection) {
    this.outlierDetection = requireNonNull(detection, "detection");
    return this;
  }

  private RpcClientBuilder servers(List<Instance> servers, String describe) {
    clearTarget();
    this.listed = servers;
    this.describe = describe;
    return this;
  }

  private void clearTarget() {
    listed = null;
    discovered = null;
    provider = null;
    group = null;
    program = null;
  }

  /**
   * Parses {@code scheme://host:port[,host:port...][/path]}: one server per address, each with the scheme and
   * path.
   */
  static List<Instance> parseList(String list, String option) {
    int separator = list.indexOf("://");
    if (separator < 0) {
      throw new IllegalArgumentException(option + ": " + list + " (expected: scheme://host:port[,host:port...])");
    }
    String scheme = list.substring(0, separator);
    String rest = list.substring(separator + 3);
    int slash = rest.indexOf('/');
    String authorities = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    List<Instance> servers = new ArrayList<>();
    for (String authority : authorities.split(",", -1)) {
      if (authority.isBlank()) {
        throw new IllegalArgumentException(option + ": " + list + " (an empty address in the list)");
      }
      URI uri;
      try {
        uri = URI.create(scheme + "://" + authority.strip() + path);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(option + ": " + list + " (" + e.getMessage() + ")", e);
      }
      servers.add(instance(Target.parse(uri)));
    }
    return List.copyOf(servers);
  }

  /** A listed server, named by its target, so that a server listed twice is called once. */
  private static Instance instance(Target target) {
    URI uri = URI.create(target.toString());
    return new Instance(uri.toString(), uri, Instance.DEFAULT_WEIGHT, null, Map.of());
  }

  /**
   * Finds the provider of a registry scheme on the class path.
   *
   * @throws IllegalArgumentException naming the module to add when none provides it
   */
  private static EndpointGroupProvider providerFor(String scheme, String target) {
    for (EndpointGroupProvider candidate : ServiceLoader.load(EndpointGroupProvider.class,
        RpcClientBuilder.class.getClassLoader())) {
      if (candidate.schemes().contains(scheme)) {
        return candidate;
      }
    }
    String module = KNOWN_PROVIDERS.get(scheme);
    if (module != null) {
      throw new IllegalArgumentException("target: " + target + " (" + scheme + ":// targets need the "
          + module + " module on the class path)");
    }
    throw new IllegalArgumentException("target: " + target + " (expected a scheme of tcp, tls, http, https, ws or "
        + "wss, or one that a discovery module on the class path provides; none provides " + scheme + "://)");
  }

  /** The modules of this project that resolve a registry's scheme, to name when one is missing. */
  private static final Map<String, String> KNOWN_PROVIDERS = Map.of("zk", "io.courier:courier-zookeeper");

  /**
   * A program to launch and talk to over its standard input and output, instead of a server to connect to: a
   * language server or a tool server (a Courier one serves with {@code RpcServer.serveStdio()}). It is started
   * with the first call, its standard error goes to this process's, and it is a full peer: the methods this
   * client registers serve its calls. Messages are framed by {@link #framing} (newline-delimited unless set;
   * language servers want {@code CONTENT_LENGTH}). When it exits, pending calls fail and later calls fail at
   * once: it is not started again. Closing the client closes its input and, if it has not exited two seconds
   * later, destroys it. Replaces any {@link #target}.
   *
   * <pre>{@code
   * RpcClient.builder().command("java", "-jar", "tools.jar").framing(Framing.CONTENT_LENGTH).build();
   * }</pre>
   */
  @Experimental
  public RpcClientBuilder command(String... command) {
    requireNonNull(command, "command");
    Target launched = Target.process(List.of(command));
    clearTarget();
    this.program = launched;
    this.describe = launched.toString();
    return this;
  }

  /**
   * How to check the server's certificate, and the client's own certificate for mutual TLS, on
   * {@code tls://}, {@code https://} and {@code wss://} targets. Default: {@link ClientTls#system()}, the JDK's
   * trusted authorities with hostname verification.
   */
  public RpcClientBuilder tls(ClientTls tls) {
    this.tls = requireNonNull(tls, "tls");
    return this;
  }

  /**
   * A bearer token to authenticate with: sent as an {@code Authorization: Bearer} header on HTTP, and as a
   * {@code $/authenticate} notification opening each raw TCP or WebSocket connection. {@link #build()} refuses
   * to send it over a connection without TLS unless {@link #allowPlaintextToken(boolean)} says so. It is never
   * logged. Default: none.
   */
  public RpcClientBuilder bearerToken(String token) {
    requireNonNull(token, "token");
    if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("bearerToken: expected visible ASCII characters only");
    }
    this.bearerToken = token;
    return this;
  }

  /**
   * Whether a {@link #bearerToken} may be sent without TLS, where anyone on the path can read and replay it.
   * Default: false. Turn it on only on loopback or a network you trust.
   */
  public RpcClientBuilder allowPlaintextToken(boolean allow) {
    this.allowPlaintextToken = allow;
    return this;
  }

  /**
   * Most connections an {@code http://} or {@code https://} client opens. HTTP/1.1 answers a connection's
   * requests in order, so a slow call would hold up the calls behind it: each call takes an idle connection, a
   * new one is opened while there are fewer than this, and past it calls are pipelined on the least busy one.
   * Default: 16. Raw TCP and WebSocket clients use one connection for any number of calls.
   */
  public RpcClientBuilder maxHttpConnections(int connections) {
    this.maxHttpConnections = positive(connections, "maxHttpConnections");
    return this;
  }

  /**
   * Serves {@code impl} to the server, as the service {@code type} describes, exactly as
   * {@link io.courier.server.RpcServerBuilder#service(Class, Object)} does: the server calls it on this client's
   * connection (raw TCP or WebSocket; HTTP/1.1 carries only the client's calls). Its methods see the server as
   * {@link io.courier.RpcContext#peer()}. Without any service, the server's calls get "method not found".
   *
   * @throws IllegalArgumentException when {@code type} is not an interface, or a method cannot be served
   */
  @Experimental
  public <T> RpcClientBuilder service(Class<T> type, T impl) {
    registrations.service(type, impl);
    return this;
  }

  /** Serves every public instance method of {@code impl}'s class; see {@link #service(Class, Object)}. */
  @Experimental
  public RpcClientBuilder service(Object impl) {
    registrations.service(impl);
    return this;
  }

  /** Serves a single function to the server under {@code name}, taking any positional and keyword arguments. */
  @Experimental
  public RpcClientBuilder method(String name, RpcHandler handler) {
    registrations.function(name, handler);
    return this;
  }

  /**
   * An executor of your own to run the methods this client serves, instead of the default: a bounded pool of
   * twice the cores (at least 4, at most 200) daemon threads with a queue of 1,000 calls, made only when a
   * service or function is registered and stopped by {@link RpcClient#close()}. The client does not shut down
   * an executor you give it.
   */
  @Experimental
  public RpcClientBuilder executor(ExecutorService executor) {
    this.executor = requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Receives the notifications the server sends on the client's connection (raw TCP and WebSocket), on the
   * callback executor. Default: none (they are logged at debug level and dropped).
   */
  public RpcClientBuilder notificationListener(NotificationListener listener) {
    this.notificationListener = requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Adds interceptors that run around every call this client (and every client derived from it) makes, in the
   * order added: the first added is the outermost. See {@link ClientInterceptor}.
   */
  @Experimental
  public RpcClientBuilder intercept(ClientInterceptor... interceptors) {
    for (ClientInterceptor interceptor : requireNonNull(interceptors, "interceptors")) {
      this.interceptors.add(requireNonNull(interceptor, "interceptor"));
    }
    return this;
  }

  /**
   * Adds listeners told of the client's connections, of every call it makes (with its duration, sizes and
   * outcome), and of the calls it serves for its server (see {@link RpcEventListener}): what metrics are made of
   * (see {@code courier-micrometer}). Called in the order added. Default: none.
   */
  @Experimental
  public RpcClientBuilder eventListener(RpcEventListener... listeners) {
    for (RpcEventListener listener : requireNonNull(listeners, "listeners")) {
      this.eventListeners.add(requireNonNull(listener, "listener"));
    }
    return this;
  }

  /** The dialect to speak. Default: {@link Dialect#JSON_RPC}. */
  public RpcClientBuilder dialect(Dialect dialect) {
    this.dialect = requireNonNull(dialect, "dialect");
    return this;
  }

  /**
   * How messages are framed on a {@code tcp://} or {@code tls://} connection: {@link Framing#CONTENT_LENGTH} for
   * peers that speak only the Language Server Protocol's {@code Content-Length} headers (lsp4j, vscode-jsonrpc,
   * language servers). It chooses what the client sends; it reads either framing, whichever the peer sends.
   * HTTP and WebSocket delimit messages themselves, so {@link #build()} refuses it for those targets, and for the
   * seed dialect, whose one-value-per-connection exchange has no framing. Default: {@link Framing#NEWLINE}.
   */
  @Experimental
  public RpcClientBuilder framing(Framing framing) {
    this.framing = requireNonNull(framing, "framing");
    return this;
  }

  /**
   * How long a call may take, from the moment it is made until its reply arrives, connecting included. A call
   * that runs out of time fails with {@link io.courier.CallTimeoutException} and the server is told to stop
   * working on it. Default: 30 seconds. {@link RpcClient#withCallTimeout} overrides it for some calls.
   */
  public RpcClientBuilder callTimeout(Duration timeout) {
    this.callTimeout = positive(timeout, "callTimeout");
    return this;
  }

  /** How long opening a connection may take. Default: 10 seconds. */
  public RpcClientBuilder connectTimeout(Duration timeout) {
    positive(timeout, "connectTimeout");
    if (timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeout: " + timeout + " (expected: <= 24 days)");
    }
    this.connectTimeout = timeout;
    return this;
  }

  /**
   * The Jackson mapper for params and results. Default: {@link CourierJson#newMapper(int)}; a mapper of your
   * own should start from that one.
   */
  public RpcClientBuilder objectMapper(ObjectMapper mapper) {
    this.mapper = requireNonNull(mapper, "mapper");
    return this;
  }

  /** Largest reply accepted, in bytes. Default: 4 MiB; past it the connection is closed. */
  public RpcClientBuilder maxMessageBytes(int bytes) {
    this.maxMessageBytes = positive(bytes, "maxMessageBytes");
    return this;
  }

  /**
   * Largest request the client writes, in bytes (a batch counts as one). A call whose request grows past it
   * while it is being written fails with "limit exceeded" (-32004) and nothing is sent. Default: the
   * {@link #maxMessageBytes} limit, which is also what a Courier server accepts by default.
   */
  public RpcClientBuilder maxOutboundMessageBytes(int bytes) {
    this.maxOutboundMessageBytes = positive(bytes, "maxOutboundMessageBytes");
    return this;
  }

  /**
   * Largest scale, either sign, of a decimal number read from a reply ({@code 1e-5} has scale 5, {@code 1e5}
   * scale -5); a reply holding a larger one fails its call with a parse error (-32700), since arithmetic on
   * such a number costs as many digits as its scale. Default: 9,999
   * ({@link CourierJson#DEFAULT_MAX_NUMBER_SCALE}).
   */
  public RpcClientBuilder maxNumberScale(int scale) {
    this.maxNumberScale = notNegative(scale, "maxNumberScale");
    return this;
  }

  /** Number of Netty I/O threads. Default: 1, which one connection needs. */
  public RpcClientBuilder ioThreads(int threads) {
    this.ioThreads = positive(threads, "ioThreads");
    return this;
  }

  /**
   * The executor that completes the futures of asynchronous calls, so that callbacks never run on an I/O
   * thread. Default: {@link ForkJoinPool#commonPool()}. Blocking calls are completed directly.
   */
  public RpcClientBuilder callbackExecutor(Executor executor) {
    this.callbackExecutor = requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Most calls that may wait for a reply at once. A call past it fails at once with "limit exceeded" (-32004)
   * and is not sent. Default: 4096.
   */
  public RpcClientBuilder maxPendingCalls(int calls) {
    this.maxPendingCalls = positive(calls, "maxPendingCalls");
    return this;
  }

  /**
   * Most attempts of one call, the first included; 1 turns retries off. Only calls the server reported
   * unprocessed, calls never written while another server can take them, and calls of
   * {@link io.courier.Idempotent} methods whose connection was lost, are retried (on another server when the
   * client has several), within the call's deadline and a retry budget of 20 % of calls plus 10 per second.
   * Default: 5.
   */
  public RpcClientBuilder maxAttempts(int attempts) {
    if (attempts < 1 || attempts > 5) {
      throw new IllegalArgumentException("maxAttempts: " + attempts + " (expected: 1-5)");
    }
    this.maxAttempts = attempts;
    return this;
  }

  /**
   * Whether a request carries the time it has left, as the member {@code "timeout_ms"}, so that a Courier
   * server can stop work nobody waits for and give nested calls no more time. Other JSON-RPC servers ignore
   * members they do not know. Default: on.
   */
  public RpcClientBuilder propagateDeadline(boolean on) {
    this.propagateDeadline = on;
    return this;
  }

  /**
   * How long to wait before connecting again after an attempt failed; meanwhile calls fail at once with a
   * connection error, or, when the client has other servers, go to them while this one is retried in the
   * background. Default: {@link Backoff#DEFAULT}, gRPC's 1 s, × 1.6, ± 20 %, at most 120 s.
   */
  public RpcClientBuilder reconnectBackoff(Backoff backoff) {
    this.reconnectBackoff = requireNonNull(backoff, "backoff");
    return this;
  }

  /**
   * Pings the server with {@code $/ping} after {@code interval} without any message from it, and closes the
   * connection when nothing arrives within {@code timeout}; its pending calls then fail with a connection
   * error at once instead of at their deadlines. It finds a server that vanished without closing the
   * connection. Default: off. The interval must be at least 1 second in production use (servers may treat
   * faster pings as abuse); tests may use less.
   */
  public RpcClientBuilder keepAlive(Duration interval, Duration timeout) {
    this.keepAliveInterval = positive(interval, "interval");
    this.keepAliveTimeout = positive(timeout, "timeout");
    return this;
  }

  ObjectMapper mapper() {
    return mapper != null ? mapper : CourierJson.newMapper(maxMessageBytes);
  }

  /**
   * Builds the client. It connects lazily, on the first call.
   *
   * @throws IllegalStateException when no target was set, a bearer token would travel without TLS, or an option
   *     does not apply to the target or dialect (the seed dialect off {@code tcp://}, a framing off raw TCP)
   */
  public RpcClient build() {
    if (listed == null && discovered == null && group == null && program == null) {
      throw new IllegalStateException("target is required (e.g. target(\"tcp://127.0.0.1:7070\")), or a command");
    }
    // One scheme for every listed server: the first speaks for all. A discovered server's is checked when it comes.
    Target first = program != null ? program : listed != null ? Target.parse(listed.get(0).target()) : null;
    if (first != null) {
      // A launched program's pipes never leave the machine: a token over them is as safe as inside TLS.
      if (bearerToken != null && !first.secure() && first.transport() != Target.Transport.STDIO
          && !allowPlaintextToken) {
        throw new IllegalStateException("Refusing to send a bearer token over " + first.scheme() + "://, which "
            + "has no TLS: use tls://, https:// or wss://, or allowPlaintextToken(true) on a trusted network");
      }
      if (dialect == Dialect.SEED && first.transport() != Target.Transport.TCP) {
        throw new IllegalStateException("The seed dialect runs over tcp:// only, not " + first.scheme() + "://");
      }
      if (framing != null && first.transport() != Target.Transport.TCP
          && first.transport() != Target.Transport.STDIO) {
        throw new IllegalStateException("framing(" + framing + ") applies to tcp:// and tls:// targets and to a "
            + "command only, not " + first.scheme() + "://, which delimits messages itself");
      }
    }
    if (framing != null && dialect == Dialect.SEED) {
      throw new IllegalStateException("framing(" + framing + ") does not apply to the seed dialect, which sends "
          + "one bare JSON value per connection");
    }
    ObjectMapper built = mapper();
    EndpointGroup servers = program != null ? null : listed != null ? EndpointGroup.of(listed) : discover();
    return new RpcClient(new ClientCore(this, built, servers, fallback), built, callTimeout, true, null);
  }

  /**
   * Makes the discovered group and waits, at most the connect timeout, for its first list.
   *
   * @throws IllegalStateException when there is none by then and no fallback
   */
  private EndpointGroup discover() {
    EndpointGroup servers = group != null ? group : provider.create(discovered, connectTimeout);
    try {
      servers.whenReady().get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return servers;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      String why = e instanceof TimeoutException ? "no answer within " + connectTimeout.toMillis() + " ms"
          : cause.getMessage();
      if (!fallback.isEmpty()) {
        log.warn("Cannot find the servers of {} ({}); calling {} until it can", describe, why, fallback);
        return servers;
      }
      servers.close();
      throw new IllegalStateException("Cannot find the servers of " + describe + ": " + why
          + " (give fallback(...) servers to start without the registry)", cause);
    } catch (InterruptedException e) {
      servers.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while finding the servers of " + describe, e);
    }
  }

  /** The target as given, for messages. */
  String describeTarget() {
    return describe;
  }

  /** The one server given, for {@link RpcClient#endpoint()}; null for a list, a service or a program. */
  Endpoint singleEndpoint() {
    return listed != null && listed.size() == 1 ? Target.parse(listed.get(0).target()).endpoint() : null;
  }

  /** Whether the servers were listed, not discovered. */
  boolean isStaticTarget() {
    return listed != null;
  }
}
