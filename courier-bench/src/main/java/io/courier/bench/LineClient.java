package io.courier.bench;

import io.courier.transport.EventLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A lean Netty client for newline-delimited protocols, of our own, with one I/O thread for all its
 * connections: it sends a line and hands the next line that comes back on that connection to the sender.
 * Replies on a connection must come in the order of the requests (the echo server's, or one call at a time).
 *
 * <p>With one connection every request is pipelined on it. With several, each request takes a connection that
 * has nothing in flight, and gives it back when its reply arrives, so calls spread over all connections.
 * Thread-safe.
 */
final class LineClient implements AutoCloseable {

  /** Longest line accepted: the 1 MiB echo and its envelope, with room to spare. */
  static final int MAX_LINE_BYTES = 8 * 1024 * 1024;
  /** Connections opened at once; more would overflow a server's accept backlog. */
  private static final int CONNECT_BATCH = 256;

  /** Receives the reply to one request. */
  interface Reply {
    /** The reply line, newline included; valid only during the call. */
    void onLine(ByteBuf line);

    void onFailure(Throwable cause);

    /** A reply that completes {@code done} with whether the line passes {@code check}, or false on failure. */
    static Reply checking(Predicate<ByteBuf> check, Driver.Completion done) {
      return new Reply() {
        @Override
        public void onLine(ByteBuf line) {
          done.complete(check.test(line));
        }

        @Override
        public void onFailure(Throwable cause) {
          done.complete(false);
        }
      };
    }
  }

  private final EventLoopGroup group;
  private final List<Connection> connections = new ArrayList<>();
  private final Queue<Connection> idle = new ConcurrentLinkedQueue<>();

  private LineClient() {
    // The transport Courier's own client and gRPC's pick (native epoll where it loads), so that the load
    // generator of the many-connection rows costs no more CPU than theirs: it shares the cores with the server.
    this.group = EventLoops.newGroup(1, "bench-line-io");
  }

  /** Opens {@code count} connections to {@code host}:{@code port}. */
  static LineClient connect(String host, int port, int count) throws IOException, InterruptedException {
    LineClient client = new LineClient();
    try {
      client.open(host, port, count);
    } catch (IOException | InterruptedException | RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  private void open(String host, int port, int count) throws IOException, InterruptedException {
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(EventLoops.channelType())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new LineBasedFrameDecoder(MAX_LINE_BYTES, false, true))
                .addLast(new Connection(ch));
          }
        });
    for (int start = 0; start < count; start += CONNECT_BATCH) {
      List<ChannelFuture> batch = new ArrayList<>();
      for (int i = start; i < Math.min(count, start + CONNECT_BATCH); i++) {
        batch.add(bootstrap.connect(host, port));
      }
      for (ChannelFuture f : batch) {
        if (!f.await().isSuccess()) {
          throw new IOException("Cannot connect to " + host + ":" + port + " (connection "
              + (connections.size() + 1) + " of " + count + "): " + f.cause(), f.cause());
        }
        connections.add(f.channel().pipeline().get(Connection.class));
      }
    }
    idle.addAll(connections);
  }

  int size() {
    return connections.size();
  }

  /** Sends {@code request} (a whole line; this client releases it) on a free connection. */
  void send(ByteBuf request, Reply reply) {
    if (connections.size() == 1) {
      connections.get(0).send(request, reply);
      return;
    }
    Connection c = idle.poll();
    if (c == null) { // more requests in flight than connections: share one
      connections.get(Math.floorMod(System.nanoTime(), connections.size())).send(request, reply);
      return;
    }
    c.taken = true;
    c.send(request, reply);
  }

  /** Sends {@code request} on connection {@code index}. */
  void send(int index, ByteBuf request, Reply reply) {
    connections.get(index).send(request, reply);
  }

  @Override
  public void close() {
    for (Connection c : connections) {
      c.channel.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /**
   * One connection and the replies it waits for, in order. Its state lives on its event loop. Requests sent
   * while replies are being read (the next calls of a closed loop) are flushed once, when the read burst ends
   * (Courier's own connections also flush every 32 messages within a burst); others are flushed at once.
   */
  private final class Connection extends ChannelInboundHandlerAdapter {
    private final Channel channel;
    private final ArrayDeque<Reply> pending = new ArrayDeque<>();
    private boolean reading;
    private boolean unflushed;
    /** Taken from the idle queue by {@link LineClient#send(ByteBuf, Reply)}; given back when its reply came. */
    private volatile boolean taken;

    Connection(Channel channel) {
      this.channel = channel;
    }

    void send(ByteBuf request, Reply reply) {
      if (channel.eventLoop().inEventLoop()) {
        write(request, reply);
      } else {
        channel.eventLoop().execute(() -> write(request, reply));
      }
    }

    private void write(ByteBuf request, Reply reply) {
      if (!channel.isActive()) {
        request.release();
        reply.onFailure(new ClosedChannelException());
        return;
      }
      pending.add(reply);
      if (reading) {
        channel.write(request, channel.voidPromise());
        unflushed = true;
      } else {
        channel.writeAndFlush(request, channel.voidPromise());
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      reading = true;
      ByteBuf line = (ByteBuf) msg;
      try {
        Reply reply = pending.poll();
        if (reply == null) {
          return; // a line nobody asked for
        }
        if (taken && pending.isEmpty()) {
          taken = false;
          idle.add(this);
        }
        reply.onLine(line);
      } finally {
        line.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      reading = false;
      if (unflushed) {
        unflushed = false;
        ctx.flush();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Reply reply;
      while ((reply = pending.poll()) != null) {
        reply.onFailure(new ClosedChannelException());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
