package io.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.Arguments;
import io.courier.NonBlocking;
import io.courier.Peer;
import io.courier.RpcContext;
import io.courier.client.ClientTls;
import io.courier.client.LoadBalancing;
import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.server.ServerTls;
import io.courier.zookeeper.ZooKeeperRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Courier: the server serves {@link BenchService} with Courier's defaults (raw TCP with newline framing,
 * HTTP/1.1 and WebSocket on one port; all inside TLS with {@code --tls DIR}); the client is one
 * {@link RpcClient} (one connection, many calls in flight; over HTTP one call per request, pipelined on one
 * keep-alive connection) calling through a proxy whose methods return {@code CompletableFuture}, with the
 * transport picked by its target URI's scheme.
 *
 * <p>The scale and idle rows need hundreds or thousands of connections, and a {@code RpcClient} owns an I/O
 * thread and a timer thread, so there the server is driven by {@link LineClient}, a lean newline client of our
 * own, sending the requests a Courier client sends. {@code main} is the server:
 * {@code java -cp courier-bench.jar io.courier.bench.CourierTarget --port P}.
 *
 * <p>The same server publishes {@link BenchStreams#ticks()} for the stream workload, and serves {@value #DRIVE},
 * with which the server-to-client target ({@link Target#COURIER_PEER}) turns the loop around: its client serves
 * {@link BenchService} (with Courier's defaults, on the client's worker pool) and calls {@value #DRIVE}, and
 * the server runs the {@link LoadLoop} against that client through {@link RpcContext#peer()}, its futures
 * completed on the server's default callback executor, then returns the windows' samples.
 */
public final class CourierTarget {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
  /** The method that runs the load loop on the server, against the client that calls it. */
  static final String DRIVE = "drive";
  /** How much longer than its windows a {@value #DRIVE} call may take. */
  private static final Duration DRIVE_SLACK = Duration.ofSeconds(60);

  private CourierTarget() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    boolean ioThread = rest.remove("--io-thread");
    boolean observe = rest.remove("--observe");
    String tls = TargetServer.takeOption(rest, "--tls", null);
    Path tlsDir = tls == null ? null : Path.of(tls);
    String zk = TargetServer.takeOption(rest, "--zk", null);
    TargetServer.serve(rest.toArray(String[]::new),
        (host, port) -> startServer(host, port, ioThread, tlsDir, zk, observe));
  }

  /** The bench service marked as never blocking, so that Courier runs it on the I/O thread. */
  @NonBlocking
  static final class NonBlockingImpl implements BenchService {
    private final BenchService impl = new BenchService.Impl();

    @Override
    public int add(int a, int b) {
      return impl.add(a, b);
    }

    @Override
    public String echo(String s) {
      return impl.echo(s);
    }
  }

  /** What the Courier server publishes: the stream workload's endless stream of ints. */
  public interface BenchStreams {
    Flow.Publisher<Integer> ticks();
  }

  /** The stream, with Courier's defaults: the method that returns it runs on the worker pool. */
  static final class Streams implements BenchStreams {
    @Override
    public Flow.Publisher<Integer> ticks() {
      return new Ticks();
    }
  }

  /** The stream marked as never blocking: the method that returns it runs on the I/O thread. */
  @NonBlocking
  static final class NonBlockingStreams implements BenchStreams {
    @Override
    public Flow.Publisher<Integer> ticks() {
      return new Ticks();
    }
  }

  /** @param tlsDir the run's certificates ({@link BenchPki}) to serve everything inside TLS, or null */
  static TargetServer.Running startServer(String host, int port, boolean ioThread, Path tlsDir) {
    return startServer(host, port, ioThread, tlsDir, null, false);
  }

  /**
   * @param zk the ZooKeeper ({@code host:port}) to register in as {@value #ZK_SERVICE}, or null
   * @param observe with metrics and tracing on ({@link Observed})
   */
  static TargetServer.Running startServer(String host, int port, boolean ioThread, Path tlsDir, String zk,
      boolean observe) {
    RpcServerBuilder builder = RpcServer.builder()
        .host(host)
        .port(port)
        .service(BenchService.class, ioThread ? new NonBlockingImpl() : new BenchService.Impl())
        .service(BenchStreams.class, ioThread ? new NonBlockingStreams() : new Streams())
        .method(DRIVE, args -> drive(RpcContext.current().peer(), args))
        // Every load and idle connection comes from 127.0.0.1: the scale rows open more than the default allows.
        .maxConnectionsPerAddress(Integer.MAX_VALUE);
    if (tlsDir != null) {
      builder.tls(ServerTls.builder(BenchPki.serverCertPem(tlsDir), BenchPki.serverKeyPem(tlsDir)).build());
    }
    if (zk != null) {
      builder.listener(ZooKeeperRegistry.builder().connectString(zk).serviceName(ZK_SERVICE).build());
    }
    if (observe) {
      Observed.server(builder);
    }
    RpcServer server = builder.build().start();
    return new TargetServer.Running(server.port(), () -> server.stop(Duration.ofSeconds(1)));
  }

  /**
   * Runs the load loop against the peer that called: {@code drive(targetId, cell, warmupMs, windowMs, reps)}
   * returns the windows' {@link Sample} lines. It blocks a worker for the whole run, as the load client's main
   * thread waits in its own process.
   */
  private static List<String> drive(Peer peer, Arguments args) throws InterruptedException {
    String target = args.arg(0, String.class);
    Cell cell = Cell.parse(args.arg(1, String.class));
    Duration warmup = Duration.ofMillis(args.arg(2, Long.class));
    Duration window = Duration.ofMillis(args.arg(3, Long.class));
    int repetitions = args.arg(4, Integer.class);
    AsyncBench bench = peer.create(AsyncBench.class);
    Driver calls = new Driver() {
      @Override
      public void call(Workload workload, int slot, Completion done) {
        CourierTarget.call(bench, workload, done);
      }

      @Override
      public void close() {}
    };
    return LoadLoop.run(target, calls, cell, warmup, window, repetitions).stream().map(Sample::toLine).toList();
  }

  /**
   * The client for one cell: a {@link RpcClient} for one connection, {@link LineClient} for more (raw TCP in the
   * clear only).
   *
   * @param scheme the target URI's: {@code tcp}, {@code tls}, {@code http}, {@code https}, {@code ws} or
   *     {@code wss}
   * @param tlsDir the run's certificates ({@link BenchPki}) for the secure schemes, else null
   */
  static Driver client(String scheme, String host, int port, Path tlsDir, Cell cell, boolean ioThread)
      throws Exception {
    if (cell.connections() == 1) {
      return new Client(uri(scheme, host, port), tlsDir == null ? null : BenchPki.caPem(tlsDir), ioThread);
    }
    if (!scheme.equals("tcp")) {
      throw new UnsupportedOperationException("the scale rows are measured over tcp:// only, not " + scheme);
    }
    return new ManyConnections(LineClient.connect(host, port, cell.connections()));
  }

  /** The client's target URI for a scheme, with Courier's default paths for HTTP and WebSocket. */
  static String uri(String scheme, String host, int port) {
    String path = switch (scheme) {
      case "http", "https" -> "/rpc";
      case "ws", "wss" -> "/ws";
      default -> "";
    };
    return scheme + "://" + host + ":" + port + path;
  }

  /**
   * The target URI of a client of several servers on one host: {@code tcp://127.0.0.1:p1,127.0.0.1:p2}, one
   * scheme and path for all.
   */
  static String uri(String scheme, String host, List<Integer> ports) {
    String path = uri(scheme, host, 0).substring((scheme + "://" + host + ":0").length());
    return scheme + "://" + ports.stream().map(p -> host + ":" + p).collect(Collectors.joining(",")) + path;
  }

  /** The name the servers of the {@code zk://} target register as. */
  static final String ZK_SERVICE = "bench";

  /** The target of a client that finds the servers in the ZooKeeper at {@code zk} ({@code host:port}). */
  static String zkUri(String zk) {
    if (zk == null) {
      throw new IllegalArgumentException("a zk:// target needs the registry's address (--registry)");
    }
    return "zk://" + zk + "/" + ZK_SERVICE;
  }

  /**
   * A list of three names of one server on this machine: {@code 127.0.0.1}, {@code localhost} and
   * {@code LOCALHOST} all reach 127.0.0.1, but a client counts them as three servers, each with its connection.
   */
  static String uriOfNames(int port) {
    return "tcp://127.0.0.1:" + port + ",localhost:" + port + ",LOCALHOST:" + port;
  }

  /** Opens {@code count} connections, makes one {@code add} call on each, and returns them, idle. */
  static AutoCloseable holdIdle(String host, int port, int count) throws Exception {
    ManyConnections client = new ManyConnections(LineClient.connect(host, port, count));
    LineClient lines = client.lines;
    Calls.onEachConnection(count, (i, done) -> {
      int a = JsonRpcLines.operand();
      int b = JsonRpcLines.operand();
      long id = client.ids.incrementAndGet();
      lines.send(i, Unpooled.wrappedBuffer(JsonRpcLines.request(Workload.ADD, a, b, id)),
          client.checking(id, Workload.ADD, a, b, done));
    });
    return client;
  }

  /** The asynchronous view of {@link BenchService} that the client's proxy implements. */
  public interface AsyncBench {
    CompletableFuture<Integer> add(int a, int b);

    CompletableFuture<String> echo(String s);
  }

  /** Makes one call of {@code workload} through {@code bench} and checks its result. */
  static void call(AsyncBench bench, Workload workload, Driver.Completion done) {
    if (workload.isAdd()) {
      int a = JsonRpcLines.operand();
      int b = JsonRpcLines.operand();
      bench.add(a, b).whenComplete((sum, failure) ->
          done.complete(failure == null && sum != null && sum == a + b));
    } else {
      String payload = workload.payload();
      bench.echo(payload).whenComplete((s, failure) -> done.complete(failure == null && payload.equals(s)));
    }
  }

  /** One {@link RpcClient}, so one connection with every call of the cell in flight on it. Thread-safe. */
  static final class Client implements Driver {
    private final RpcClient client;
    private final AsyncBench bench;

    /**
     * @param target the target URI, such as {@code tcp://127.0.0.1:7000} or {@code wss://127.0.0.1:7000/ws}
     * @param caPem the CA to trust for a secure target, else null
     * @param direct complete futures on the I/O thread (the callbacks never block), as gRPC's direct executor
     */
    Client(String target, Path caPem, boolean direct) {
      this(target, caPem, direct, null);
    }

    /**
     * @param routingKey when not null, every call is routed by this one key under consistent hashing: the client
     *     picks a server per call as for any list, and always the same one
     */
    Client(String target, Path caPem, boolean direct, String routingKey) {
      this(target, caPem, direct, routingKey, 0);
    }

    /**
     * @param traced with metrics and tracing on ({@link Observed}) when positive: the share of calls traced, 1
     *     for all
     */
    Client(String target, Path caPem, boolean direct, String routingKey, double traced) {
      RpcClientBuilder builder = RpcClient.builder()
          .target(target)
          .callTimeout(CALL_TIMEOUT);
      if (caPem != null) {
        builder.tls(ClientTls.builder().trustedCertificates(caPem).build());
      }
      if (direct) {
        builder.callbackExecutor(Runnable::run);
      }
      if (routingKey != null) {
        builder.loadBalancing(LoadBalancing.consistentHash());
      }
      if (traced > 0) {
        Observed.client(builder, traced);
      }
      this.client = builder.build();
      this.bench = (routingKey == null ? client : client.withRoutingKey(routingKey)).create(AsyncBench.class);
    }

    /** The client itself, for what the load loop does not measure: {@code --cluster}'s kills. */
    RpcClient rpc() {
      return client;
    }

    @Override
    public void call(Workload workload, int slot, Completion done) {
      CourierTarget.call(bench, workload, done);
    }

    /** The stream workload: one subscription to {@code ticks}, read by a {@link StreamMeter}; else calls. */
    @Override
    public List<Sample> measure(String target, Cell cell, Duration warmup, Duration window, int repetitions)
        throws InterruptedException {
      if (!cell.workload().isStream()) {
        return Driver.super.measure(target, cell, warmup, window, repetitions);
      }
      StreamMeter meter = new StreamMeter();
      Metered subscriber = new Metered(meter);
      client.subscribe(cell.workload().method(), Integer.class).subscribe(subscriber);
      try {
        return meter.measure(target, cell, warmup, window, repetitions);
      } finally {
        subscriber.cancel();
      }
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** Feeds a subscription's items to a {@link StreamMeter} and requests as its policy says. */
  private static final class Metered implements Flow.Subscriber<Integer> {
    private final StreamMeter meter;
    private volatile Flow.Subscription subscription;

    Metered(StreamMeter meter) {
      this.meter = meter;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(StreamMeter.INITIAL);
    }

    @Override
    public void onNext(Integer item) {
      if (meter.item(item == null ? -1 : item)) {
        subscription.request(StreamMeter.TOP_UP);
      }
    }

    @Override
    public void onError(Throwable failure) {
      meter.ended();
    }

    @Override
    public void onComplete() {
      meter.ended();
    }

    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  /**
   * The server-to-client target's client: one {@link RpcClient} that serves {@link BenchService} with Courier's
   * defaults (its worker pool) and has the server run each cell's load loop against it ({@value #DRIVE}). It
   * makes no calls of its own. Thread-safe.
   */
  static final class Served implements Driver {
    private final RpcClient client;

    Served(String target) {
      this.client = RpcClient.builder()
          .target(target)
          .callTimeout(CALL_TIMEOUT)
          .service(BenchService.class, new BenchService.Impl())
          .build();
    }

    @Override
    public void call(Workload workload, int slot, Completion done) {
      throw new UnsupportedOperationException("the server makes the calls; see measure");
    }

    @Override
    public List<Sample> measure(String target, Cell cell, Duration warmup, Duration window, int repetitions)
        throws InterruptedException {
      Duration timeout = warmup.plus(window.multipliedBy(repetitions)).plus(DRIVE_SLACK);
      String[] lines;
      try {
        lines = client.withCallTimeout(timeout).call(DRIVE, String[].class, target, cell.spec(),
            warmup.toMillis(), window.toMillis(), repetitions).get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("the server's loop failed: " + e.getCause(), e.getCause());
      }
      return Arrays.stream(lines).map(Sample::parse).toList();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /**
   * JSON-RPC requests, as a Courier client writes them, over many connections of a {@link LineClient}, one call
   * at a time per connection. Thread-safe.
   */
  static final class ManyConnections implements Driver {
    private final LineClient lines;
    private final AtomicLong ids = new AtomicLong();

    ManyConnections(LineClient lines) {
      this.lines = lines;
    }

    @Override
    public void call(Workload workload, int slot, Completion done) {
      int a = workload.isAdd() ? JsonRpcLines.operand() : 0;
      int b = workload.isAdd() ? JsonRpcLines.operand() : 0;
      long id = ids.incrementAndGet();
      ByteBuf request = Unpooled.wrappedBuffer(JsonRpcLines.request(workload, a, b, id));
      lines.send(request, checking(id, workload, a, b, done));
    }

    LineClient.Reply checking(long id, Workload workload, int a, int b, Completion done) {
      return LineClient.Reply.checking(line -> {
        JsonNode reply;
        try {
          reply = JsonRpcLines.MAPPER.readTree(new ByteBufInputStream(line));
        } catch (IOException e) {
          reply = null;
        }
        return JsonRpcLines.isRightReply(reply, id, workload, a, b);
      }, done);
    }

    @Override
    public void close() {
      lines.close();
    }
  }
}
