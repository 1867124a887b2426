package io.courier.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A raw TCP connection to a server on 127.0.0.1 that sends newline-delimited messages and reads reply lines, so
 * that a test sees the wire without any client library in between. Connecting and every read time out after five
 * seconds. Not thread-safe.
 */
public final class LineSocket implements AutoCloseable {

  private static final int TIMEOUT_MS = 5_000;

  private final Socket socket = new Socket();
  private final BufferedReader in;
  private final OutputStream out;

  public LineSocket(int port) throws IOException {
    socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
    socket.setSoTimeout(TIMEOUT_MS);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
  }

  /** This end's address, as the server sees its peer. */
  public SocketAddress localAddress() {
    return socket.getLocalSocketAddress();
  }

  /** Sends {@code text} and a newline. */
  public void send(String text) throws IOException {
    out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The next line the server sent, or null when it closed the connection. */
  public String readLine() throws IOException {
    return in.readLine();
  }

  /** Sends {@code text} and returns the next line. */
  public String call(String text) throws IOException {
    send(text);
    return readLine();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
