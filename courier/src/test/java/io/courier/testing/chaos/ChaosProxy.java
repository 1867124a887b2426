package io.courier.testing.chaos;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * An in-JVM, fault-injecting TCP proxy on 127.0.0.1 for tests, modelled on Toxiproxy's toxics: it accepts
 * connections on an ephemeral port and forwards each to a target, while faults ("toxics") that can be switched on
 * and off at any time, with connections open, act on the bytes going either way.
 *
 * <pre>{@code
 * try (ChaosProxy proxy = ChaosProxy.start(server.port())) {
 *   RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + proxy.port()).build();
 *   proxy.latency(Direction.DOWNSTREAM, Duration.ofMillis(200), Duration.ofMillis(50));
 *   ...
 *   proxy.heal();
 * }
 * }</pre>
 *
 * <p>{@link Direction#UPSTREAM} is client to server (the target), {@link Direction#DOWNSTREAM} server to client.
 * The toxics, applied in this order to each read:
 * <ul>
 *   <li>{@link #blackHole(Direction)} (Toxiproxy's {@code timeout} with no timeout): data is read and dropped, the
 *       sockets stay open, and a close from either end is not passed on either, so the peer sees a half-open
 *       connection that never answers;</li>
 *   <li>{@link #resetPeerOnData(Direction)} ({@code reset_peer}): the next data resets both connections;
 *       {@link #resetPeer()} resets every open connection at once. A reset closes with {@code SO_LINGER 0}, so the
 *       peers get an RST, not a FIN;</li>
 *   <li>{@link #cutAfter(Direction, long)} ({@code limit_data}): forwards that many more bytes on each connection,
 *       then closes both ends (after any delayed data has gone out);</li>
 *   <li>{@link #merge(Direction, int, Duration)}: buffers reads and forwards them in one write once {@code count}
 *       reads are held or {@code window} has passed since the first, whichever is first (coalescing);</li>
 *   <li>{@link #slice(Direction, int, int, Duration)} ({@code slicer}): splits data into segments of random size in
 *       {@code [min, max]} bytes, each written and flushed on its own, optionally spaced by a delay;</li>
 *   <li>{@link #latency(Direction, Duration, Duration)}: delays each segment by a fixed time plus a uniform jitter
 *       in {@code [-jitter, +jitter]}; order is always kept, as on a real TCP connection.</li>
 * </ul>
 * Independently, {@link #pauseReads(Direction)} stops reading from the sending side ({@code setAutoRead(false)}), so
 * its socket buffers fill and the sender feels backpressure, as with a peer that stopped reading. The proxy also
 * propagates backpressure itself: it stops reading from one side while the other is not writable.
 *
 * <p>Every setter applies at once to open and new connections and returns this proxy, for chaining;
 * {@link #heal()} removes every toxic. The counters count bytes written out each way and connections accepted.
 * The proxy releases every buffer it reads, whatever the toxic, so it can run under Netty's paranoid leak
 * detector. It uses its own single event loop thread; both connections of a pair share it, so each pair's state is
 * confined to one thread. Thread-safe; {@link #close()} it after the test.
 */
public final class ChaosProxy implements AutoCloseable {

  /** The toxics in force for one direction; immutable, replaced as a whole on every change. */
  private record Toxics(
      long latencyNanos, long jitterNanos, boolean blackHole, boolean resetOnData, int sliceMin, int sliceMax,
      long sliceDelayNanos, Cut cut, boolean paused, int mergeCount, long mergeWindowNanos) {

    static final Toxics NONE = new Toxics(0, 0, false, false, 0, 0, 0, null, false, 0, 0);

    boolean merging() {
      return mergeCount > 1 || mergeWindowNanos > 0;
    }
  }

  /** A {@code limit_data} toxic; a new instance per call, so each call starts counting afresh. */
  private record Cut(long bytes) {}

  private final EventLoopGroup group;
  private final Channel server;
  private final InetSocketAddress target;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong upstreamBytes = new AtomicLong();
  private final AtomicLong downstreamBytes = new AtomicLong();
  private volatile Toxics upstream = Toxics.NONE;
  private volatile Toxics downstream = Toxics.NONE;

  private ChaosProxy(String targetHost, int targetPort) throws InterruptedException {
    this.target = InetSocketAddress.createUnresolved(targetHost, targetPort);
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      this.server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              accepted.incrementAndGet();
              new Link(ch);
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0))
          .sync()
          .channel();
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  /** Starts a proxy on an ephemeral port of 127.0.0.1 that forwards to {@code 127.0.0.1:targetPort}. */
  public static ChaosProxy start(int targetPort) throws InterruptedException {
    return start("127.0.0.1", targetPort);
  }

  /** Starts a proxy on an ephemeral port of 127.0.0.1 that forwards to {@code targetHost:targetPort}. */
  public static ChaosProxy start(String targetHost, int targetPort) throws InterruptedException {
    requireNonNull(targetHost, "targetHost");
    if (targetPort <= 0 || targetPort > 65535) {
      throw new IllegalArgumentException("targetPort: " + targetPort + " (expected: 1-65535)");
    }
    return new ChaosProxy(targetHost, targetPort);
  }

  /** The port clients connect to, on 127.0.0.1. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  // ------------------------------------------------------------------------------------------------- toxics

  /**
   * Delays data going {@code direction} by {@code fixed} plus a uniform random jitter in
   * {@code [-jitter, +jitter]} (never below zero), keeping its order.
   */
  public ChaosProxy latency(Direction direction, Duration fixed, Duration jitter) {
    requireNonNegative(fixed, "fixed");
    requireNonNegative(jitter, "jitter");
    return update(direction, t -> new Toxics(fixed.toNanos(), jitter.toNanos(), t.blackHole, t.resetOnData,
        t.sliceMin, t.sliceMax, t.sliceDelayNanos, t.cut, t.paused, t.mergeCount, t.mergeWindowNanos));
  }

  /** Drops all data both ways and passes no close on, keeping the sockets open: a half-open connection. */
  public ChaosProxy blackHole() {
    return blackHole(Direction.BOTH);
  }

  /** Drops all data going {@code direction}, keeping the sockets open (Toxiproxy's {@code timeout} toxic). */
  public ChaosProxy blackHole(Direction direction) {
    return update(direction, t -> new Toxics(t.latencyNanos, t.jitterNanos, true, t.resetOnData, t.sliceMin,
        t.sliceMax, t.sliceDelayNanos, t.cut, t.paused, t.mergeCount, t.mergeWindowNanos));
  }

  /** Resets (RST, via {@code SO_LINGER 0}) both sides of every connection open now. New connections still work. */
  public ChaosProxy resetPeer() {
    for (Link link : links) {
      link.loop.execute(link::reset);
    }
    return this;
  }

  /** Resets both sides of a connection as soon as data arrives going {@code direction} (the data is dropped). */
  public ChaosProxy resetPeerOnData(Direction direction) {
    return update(direction, t -> new Toxics(t.latencyNanos, t.jitterNanos, t.blackHole, true, t.sliceMin,
        t.sliceMax, t.sliceDelayNanos, t.cut, t.paused, t.mergeCount, t.mergeWindowNanos));
  }

  /**
   * Splits data going {@code direction} into segments of a random size in {@code [minBytes, maxBytes]}, each
   * written and flushed separately, with {@code delay} between consecutive segments.
   */
  public ChaosProxy slice(Direction direction, int minBytes, int maxBytes, Duration delay) {
    if (minBytes < 1 || maxBytes < minBytes) {
      throw new IllegalArgumentException("minBytes, maxBytes: " + minBytes + ", " + maxBytes
          + " (expected: 1 <= minBytes <= maxBytes)");
    }
    requireNonNegative(delay, "delay");
    return update(direction, t -> new Toxics(t.latencyNanos, t.jitterNanos, t.blackHole, t.resetOnData,
        minBytes, maxBytes, delay.toNanos(), t.cut, t.paused, t.mergeCount, t.mergeWindowNanos));
  }

  /**
   * Forwards at most {@code bytes} more bytes going {@code direction} on each connection (counted from this call),
   * then closes both sides of that connection.
   */
  public ChaosProxy cutAfter(Direction direction, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
    }
    return update(direction, t -> new Toxics(t.latencyNanos, t.jitterNanos, t.blackHole, t.resetOnData,
        t.sliceMin, t.sliceMax, t.sliceDelayNanos, new Cut(bytes), t.paused, t.mergeCount, t.mergeWindowNanos));
  }

  /** Stops reading from the side that sends {@code direction}'s data, so that the sender meets backpressure. */
  public ChaosProxy pauseReads(Direction direction) {
    return update(direction, t -> new Toxics(t.latencyNanos, t.jitterNanos, t.blackHole, t.resetOnData,
        t.sliceMin, t.sliceMax, t.sliceDelayNanos, t.cut, true, t.mergeCount, t.mergeWindowNanos));
  }

  /** Undoes {@link #pauseReads(Direction)}. */
  public ChaosProxy resumeReads(Direction direction) {
    return update(direction, t -> new Toxics(t.latencyNanos, t.jitterNanos, t.blackHole, t.resetOnData,
        t.sliceMin, t.sliceMax, t.sliceDelayNanos, t.cut, false, t.mergeCount, t.mergeWindowNanos));
  }

  /**
   * Coalesces data going {@code direction}: reads are held and forwarded as one write once {@code count} of them
   * are held or {@code window} has passed since the first was held, whichever comes first. A {@code count} of 0
   * or 1 leaves only the window; a zero window leaves only the count.
   */
  public ChaosProxy merge(Direction direction, int count, Duration window) {
    if (count < 0) {
      throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
    }
    requireNonNegative(window, "window");
    return update(direction, t -> new Toxics(t.latencyNanos, t.jitterNanos, t.blackHole, t.resetOnData,
        t.sliceMin, t.sliceMax, t.sliceDelayNanos, t.cut, t.paused, count, window.toNanos()));
  }

  /** Removes every toxic, both ways; held data is forwarded and paused reads resume. Open connections stay. */
  public ChaosProxy heal() {
    upstream = Toxics.NONE;
    downstream = Toxics.NONE;
    refreshAll();
    return this;
  }

  /** The same as {@link #heal()}. */
  public ChaosProxy reset() {
    return heal();
  }

  // ----------------------------------------------------------------------------------------------- counters

  /** Bytes written out going {@code direction} ({@link Direction#BOTH}: the sum), over all connections. */
  public long bytesForwarded(Direction direction) {
    return switch (direction) {
      case UPSTREAM -> upstreamBytes.get();
      case DOWNSTREAM -> downstreamBytes.get();
      case BOTH -> upstreamBytes.get() + downstreamBytes.get();
    };
  }

  /** Connections accepted since the proxy started. */
  public long connectionsAccepted() {
    return accepted.get();
  }

  /** Connections (client side) open now. */
  public int openConnections() {
    return links.size();
  }

  /** Stops accepting, closes every connection (with a FIN) and stops the proxy's thread. */
  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    for (Link link : links) {
      link.loop.execute(link::close);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "ChaosProxy{127.0.0.1:" + port() + " -> " + target.getHostString() + ":" + target.getPort()
        + ", upstream=" + upstream + ", downstream=" + downstream + "}";
  }

  // -------------------------------------------------------------------------------------------------- internals

  private static void requireNonNegative(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
    }
  }

  private ChaosProxy update(Direction direction, UnaryOperator<Toxics> change) {
    requireNonNull(direction, "direction");
    synchronized (this) {
      if (direction.includes(Direction.UPSTREAM)) {
        upstream = change.apply(upstream);
      }
      if (direction.includes(Direction.DOWNSTREAM)) {
        downstream = change.apply(downstream);
      }
    }
    refreshAll();
    return this;
  }

  private void refreshAll() {
    for (Link link : links) {
      link.loop.execute(link::refresh);
    }
  }

  private Toxics toxics(Direction direction) {
    return direction == Direction.UPSTREAM ? upstream : downstream;
  }

  /** One proxied connection: the accepted channel, the channel to the target, and a pipe each way. */
  private final class Link {
    final EventLoop loop;
    final Channel client;
    final Pipe up;
    final Pipe down;
    Channel backend;
    boolean closed;

    Link(Channel client) {
      this.client = client;
      this.loop = client.eventLoop();
      this.up = new Pipe(this, Direction.UPSTREAM);
      this.down = new Pipe(this, Direction.DOWNSTREAM);
      links.add(this);
      client.pipeline().addLast(up);
      ChannelFuture connect = new Bootstrap()
          .group(loop)
          .channel(NioSocketChannel.class)
          .option(ChannelOption.AUTO_READ, false)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
          .handler(down)
          .connect(new InetSocketAddress(target.getHostString(), target.getPort()));
      backend = connect.channel();
      connect.addListener((ChannelFutureListener) f -> {
        if (!f.isSuccess()) {
          close();
          return;
        }
        refresh();
      });
    }

    Channel source(Direction d) {
      return d == Direction.UPSTREAM ? client : backend;
    }

    Channel destination(Direction d) {
      return d == Direction.UPSTREAM ? backend : client;
    }

    Pipe pipe(Direction d) {
      return d == Direction.UPSTREAM ? up : down;
    }

    /** Re-applies the current toxics to this link: reading on or off, held data released. */
    void refresh() {
      if (closed) {
        return;
      }
      up.refresh();
      down.refresh();
    }

    void reset() {
      if (closed) {
        return;
      }
      for (Channel ch : List.of(client, backend)) {
        if (ch.isOpen()) {
          try {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
          } catch (RuntimeException ignored) {
            // not connected yet: a plain close is all that can be done
          }
        }
      }
      close();
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      links.remove(this);
      up.discard();
      down.discard();
      client.close();
      backend.close();
    }
  }

  /** One direction of a link: the handler on the channel data is read from. */
  private final class Pipe extends ChannelInboundHandlerAdapter {
    private final Link link;
    private final Direction direction;
    private final AtomicLong counter;

    /** Segments waiting for their time, in order; all due times are non-decreasing. */
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
    private long lastDue;
    private boolean drainScheduled;

    private CompositeByteBuf held;
    private int heldReads;
    private long heldBatch;

    private Cut cut;
    private long sinceCut;
    private boolean closeWhenDrained;

    Pipe(Link link, Direction direction) {
      this.link = link;
      this.direction = direction;
      this.counter = direction == Direction.UPSTREAM ? upstreamBytes : downstreamBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf) || link.closed || closeWhenDrained) {
        ReferenceCountUtil.release(msg);
        return;
      }
      Toxics t = toxics(direction);
      if (t.blackHole) {
        buf.release();
        return;
      }
      if (t.resetOnData) {
        buf.release();
        link.reset();
        return;
      }
      if (t.cut != null) {
        if (t.cut != cut) {
          cut = t.cut;
          sinceCut = 0;
        }
        long room = cut.bytes - sinceCut;
        if (buf.readableBytes() >= room) {
          ByteBuf head = buf.readRetainedSlice((int) room);
          buf.release();
          buf = head;
          closeWhenDrained = true;
        }
        sinceCut += buf.readableBytes();
      }
      if (t.merging() && !closeWhenDrained) {
        hold(ctx, buf, t);
        return;
      }
      releaseHeld(t);
      emit(buf, t);
      maybeClose();
    }

    private void hold(ChannelHandlerContext ctx, ByteBuf buf, Toxics t) {
      if (held == null) {
        held = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        heldReads = 0;
        long batch = ++heldBatch;
        if (t.mergeWindowNanos > 0) {
          link.loop.schedule(() -> {
            if (heldBatch == batch && held != null) {
              releaseHeld(toxics(direction));
              maybeClose();
            }
          }, t.mergeWindowNanos, TimeUnit.NANOSECONDS);
        }
      }
      held.addComponent(true, buf);
      heldReads++;
      if (t.mergeCount > 1 && heldReads >= t.mergeCount) {
        releaseHeld(t);
      }
    }

    private void releaseHeld(Toxics t) {
      if (held != null) {
        CompositeByteBuf batch = held;
        held = null;
        heldBatch++;
        if (batch.isReadable()) {
          emit(batch, t);
        } else {
          batch.release();
        }
      }
    }

    /** Slices (if asked) and queues {@code buf} with its delay. Takes ownership of {@code buf}. */
    private void emit(ByteBuf buf, Toxics t) {
      long now = System.nanoTime();
      long due = now + delay(t);
      if (t.sliceMax > 0) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean first = true;
        while (buf.isReadable()) {
          int size = Math.min(buf.readableBytes(), t.sliceMin + random.nextInt(t.sliceMax - t.sliceMin + 1));
          if (!first) {
            due += t.sliceDelayNanos;
          }
          first = false;
          enqueue(buf.readRetainedSlice(size), due, now);
        }
        buf.release();
      } else {
        enqueue(buf, due, now);
      }
    }

    private long delay(Toxics t) {
      if (t.latencyNanos == 0 && t.jitterNanos == 0) {
        return 0;
      }
      long jitter = t.jitterNanos == 0 ? 0
          : ThreadLocalRandom.current().nextLong(-t.jitterNanos, t.jitterNanos + 1);
      return Math.max(0, t.latencyNanos + jitter);
    }

    private void enqueue(ByteBuf segment, long due, long now) {
      due = Math.max(due, lastDue);
      lastDue = due;
      Channel out = link.destination(direction);
      if (queue.isEmpty() && due <= now) {
        write(out, segment);
        out.flush();
        return;
      }
      queue.add(new Object[] {segment, due});
      scheduleDrain(now);
    }

    private void scheduleDrain(long now) {
      if (drainScheduled || queue.isEmpty()) {
        return;
      }
      drainScheduled = true;
      long wait = Math.max(0, (long) queue.peek()[1] - now);
      link.loop.schedule(this::drain, wait, TimeUnit.NANOSECONDS);
    }

    private void drain() {
      drainScheduled = false;
      if (link.closed) {
        return;
      }
      Channel out = link.destination(direction);
      long now = System.nanoTime();
      boolean wrote = false;
      while (!queue.isEmpty() && (long) queue.peek()[1] <= now) {
        write(out, (ByteBuf) queue.poll()[0]);
        // Segments are flushed one by one so that the peer sees them as separate reads, as far as TCP allows.
        out.flush();
        wrote = true;
      }
      if (!wrote && queue.isEmpty()) {
        return;
      }
      scheduleDrain(now);
      maybeClose();
    }

    private void write(Channel out, ByteBuf segment) {
      int n = segment.readableBytes();
      out.write(segment).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      counter.addAndGet(n);
    }

    /** After a cut or an end of input: closes the link once the queued data has been written. */
    private void maybeClose() {
      if (closeWhenDrained && queue.isEmpty() && held == null && !link.closed) {
        Channel out = link.destination(direction);
        out.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> link.close());
      }
    }

    void refresh() {
      Toxics t = toxics(direction);
      if (!t.merging()) {
        releaseHeld(t);
      }
      updateReading();
      maybeClose();
    }

    void updateReading() {
      Channel in = link.source(direction);
      Channel out = link.destination(direction);
      if (link.closed || !in.isActive() || !out.isActive()) {
        return;
      }
      boolean read = !toxics(direction).paused && out.isWritable() && !closeWhenDrained;
      if (in.config().isAutoRead() != read) {
        in.config().setAutoRead(read);
      }
      if (read) {
        in.read();
      }
    }

    void discard() {
      if (held != null) {
        held.release();
        held = null;
      }
      while (!queue.isEmpty()) {
        ((ByteBuf) queue.poll()[0]).release();
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      link.refresh();
      super.channelActive(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      // This channel is the destination of the other direction's pipe: that one may read again (or must stop).
      Direction other = direction == Direction.UPSTREAM ? Direction.DOWNSTREAM : Direction.UPSTREAM;
      link.pipe(other).updateReading();
      super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (link.closed) {
        return;
      }
      if (toxics(Direction.UPSTREAM).blackHole || toxics(Direction.DOWNSTREAM).blackHole) {
        // A black hole passes nothing on, not even a close: the other side stays half-open.
        return;
      }
      // The sender went away: pass the close on once what it sent has been delivered.
      releaseHeld(toxics(direction));
      closeWhenDrained = true;
      maybeClose();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Resets and refused connections are what this proxy is for; close quietly.
      link.close();
    }
  }
}
