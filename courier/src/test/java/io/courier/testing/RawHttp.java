package io.courier.testing;

import io.courier.testing.RawWebSocket.HttpResponse;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw HTTP/1.1 connection to 127.0.0.1 for tests that must control every byte (smuggling, limits,
 * pipelining): it writes what it is given and reads responses with {@link HttpResponse#read}.
 */
public final class RawHttp implements AutoCloseable {
  public final Socket socket;
  public final InputStream in;
  public final OutputStream out;

  /** {@code sndBuf} of 0 leaves the OS default. */
  public RawHttp(int port, int sndBuf) throws IOException {
    socket = new Socket();
    if (sndBuf > 0) {
      socket.setSendBufferSize(sndBuf);
    }
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    socket.setSoTimeout(5000);
    in = new BufferedInputStream(socket.getInputStream(), 65536);
    out = socket.getOutputStream();
  }

  /** Sends {@code s} as UTF-8 (plain ASCII for everything but JSON bodies). */
  public RawHttp send(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  public HttpResponse read() throws IOException {
    return HttpResponse.read(in, false);
  }

  public long awaitEof(long timeoutMs) throws IOException {
    return Sockets.awaitEof(socket, in, timeoutMs);
  }

  /** Reads into {@code sink} until the connection ends (true) or {@code timeoutMs} pass (false). */
  public boolean drainToEof(long timeoutMs, ByteArrayOutputStream sink) throws IOException {
    long end = System.nanoTime() + timeoutMs * 1_000_000;
    byte[] buf = new byte[8192];
    while (System.nanoTime() < end) {
      socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
      try {
        int n = in.read(buf);
        if (n < 0) {
          return true;
        }
        sink.write(buf, 0, n);
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException reset) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
