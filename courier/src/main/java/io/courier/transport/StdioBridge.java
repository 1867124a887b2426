package io.courier.transport;

import io.courier.Internal;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a pair of byte streams (this process's standard input and output, or a child process's) to an in-VM
 * channel, so that a connection over them runs the very pipeline a socket's does: framing, session, limits. The
 * bridge is the channel's far end: a thread reads the input stream and writes what it reads into the channel,
 * one chunk at a time (it waits for each to be taken, so nothing piles up); what the connection writes goes to
 * the output stream. When the input ends or fails, the channel closes, and when the channel closes, the output
 * stream is closed, which a child process reads as the end of its input.
 *
 * <p>Written here rather than taken from Netty: its stream channel ({@code OioByteStreamChannel}) belongs to the
 * deprecated blocking transport, while a local channel pair runs on the same event loops as the rest.
 *
 * <p>Internal: the server and the client use it.
 */
@Internal
public final class StdioBridge {

  private static final Logger log = LoggerFactory.getLogger(StdioBridge.class);

  /** How much of the input one read takes: a chunk in flight at a time bounds what the bridge holds. */
  private static final int CHUNK_BYTES = 16 * 1024;

  private StdioBridge() {}

  /** Returns a new address for an in-VM channel, unique in this process. */
  public static LocalAddress newAddress(String name) {
    return new LocalAddress(name + "-" + UUID.randomUUID());
  }

  /**
   * Connects the bridge to the in-VM server channel at {@code address} (a server serving its standard input and
   * output): the accepted channel is the connection. Returns the bridge's end of the channel.
   */
  public static ChannelFuture connect(EventLoopGroup group, LocalAddress address, InputStream in, OutputStream out,
      String name) {
    return new Bootstrap()
        .group(group)
        .channel(LocalChannel.class)
        .handler(new Pump(in, out, name))
        .connect(address);
  }

  /**
   * Listens at {@code address} for the one channel a client connects there (a client talking to a child
   * process), and joins it to the streams. The returned future completes with the listening channel; the bridge
   * stops listening once the connection is made.
   */
  public static ChannelFuture listen(EventLoopGroup group, LocalAddress address, InputStream in, OutputStream out,
      String name) {
    return new ServerBootstrap()
        .group(group)
        .channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.parent().close(); // one connection per pair of streams
            ch.pipeline().addLast(new Pump(in, out, name));
          }
        })
        .bind(address);
  }

  /** The bridge's end of the channel: reads the input stream into it and writes what arrives to the output. */
  private static final class Pump extends ChannelInboundHandlerAdapter {
    private final InputStream in;
    private final OutputStream out;
    private final String name;

    Pump(InputStream in, OutputStream out, String name) {
      this.in = in;
      this.out = out;
      this.name = name;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      Channel channel = ctx.channel();
      Thread reader = new Thread(() -> readInto(channel), name + "-reader");
      reader.setDaemon(true);
      reader.start();
      super.channelActive(ctx);
    }

    private void readInto(Channel channel) {
      byte[] chunk = new byte[CHUNK_BYTES];
      try {
        for (int n; (n = in.read(chunk)) >= 0 && channel.isActive(); ) {
          if (n > 0) {
            // Waiting for the write before reading on is the backpressure: one chunk in flight at most.
            channel.writeAndFlush(Unpooled.copiedBuffer(chunk, 0, n)).awaitUninterruptibly();
          }
        }
        log.debug("{}: end of input", name);
      } catch (IOException e) {
        if (channel.isActive()) {
          log.info("{}: input failed: {}", name, e.toString());
        }
      } finally {
        channel.close();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
      ByteBuf bytes = (ByteBuf) msg;
      try {
        // Blocking, on the connection's own event loop: a reader that does not keep up slows this connection,
        // which is the backpressure a socket would apply.
        bytes.readBytes(out, bytes.readableBytes());
        out.flush();
      } finally {
        bytes.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      try {
        out.close();
      } catch (IOException e) {
        log.debug("{}: closing the output failed: {}", name, e.toString());
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.info("{}: closing: {}", name, cause.toString());
      ctx.close();
    }
  }
}
