package io.courier.server;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the open connections from each IP address, so that one peer cannot hold every connection the server
 * allows. Thread-safe: channels are admitted on the accept loop and let go on their own event loops.
 */
final class ConnectionsPerAddress {

  private final int max;
  private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();

  ConnectionsPerAddress(int max) {
    this.max = max;
  }

  /**
   * Counts {@code channel} against its address and returns true, or returns false (counting nothing) when
   * that address has {@code max} connections open already. An admitted channel is let go when it closes.
   */
  boolean admit(Channel channel) {
    SocketAddress remote = channel.remoteAddress();
    if (max == Integer.MAX_VALUE || !(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return true;
    }
    InetAddress address = inet.getAddress();
    boolean[] admitted = new boolean[1];
    open.compute(address, (a, n) -> {
      int count = n == null ? 0 : n;
      admitted[0] = count < max;
      return admitted[0] ? count + 1 : n;
    });
    if (admitted[0]) {
      channel.closeFuture().addListener(f -> open.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1));
    }
    return admitted[0];
  }

  /** Open connections from {@code address}; for tests. */
  int open(InetAddress address) {
    return open.getOrDefault(address, 0);
  }
}
