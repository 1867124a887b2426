package io.courier.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that chooses Netty's I/O implementation, so that clients and servers agree: Linux's native
 * epoll transport when it loads (fewer system calls per message), Java's NIO otherwise. Setting the system
 * property {@code courier.transport=nio} forces NIO.
 */
public final class EventLoops {

  private static final Logger log = LoggerFactory.getLogger(EventLoops.class);

  private static final boolean EPOLL = useEpoll();

  private EventLoops() {}

  private static boolean useEpoll() {
    if ("nio".equalsIgnoreCase(System.getProperty("courier.transport"))) {
      return false;
    }
    try {
      if (Epoll.isAvailable()) {
        return true;
      }
      log.debug("Native epoll transport unavailable, using NIO: {}", Epoll.unavailabilityCause().toString());
    } catch (LinkageError e) {
      log.debug("Native epoll transport unavailable, using NIO: {}", e.toString());
    }
    return false;
  }

  /** Returns the name of the transport in use: {@code epoll} or {@code nio}. */
  public static String transportName() {
    return EPOLL ? "epoll" : "nio";
  }

  /** Returns a new event loop group of {@code threads} daemon threads named {@code name-N}. */
  public static EventLoopGroup newGroup(int threads, String name) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
  }

  /**
   * Returns a new one-thread group for in-VM channels ({@code LocalChannel}): what a standard-input-and-output
   * connection runs on, joined to its streams by a {@link StdioBridge}.
   */
  public static EventLoopGroup newLocalGroup(String name) {
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), LocalIoHandler.newFactory());
  }

  public static Class<? extends ServerSocketChannel> serverChannelType() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends SocketChannel> channelType() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
