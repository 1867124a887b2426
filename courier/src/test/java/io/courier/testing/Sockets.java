package io.courier.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** Small waits on raw test sockets. */
public final class Sockets {

  private Sockets() {}

  /**
   * Waits up to {@code timeoutMs} for the peer to close {@code socket}, discarding what it sends; returns the
   * milliseconds it took (a reset counts as a close), or -1 when the connection is still open.
   */
  public static long awaitEof(Socket socket, InputStream in, long timeoutMs) throws IOException {
    long start = System.nanoTime();
    long end = start + timeoutMs * 1_000_000;
    byte[] sink = new byte[8192];
    while (System.nanoTime() < end) {
      socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
      try {
        if (in.read(sink) < 0) {
          return (System.nanoTime() - start) / 1_000_000;
        }
      } catch (SocketTimeoutException e) {
        break;
      } catch (SocketException e) { // reset
        return (System.nanoTime() - start) / 1_000_000;
      }
    }
    return -1;
  }
}
