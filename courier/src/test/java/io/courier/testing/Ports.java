package io.courier.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Port helpers for tests on loopback. */
public final class Ports {

  private Ports() {}

  /** Returns a port on 127.0.0.1 that was free a moment ago and has nothing listening on it now. */
  public static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /** Returns whether a new listening socket can bind {@code port} on 127.0.0.1 right now. */
  @SuppressWarnings("try") // opening the socket is the test; nothing is done with it
  public static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
