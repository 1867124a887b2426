package io.courier.bench;

import io.courier.bench.GrpcCodecs.Codec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The servers the bench measures, each run in a JVM of its own from its class's {@code main}, and the client
 * each is called with. Ratios in the report are relative to {@link #GRPC_JSON}.
 *
 * <p>The Courier targets other than {@link #COURIER_IO} all run the same server with Courier's defaults, which
 * serves raw TCP, HTTP/1.1 and WebSocket on one port (inside TLS for the {@link #tls()} ones), and differ only
 * in the client's target URI: {@code tcp://}, {@code tls://}, {@code http://…/rpc}, {@code https://…/rpc},
 * {@code ws://…/ws} or {@code wss://…/ws}.
 */
enum Target {
  COURIER("courier", "Courier", CourierTarget.class),
  /**
   * Courier with the settings a user picks for methods that never block: {@code @NonBlocking} on the server
   * (methods run on the I/O thread) and a direct callback executor on the client.
   */
  COURIER_IO("courier-io", "Courier, I/O thread", CourierTarget.class, "--io-thread"),
  COURIER_TLS("courier-tls", "Courier, TCP + TLS", CourierTarget.class),
  COURIER_HTTP("courier-http", "Courier, HTTP/1.1", CourierTarget.class),
  COURIER_HTTPS("courier-https", "Courier, HTTP/1.1 + TLS", CourierTarget.class),
  COURIER_WS("courier-ws", "Courier, WebSocket", CourierTarget.class),
  COURIER_WSS("courier-wss", "Courier, WebSocket + TLS", CourierTarget.class),
  /**
   * {@link #COURIER} turned around: the client serves {@code add} and {@code echo} and the server calls it, the
   * server running the load loop ({@link CourierTarget.Served}). Both ends keep Courier's defaults: methods on
   * the client's worker pool, futures completed on the server's callback executor.
   */
  COURIER_PEER("courier-peer", "Courier, server to client", CourierTarget.class),
  /**
   * {@link #COURIER}'s server run {@value #LIST_SERVERS} times, called by one client whose target lists them all,
   * {@code tcp://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}, balancing its calls over them with its defaults (round
   * robin). Measured by {@code --cluster} against {@link #COURIER}, the same server as a direct target.
   */
  COURIER_LIST("courier-list", "Courier, list of 3 servers", CourierTarget.class),
  /**
   * {@link #COURIER}'s server run {@value #LIST_SERVERS} times, each registered in a ZooKeeper the launcher runs,
   * and called by one client whose target is {@code zk://127.0.0.1:z/bench}: {@link #COURIER_LIST} with the
   * servers found through the registry.
   */
  COURIER_ZK("courier-zk", "Courier, zk:// of 3 servers", CourierTarget.class),
  /**
   * {@link #COURIER}'s server once, called through a list of three names of it,
   * {@code tcp://127.0.0.1:p,localhost:p,LOCALHOST:p}: the client balances over three connections as for
   * {@link #COURIER_LIST}, but one server process does the work. Beside the two, it tells what the client's
   * balancing and the split over connections cost from what three server processes on the same cores cost.
   */
  COURIER_LIST_ONE("courier-list-one", "Courier, list of 3 names of 1 server", CourierTarget.class),
  /**
   * {@link #COURIER_LIST_ONE} with every call routed by one key under consistent hashing: the client chooses a
   * server per call through the whole balancer, and always gets the same one, so that all calls share one
   * connection as with {@link #COURIER}. Beside {@link #COURIER}, it is what choosing a server per call costs.
   */
  COURIER_LIST_KEYED("courier-list-keyed", "Courier, list of 3 names of 1 server, one routing key",
      CourierTarget.class),
  /**
   * {@link #COURIER} with metrics and tracing on at both ends, as a user turns them on: {@code courier-micrometer}'s
   * listener on a Prometheus registry and {@code courier-opentelemetry}'s interceptors on an OpenTelemetry SDK that
   * samples every call and exports its spans to nowhere ({@link Observed}). Measured by {@code --observability}
   * against {@link #COURIER}, the same server and client with both off.
   */
  COURIER_OBSERVED("courier-observed", "Courier, metrics and tracing on", CourierTarget.class, "--observe"),
  /**
   * {@link #COURIER_OBSERVED} with one call in {@value #SAMPLED_ONE_IN} traced, as services busy enough for this
   * to matter are run: the client samples by trace id, and the server follows the caller's decision.
   */
  COURIER_OBSERVED_SAMPLED("courier-observed-sampled", "Courier, metrics on, 1 in 10 calls traced",
      CourierTarget.class, "--observe"),
  /**
   * {@link #COURIER}'s service in a Spring Boot application, served through {@code courier-spring-boot-starter}
   * with its defaults ({@link SpringTarget}), called by {@link #COURIER}'s client. Measured by {@code --spring}
   * against {@link #COURIER}, the same service on a bare {@code RpcServer}.
   */
  COURIER_SPRING("courier-spring", "Courier, Spring Boot starter", SpringTarget.class),
  /**
   * {@link #COURIER}'s server from another build of the bench ({@code --baseline-jar}), called by this build's
   * client: the code before a change, measured in the same run as the code after it.
   */
  COURIER_BASELINE("courier-baseline", "Courier, baseline", CourierTarget.class),
  /** {@link #COURIER_IO}'s server from the baseline build. */
  COURIER_IO_BASELINE("courier-io-baseline", "Courier, I/O thread, baseline", CourierTarget.class, "--io-thread"),
  GRPC_JSON("grpc-json", "gRPC + JSON", GrpcTarget.class, "--codec", "json"),
  GRPC_BINARY("grpc-binary", "gRPC + binary", GrpcTarget.class, "--codec", "binary"),
  /**
   * gRPC + JSON with gRPC's default executors (methods and callbacks on its cached thread pool): the
   * counterpart of {@link #COURIER}'s defaults, where {@link #GRPC_JSON} is that of {@link #COURIER_IO}.
   */
  GRPC_JSON_POOL("grpc-json-pool", "gRPC + JSON, thread pool", GrpcTarget.class, "--codec", "json", "--executor",
      "default"),
  JSONRPC4J("jsonrpc4j", "jsonrpc4j", Jsonrpc4jTarget.class),
  NETTY_ECHO("netty-echo", "Netty echo", NettyEchoTarget.class);

  /** How many servers {@link #COURIER_LIST} runs and lists. */
  static final int LIST_SERVERS = 3;

  /** The target every row is compared with. */
  static final Target REFERENCE = GRPC_JSON;

  /** What {@code --quick} and {@code --scale} measure when no {@code --targets} is given. */
  static final List<Target> DEFAULTS = List.of(COURIER, COURIER_IO, GRPC_JSON, GRPC_BINARY, JSONRPC4J, NETTY_ECHO);
  /** {@code --full}: the defaults and gRPC + JSON with its thread pool, the counterpart of Courier's defaults. */
  static final List<Target> FULL = List.of(COURIER, COURIER_IO, GRPC_JSON, GRPC_JSON_POOL, GRPC_BINARY, JSONRPC4J,
      NETTY_ECHO);
  /**
   * {@code --smoke}: the full run's targets, one HTTP and one WebSocket target, the latter inside TLS, and the
   * server-to-client one.
   */
  static final List<Target> SMOKE = List.of(COURIER, COURIER_IO, COURIER_HTTP, COURIER_WSS, COURIER_PEER, GRPC_JSON,
      GRPC_JSON_POOL, GRPC_BINARY, JSONRPC4J, NETTY_ECHO);
  /** {@code --transports}: Courier over each transport, in the clear and inside TLS, and the reference. */
  static final List<Target> TRANSPORTS = List.of(COURIER, COURIER_TLS, COURIER_HTTP, COURIER_HTTPS, COURIER_WS,
      COURIER_WSS, GRPC_JSON);
  /**
   * {@code --peers}: Courier both ways round and its streams, beside gRPC's server streaming (both codecs, its
   * fastest setting).
   */
  static final List<Target> PEERS = List.of(COURIER, COURIER_PEER, COURIER_IO, GRPC_JSON, GRPC_BINARY);
  /**
   * {@code --cluster}: one direct target, the same server behind a list of three of its names (all calls to one
   * of them by a routing key, or balanced), and three servers behind a static list and found through ZooKeeper.
   */
  static final List<Target> CLUSTER = List.of(COURIER, COURIER_LIST_KEYED, COURIER_LIST_ONE, COURIER_LIST,
      COURIER_ZK);
  /** {@code --observability}: Courier with metrics and tracing off and on. */
  static final List<Target> OBSERVABILITY = List.of(COURIER, COURIER_OBSERVED, COURIER_OBSERVED_SAMPLED);
  /** {@code --spring}: the same service on a bare server and through the Spring Boot starter. */
  static final List<Target> SPRING = List.of(COURIER, COURIER_SPRING);
  /** The share of calls {@link #COURIER_OBSERVED_SAMPLED} traces: one in this many. */
  static final int SAMPLED_ONE_IN = 10;

  private final String id;
  private final String label;
  private final Class<?> serverMain;
  private final List<String> serverArgs;

  Target(String id, String label, Class<?> serverMain, String... serverArgs) {
    this.id = id;
    this.label = label;
    this.serverMain = serverMain;
    this.serverArgs = List.of(serverArgs);
  }

  /** The name on command lines and in the CSV. */
  String id() {
    return id;
  }

  /** The name in tables. */
  String label() {
    return label;
  }

  Class<?> serverMain() {
    return serverMain;
  }

  List<String> serverArgs() {
    return serverArgs;
  }

  /**
   * How many server processes it runs, each on a port of its own; its client is given all their ports. One for
   * every target but {@link #COURIER_LIST}.
   */
  int servers() {
    return this == COURIER_LIST || this == COURIER_ZK ? LIST_SERVERS : 1;
  }

  /** Whether its servers register in a ZooKeeper, where its client finds them. */
  boolean registered() {
    return this == COURIER_ZK;
  }

  /** Whether its client balances over several servers, so that one of them can be killed under load. */
  boolean cluster() {
    return servers() > 1;
  }

  /** Whether its server runs from the baseline build's jar rather than this one's. */
  boolean baseline() {
    return this == COURIER_BASELINE || this == COURIER_IO_BASELINE;
  }

  /** Whether its server and client need the run's certificates ({@link BenchPki}), passed as {@code --tls DIR}. */
  boolean tls() {
    return this == COURIER_TLS || this == COURIER_HTTPS || this == COURIER_WSS;
  }

  /**
   * Whether it has the scale and idle rows. Those are driven by a raw TCP client ({@link LineClient}), so the
   * Courier targets over the other transports, and over TLS, have none, nor have the server-to-client one and
   * the list of servers.
   */
  boolean hasScaleRows() {
    return this != COURIER_PEER && this != COURIER_LIST_ONE && this != COURIER_LIST_KEYED && this != COURIER_OBSERVED
        && this != COURIER_OBSERVED_SAMPLED && this != COURIER_SPRING && !cluster()
        && (courierScheme() == null || courierScheme().equals("tcp"));
  }

  /**
   * Whether it measures {@code workload}: the stream workload has a publisher only on this build's Courier
   * server (with its client's defaults or on the I/O thread) and a streaming method on gRPC's direct-executor
   * servers; the server-to-client target only makes calls.
   */
  boolean supports(Workload workload) {
    if (!workload.isStream()) {
      return true;
    }
    return this == COURIER || this == COURIER_IO || this == GRPC_JSON || this == GRPC_BINARY;
  }

  /** The scheme of the Courier client's target URI, or null for the other targets. */
  String courierScheme() {
    return switch (this) {
      case COURIER, COURIER_IO, COURIER_PEER, COURIER_LIST, COURIER_ZK, COURIER_LIST_ONE, COURIER_LIST_KEYED,
          COURIER_OBSERVED, COURIER_OBSERVED_SAMPLED, COURIER_SPRING, COURIER_BASELINE, COURIER_IO_BASELINE -> "tcp";
      case COURIER_TLS -> "tls";
      case COURIER_HTTP -> "http";
      case COURIER_HTTPS -> "https";
      case COURIER_WS -> "ws";
      case COURIER_WSS -> "wss";
      default -> null;
    };
  }

  /** The protocol on the wire, as the transports table names it. */
  String transport() {
    return switch (this) {
      case COURIER_HTTP, COURIER_HTTPS -> "HTTP/1.1";
      case COURIER_WS, COURIER_WSS -> "WebSocket";
      case GRPC_JSON, GRPC_BINARY, GRPC_JSON_POOL -> "HTTP/2";
      default -> "TCP";
    };
  }

  static Target byId(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("target: " + id + " (expected one of "
            + Arrays.stream(values()).map(Target::id).toList() + ")"));
  }

  /**
   * Opens this target's client for one cell.
   *
   * @param ports its servers' ports, {@link #servers()} of them
   * @param tlsDir the run's certificates ({@link BenchPki}) for a {@link #tls()} target, else null
   */
  Driver client(String host, List<Integer> ports, Path tlsDir, Cell cell) throws Exception {
    return client(host, ports, tlsDir, cell, null);
  }

  /**
   * Opens this target's client for one cell, finding the servers of a {@link #registered()} target in the
   * ZooKeeper at {@code registry} ({@code host:port}).
   */
  Driver client(String host, List<Integer> ports, Path tlsDir, Cell cell, String registry) throws Exception {
    if (ports.size() != servers()) {
      throw new IllegalArgumentException("ports: " + ports + " (expected: " + servers() + " for " + id + ")");
    }
    int port = ports.get(0);
    return switch (this) {
      case COURIER, COURIER_TLS, COURIER_HTTP, COURIER_HTTPS, COURIER_WS, COURIER_WSS, COURIER_BASELINE,
          COURIER_SPRING ->
          CourierTarget.client(courierScheme(), host, port, tlsDir, cell, false);
      case COURIER_IO, COURIER_IO_BASELINE -> CourierTarget.client("tcp", host, port, null, cell, true);
      case COURIER_PEER -> new CourierTarget.Served(CourierTarget.uri("tcp", host, port));
      case COURIER_LIST -> new CourierTarget.Client(CourierTarget.uri("tcp", host, ports), null, false);
      case COURIER_ZK -> new CourierTarget.Client(CourierTarget.zkUri(registry), null, false);
      case COURIER_LIST_ONE -> new CourierTarget.Client(CourierTarget.uriOfNames(port), null, false);
      case COURIER_LIST_KEYED -> new CourierTarget.Client(CourierTarget.uriOfNames(port), null, false, "bench");
      case COURIER_OBSERVED -> new CourierTarget.Client(CourierTarget.uri("tcp", host, port), null, false, null, 1);
      case COURIER_OBSERVED_SAMPLED -> new CourierTarget.Client(CourierTarget.uri("tcp", host, port), null, false,
          null, 1.0 / SAMPLED_ONE_IN);
      case GRPC_JSON -> GrpcTarget.client(host, port, Codec.JSON, true, cell);
      case GRPC_BINARY -> GrpcTarget.client(host, port, Codec.BINARY, true, cell);
      case GRPC_JSON_POOL -> GrpcTarget.client(host, port, Codec.JSON, false, cell);
      case JSONRPC4J -> Jsonrpc4jTarget.client(host, port, cell);
      case NETTY_ECHO -> NettyEchoTarget.client(host, port, cell);
    };
  }

  /**
   * Opens {@code count} connections, makes one call on each so that each is fully set up, and returns them,
   * idle, to be closed when the server has been probed.
   */
  AutoCloseable holdIdle(String host, int port, int count) throws Exception {
    return switch (this) {
      case COURIER, COURIER_IO, COURIER_BASELINE, COURIER_IO_BASELINE -> CourierTarget.holdIdle(host, port, count);
      case COURIER_TLS, COURIER_HTTP, COURIER_HTTPS, COURIER_WS, COURIER_WSS, COURIER_PEER, COURIER_LIST,
          COURIER_ZK, COURIER_LIST_ONE, COURIER_LIST_KEYED, COURIER_OBSERVED, COURIER_OBSERVED_SAMPLED,
          COURIER_SPRING -> throw new UnsupportedOperationException(id + " has no idle row");
      case GRPC_JSON, GRPC_JSON_POOL -> GrpcTarget.holdIdle(host, port, Codec.JSON, count);
      case GRPC_BINARY -> GrpcTarget.holdIdle(host, port, Codec.BINARY, count);
      case JSONRPC4J -> Jsonrpc4jTarget.holdIdle(host, port, count);
      case NETTY_ECHO -> NettyEchoTarget.holdIdle(host, port, count);
    };
  }
}
