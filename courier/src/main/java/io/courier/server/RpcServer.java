package io.courier.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Endpoint;
import io.courier.Experimental;
import io.courier.MethodDescriptor;
import io.courier.Peer;
import io.courier.RpcError;
import io.courier.RpcEventListener;
import io.courier.peer.Calling;
import io.courier.peer.EventListeners;
import io.courier.peer.MethodTable;
import io.courier.peer.Serving;
import io.courier.peer.Session;
import io.courier.protocol.JsonRpcCodec;
import io.courier.transport.EventLoops;
import io.courier.transport.StdioBridge;
import io.courier.transport.WriteQueue;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Courier server: registered services and functions, answered on one TCP port in JSON-RPC 2.0 (framed by
 * newlines, by concatenation or by {@code Content-Length} headers, detected per connection) and in the
 * tutorial's seed dialect.
 *
 * <pre>{@code
 * RpcServer server = RpcServer.builder()
 *     .port(7070)
 *     .service(Calculator.class, new CalculatorImpl())
 *     .method("test", args -> "the test function has been called")
 *     .build()
 *     .start();
 * ...
 * server.stop(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Methods run on a bounded executor, never on an I/O thread, so a slow method never delays other calls.
 * Thread-safe.
 */
public final class RpcServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

  /** How long stopping waits for connections to write their last replies and close. */
  private static final Duration CLOSE_FLUSH_WAIT = Duration.ofSeconds(2);

  /** How long a connection must have been silent before a stopping server closes it. */
  private static final Duration QUIET_PERIOD = Duration.ofMillis(50);

  /** The longest a stopping server waits for its connections to fall silent. */
  private static final Duration QUIET_WAIT_MAX = Duration.ofSeconds(1);

  /** How long stopping waits for interrupted service methods to return. */
  private static final Duration EXECUTOR_STOP_WAIT = Duration.ofSeconds(2);

  private final String host;
  private final int requestedPort;
  private final int ioThreads;
  private final Limits limits;
  private final Duration shutdownGrace;
  private final MethodTable methods;
  /** What every connection's session serves calls with. */
  private final Serving serving;
  /** What the server's calls to its peers are made with. */
  private final Calling calling;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final ChannelGroup connections = new DefaultChannelGroup("courier-connections",
      GlobalEventExecutor.INSTANCE);

  private final Object lock = new Object();
  private volatile boolean stopping;
  private boolean started;
  private EventLoopGroup bossGroup;
  private EventLoopGroup ioGroup;
  private Channel serverChannel;
  private ScheduledFuture<?> sweeper;
  private final Set<ServerConnection> live = ConcurrentHashMap.newKeySet();
  private final ServerTls tls;
  private final boolean plaintext;
  private final String webSocketPath;
  private final ServerPipeline pipeline;
  private final List<ServerListener> listeners;

  /**
   * @param console the web console's snapshot method when it is on, whose stats are told of calls after the
   *     builder's listeners; or null
   */
  RpcServer(RpcServerBuilder builder, ObjectMapper mapper, MethodTable methods, ConsoleMethod console) {
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.ioThreads = builder.ioThreads;
    this.limits = builder.limits();
    this.shutdownGrace = builder.shutdownGrace;
    this.methods = methods;
    this.ownsExecutor = builder.executor == null;
    this.executor = ownsExecutor
        ? Serving.newWorkerPool("courier-worker", builder.workerThreads, builder.queueCapacity)
        : builder.executor;
    this.serving = new Serving(new JsonRpcCodec(mapper, limits.maxNumberScale()), methods, executor,
        new Serving.Limits(limits.maxInFlightPerConnection(), limits.maxRunningPerConnection(),
            limits.maxBatchItems(), limits.maxBatchResponseBytes(), limits.maxOutboundMessageBytes()),
        InterceptorChain.around(List.copyOf(builder.interceptors)), null, builder.developmentMode,
        EventListeners.of(withConsole(builder.eventListeners, console == null ? null : console.stats())));
    this.tls = builder.tls;
    this.plaintext = builder.plaintext;
    this.webSocketPath = builder.webSocketPath;
    this.listeners = List.copyOf(builder.listeners);
    this.calling = new Calling(mapper, builder.peerCallTimeout, Calling.DEFAULT_MAX_PENDING_CALLS,
        ForkJoinPool.commonPool(), true, "courier-server-timer");
    this.pipeline = new ServerPipeline(builder, console, limits, serving, calling, connections, live,
        new PartialMessageBudget(limits.partialMessageBudget(), live), () -> stopping);
  }

  private static List<RpcEventListener> withConsole(List<RpcEventListener> listeners, RpcEventListener console) {
    if (console == null) {
      return listeners;
    }
    List<RpcEventListener> all = new ArrayList<>(listeners);
    all.add(console);
    return all;
  }

  /** Returns a builder for a server. */
  public static RpcServerBuilder builder() {
    return new RpcServerBuilder();
  }

  /**
   * Binds the port and starts serving.
   *
   * @return this server
   * @throws IllegalStateException when the server was already started, or the port cannot be bound
   */
  public RpcServer start() {
    claimStart();
    bossGroup = EventLoops.newGroup(1, "courier-accept");
    ioGroup = EventLoops.newGroup(ioThreads, "courier-io");
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, ioGroup)
        .channel(EventLoops.serverChannelType())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WriteQueue.WATER_MARK)
        .childHandler(pipeline);
    ChannelFuture bound = bootstrap.bind(host, requestedPort).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutdownEventLoops();
      shutdownExecutor();
      throw new IllegalStateException("Cannot listen on " + host + ":" + requestedPort + ": "
          + bound.cause().getMessage(), bound.cause());
    }
    serving(bound.channel());
    tell("started", ServerListener::started);
    return this;
  }

  /** Calls every listener; one that throws is logged, and neither stops the others nor the server. */
  private void tell(String event, BiConsumer<ServerListener, RpcServer> call) {
    for (ServerListener listener : listeners) {
      try {
        call.accept(listener, this);
      } catch (RuntimeException e) {
        log.warn("Server listener {} failed when told the server {}", listener, event, e);
      }
    }
  }

  /**
   * Serves one peer over this process's standard input and output instead of a port, and returns when the input
   * ends (the peer closed it) and the server has stopped: a language server or a tool server that an editor or
   * an agent host launches. The framing is detected from the first bytes, as on a port: {@code Content-Length}
   * headers (the Language Server Protocol's) or newline-delimited JSON. The peer is a full peer: the server's
   * methods call it back through {@link io.courier.RpcContext#peer()}. Meanwhile {@code System.out} is
   * redirected to {@code System.err}, so that nothing printed by accident corrupts the protocol; Courier itself
   * logs through SLF4J and never prints.
   *
   * <pre>{@code
   * public static void main(String[] args) {
   *   RpcServer.builder().service(Tools.class, new ToolsImpl()).build().serveStdio();
   * }
   * }</pre>
   *
   * @throws IllegalStateException when the server was already started
   */
  @Experimental
  public void serveStdio() {
    PrintStream stdout = System.out;
    System.setOut(System.err);
    try {
      serveStdio(System.in, stdout);
    } finally {
      System.setOut(stdout);
    }
  }

  /**
   * Serves one peer over {@code in} and {@code out}, as {@link #serveStdio()} does over the process's own: returns
   * when {@code in} ends, or when the server is stopped from another thread, once it has stopped.
   */
  @Experimental
  public void serveStdio(InputStream in, OutputStream out) {
    requireNonNull(in, "in");
    requireNonNull(out, "out");
    claimStart();
    EventLoopGroup group = EventLoops.newLocalGroup("courier-stdio");
    bossGroup = group;
    ioGroup = group;
    LocalAddress address = StdioBridge.newAddress("courier-stdio");
    Channel listening = new ServerBootstrap()
        .group(group)
        .channel(LocalServerChannel.class)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WriteQueue.WATER_MARK)
        .childHandler(pipeline)
        .bind(address)
        .syncUninterruptibly()
        .channel();
    serving(listening);
    Channel bridge = StdioBridge.connect(group, address, in, out, "courier-stdio").syncUninterruptibly().channel();
    bridge.closeFuture().awaitUninterruptibly();
    stop(shutdownGrace);
  }

  private void claimStart() {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("Server already started");
      }
      started = true;
    }
  }

  /** The server channel is open: start the timers and say so. */
  private void serving(Channel listening) {
    serverChannel = listening;
    if (tls != null) {
      tls.startReloading();
    }
    long period = sweepPeriod().toNanos();
    sweeper = bossGroup.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    log.info("Courier server listening on {} with {} methods", serverChannel.localAddress(),
        methods.names().size());
  }

  /** Returns the port the server listens on (useful when it was built with port 0). */
  public int port() {
    return localAddress().getPort();
  }

  /** Returns the address the server listens on. */
  public InetSocketAddress localAddress() {
    if (serverChannel == null) {
      throw new IllegalStateException("Server not started");
    }
    if (!(serverChannel.localAddress() instanceof InetSocketAddress address)) {
      throw new IllegalStateException("Server serves standard input and output, not a port");
    }
    return address;
  }

  /**
   * Returns the peers connected now, each able to take calls and notifications from the server (except over
   * HTTP, which only answers requests; see {@link Peer#canNotify()}): to broadcast a notification, say. A
   * snapshot: peers connect and leave meanwhile, and a peer that has left fails calls at once.
   */
  @Experimental
  public List<Peer> peers() {
    List<Peer> peers = new ArrayList<>(live.size());
    for (ServerConnection connection : live) {
      Session session = connection.session();
      if (session != null && session.isOpen()) {
        peers.add(session);
      }
    }
    return peers;
  }

  /**
   * Returns how many replies from peers arrived for calls the server no longer waited for (they had timed out
   * or been cancelled), or for no call it made, and were dropped.
   */
  public long droppedLateReplies() {
    return calling.lateReplies();
  }

  /**
   * Returns how clients reach this server at {@code host} (the name or address it is known by), one URI per
   * protocol its port serves: {@code tcp://}, {@code http://…/rpc} and {@code ws://…}, and their TLS forms when it
   * serves TLS ({@code tls://}, {@code https://}, {@code wss://}; the clear ones only while plaintext is allowed).
   * A registry publishes them.
   *
   * @throws IllegalStateException when the server does not listen on a port
   */
  @Experimental
  public List<URI> targets(String host) {
    String authority = Endpoint.of(host, port()).toString();
    List<URI> targets = new ArrayList<>();
    if (plaintext) {
      targets.add(URI.create("tcp://" + authority));
      targets.add(URI.create("http://" + authority + "/rpc"));
      targets.add(URI.create("ws://" + authority + webSocketPath));
    }
    if (tls != null) {
      targets.add(URI.create("tls://" + authority));
      targets.add(URI.create("https://" + authority + "/rpc"));
      targets.add(URI.create("wss://" + authority + webSocketPath));
    }
    return List.copyOf(targets);
  }

  /** Returns the wire names of every registered method; built-in ones such as {@code rpc.discover} are left out. */
  public Set<String> methods() {
    return methods.names();
  }

  /**
   * Describes every registered method, sorted by wire name (overloads by their number of params): its params,
   * result, declared errors and the descriptions written in the annotations. Built once when the server was
   * built; the built-in {@code rpc.discover} is not listed. This is what the server's OpenRPC document says.
   */
  @Experimental
  public List<MethodDescriptor> describeMethods() {
    return methods.descriptors();
  }

  /**
   * Stops gracefully: {@linkplain ServerListener#stopping listeners} are told first (a registry withdraws the
   * server), then the port is released, new calls are refused with a "shutting down" error that says they were
   * not processed, calls in flight get up to {@code grace} to finish and be answered, connections still sending
   * calls get until they fall silent (at most a second, within the grace), then every connection is closed.
   * Returns when the server has stopped. Calling it again does nothing.
   */
  public void stop(Duration grace) {
    requireNonNull(grace, "grace");
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
    }
    boolean listening = serverChannel != null && serverChannel.localAddress() instanceof InetSocketAddress;
    if (listening) {
      // First, while calls are still served: clients that follow a registry leave before any call is refused.
      tell("stopping", ServerListener::stopping);
    }
    serving.refuseNewCalls();
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    if (tls != null) {
      tls.stopReloading();
    }
    long stopStartedAt = System.nanoTime();
    int unanswered = serving.awaitCalls(grace);
    if (unanswered > 0 && !grace.isZero()) {
      log.warn("Stopping with {} calls still in flight after the grace period of {}", unanswered, grace);
    }
    // Calls still running get a clear answer rather than a closed connection.
    // Not SHUTTING_DOWN: that code promises the call was not processed, and these ran in part.
    live.forEach(connection -> connection.abortRunning(RpcError.CANCELLED.withMessage(
        "Server shutting down: the call was cancelled while it ran")));
    awaitQuiet(stopStartedAt + grace.toNanos());
    // Replies of the calls that finished are queued; each connection closes after writing them.
    live.forEach(ServerConnection::closeWhenFlushed);
    if (!connections.newCloseFuture().awaitUninterruptibly(CLOSE_FLUSH_WAIT.toMillis())) {
      log.warn("Connections did not close within {} after their last replies; closing them now",
          CLOSE_FLUSH_WAIT);
    }
    connections.close().awaitUninterruptibly();
    shutdownExecutor();
    shutdownEventLoops();
    calling.stop();
    log.info("Courier server stopped");
    if (listening) {
      tell("stopped", ServerListener::stopped);
    }
  }

  /**
   * Waits, within the grace and at most {@link #QUIET_WAIT_MAX}, until no connection has sent a call for
   * {@link #QUIET_PERIOD}. A client still sending has not yet read a "shutting down" answer; its calls in flight
   * would be lost, maybe run, in a connection closed under them, whereas answered "shutting down" they go to
   * another server. A client that balances leaves at its first such answer, so this is short.
   */
  private void awaitQuiet(long graceEndsAt) {
    long until = Math.min(graceEndsAt, System.nanoTime() + QUIET_WAIT_MAX.toNanos());
    long quiet = QUIET_PERIOD.toNanos();
    while (System.nanoTime() - until < 0) {
      long now = System.nanoTime();
      if (live.stream().noneMatch(c -> now - c.lastActivityAt() < quiet)) {
        return;
      }
      try {
        Thread.sleep(QUIET_PERIOD.toMillis() / 5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops gracefully with the builder's shutdown grace (default 10 seconds). */
  @Override
  public void close() {
    stop(shutdownGrace);
  }

  /**
   * Stops the executor and waits briefly for methods still running (they are interrupted), so that their
   * replies are written, or released, before the event loops go away.
   */
  private void shutdownExecutor() {
    if (!ownsExecutor) {
      return;
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(EXECUTOR_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Service methods still running {} after being interrupted at shutdown", EXECUTOR_STOP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void shutdownEventLoops() {
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (ioGroup != null) {
      ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Checks every connection's timers; one task for the whole server rather than timers per connection. */
  private void sweep() {
    long now = System.nanoTime();
    for (ServerConnection connection : live) {
      connection.sweep(now);
    }
  }

  /** Often enough to enforce the shortest timeout within a quarter of it; at most every 250 ms. */
  private Duration sweepPeriod() {
    Duration shortest = Stream.of(limits.protocolDetectionTimeout(), limits.partialFrameTimeout(),
            limits.idleTimeout(), limits.unwritableTimeout())
        .min(Duration::compareTo)
        .orElseThrow();
    Duration quarter = shortest.dividedBy(4);
    Duration floor = Duration.ofMillis(10);
    Duration ceiling = Duration.ofMillis(250);
    return quarter.compareTo(floor) < 0 ? floor : quarter.compareTo(ceiling) > 0 ? ceiling : quarter;
  }

  /** The bounds the server enforces; for tests. */
  Limits limits() {
    return limits;
  }

  /** What every connection serves calls with; for tests. */
  Serving serving() {
    return serving;
  }
}
