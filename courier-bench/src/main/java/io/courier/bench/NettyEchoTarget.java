package io.courier.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The transport's ceiling: a Netty server that echoes newline-delimited lines without parsing them, set up as
 * Courier's server is (NIO, one accept thread, an I/O thread per core, {@code TCP_NODELAY}), and a client that
 * sends the bytes of the same JSON-RPC request the other targets get and checks that the same bytes come back.
 *
 * <p>{@code main} is the server: {@code java -cp courier-bench.jar io.courier.bench.NettyEchoTarget --port P}.
 */
public final class NettyEchoTarget {

  private NettyEchoTarget() {}

  public static void main(String[] args) throws Exception {
    TargetServer.serve(args, NettyEchoTarget::startServer);
  }

  static TargetServer.Running startServer(String host, int port) throws InterruptedException {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("echo-accept", true),
        NioIoHandler.newFactory());
    EventLoopGroup io = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
        new DefaultThreadFactory("echo-io", true), NioIoHandler.newFactory());
    Channel server = new ServerBootstrap()
        .group(boss, io)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new LineBasedFrameDecoder(LineClient.MAX_LINE_BYTES, false, true))
                .addLast(EchoHandler.INSTANCE);
          }
        })
        .bind(host, port).sync().channel();
    return new TargetServer.Running(((InetSocketAddress) server.localAddress()).getPort(), () -> {
      server.close().syncUninterruptibly();
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    });
  }

  /**
   * Writes every line back as it came; flushes once per read burst. The line is copied first: the decoder's
   * frame is a slice of its read buffer, and while a slice waits in a full outbound buffer the decoder must copy
   * its whole buffer on every read, which made pipelined 1 MiB lines crawl. Stateless, so shared.
   */
  @ChannelHandler.Sharable
  private static final class EchoHandler extends ChannelInboundHandlerAdapter {
    static final EchoHandler INSTANCE = new EchoHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf line = (ByteBuf) msg;
      try {
        ctx.write(ctx.alloc().buffer(line.readableBytes()).writeBytes(line), ctx.voidPromise());
      } finally {
        line.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Opens the client for one cell: {@code cell.connections()} connections. */
  static Driver client(String host, int port, Cell cell) throws Exception {
    return new Client(LineClient.connect(host, port, cell.connections()), cell.workload());
  }

  /** Opens {@code count} connections, echoes one line on each, and returns them, idle. */
  static AutoCloseable holdIdle(String host, int port, int count) throws Exception {
    Client client = new Client(LineClient.connect(host, port, count), Workload.ADD);
    client.oneCallOnEach();
    return client;
  }

  /**
   * Sends one fixed request (a JSON-RPC request of the workload, made once) and counts a call when the
   * identical line comes back. Thread-safe.
   */
  static final class Client implements Driver {
    private final LineClient lines;
    private final Workload workload;
    private final ByteBuf request;

    Client(LineClient lines, Workload workload) {
      this.lines = lines;
      this.workload = workload;
      byte[] bytes = JsonRpcLines.request(workload, 1, 2, 1);
      this.request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
    }

    @Override
    public void call(Workload w, int slot, Completion done) {
      if (!w.equals(workload)) {
        throw new IllegalArgumentException("workload: " + w + " (expected: " + workload + ")");
      }
      lines.send(request.duplicate(), LineClient.Reply.checking(line -> ByteBufUtil.equals(line, request), done));
    }

    void oneCallOnEach() throws InterruptedException {
      Calls.onEachConnection(lines.size(), (i, done) -> lines.send(i, request.duplicate(),
          LineClient.Reply.checking(line -> ByteBufUtil.equals(line, request), done)));
    }

    @Override
    public void close() {
      lines.close();
    }
  }
}
