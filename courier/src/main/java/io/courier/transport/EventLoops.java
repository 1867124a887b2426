package io.courier.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The one place that chooses Netty's I/O implementation, so that clients and servers agree and a native
 * transport can be added here alone.
 */
public final class EventLoops {

  private EventLoops() {}

  /** Returns a new event loop group of {@code threads} daemon threads named {@code name-N}. */
  public static EventLoopGroup newGroup(int threads, String name) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
        NioIoHandler.newFactory());
  }

  public static Class<? extends ServerSocketChannel> serverChannelType() {
    return NioServerSocketChannel.class;
  }

  public static Class<? extends SocketChannel> channelType() {
    return NioSocketChannel.class;
  }
}
