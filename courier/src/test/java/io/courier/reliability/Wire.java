package io.courier.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testing.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A raw JSON-RPC peer on a plain {@link Socket}: writes bytes in a chosen framing and reads the server's replies
 * (a line per reply on JSON-stream connections, a header block and body on Content-Length ones). Not thread-safe.
 */
final class Wire implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** The three ways a client can frame messages to the one auto-detecting port. */
  enum Framing {
    NEWLINE, CONCATENATED, CONTENT_LENGTH;

    byte[] frame(byte[] body) {
      return switch (this) {
        case NEWLINE -> concat(body, new byte[] {'\n'});
        case CONCATENATED -> body;
        case CONTENT_LENGTH -> concat(("Content-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII), body);
      };
    }

    boolean contentLength() {
      return this == CONTENT_LENGTH;
    }
  }

  final Socket socket;
  final Framing framing;
  private final InputStream in;
  private final OutputStream out;

  Wire(int port, Framing framing) throws IOException {
    this(port, framing, 0, 0);
  }

  /** Opens a connection; {@code rcvBuf}/{@code sndBuf} of 0 leave the OS defaults. */
  Wire(int port, Framing framing, int rcvBuf, int sndBuf) throws IOException {
    this.framing = framing;
    socket = new Socket();
    if (rcvBuf > 0) {
      socket.setReceiveBufferSize(rcvBuf);
    }
    if (sndBuf > 0) {
      socket.setSendBufferSize(sndBuf);
    }
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    socket.setSoTimeout(5000);
    in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
    out = socket.getOutputStream();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Sends one message in this connection's framing. */
  Wire send(String json) throws IOException {
    return raw(framing.frame(utf8(json)));
  }

  /** Sends bytes as they are. */
  Wire raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  Wire raw(String s) throws IOException {
    return raw(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends a message and reads one reply. */
  JsonNode call(String json) throws IOException {
    send(json);
    return read();
  }

  /** Reads one reply as JSON. */
  JsonNode read() throws IOException {
    return JSON.readTree(readText());
  }

  /** Reads one reply's text, failing after the socket timeout (5 s unless changed). */
  String readText() throws IOException {
    if (framing.contentLength()) {
      int length = -1;
      for (String line = readLine(); !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(line.substring(colon + 1).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      if (body.length < length) {
        throw new EOFException("connection closed in a reply body");
      }
      return new String(body, StandardCharsets.UTF_8);
    }
    String line;
    do {
      line = readLine();
    } while (line.isBlank());
    return line;
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    for (;;) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b == '\n') {
        break;
      }
      buf.write(b);
    }
    String s = buf.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * Waits up to {@code timeoutMs} for the server to close the connection, discarding what it sends; returns the
   * milliseconds it took, or -1 when the connection is still open.
   */
  long awaitClose(long timeoutMs) throws IOException {
    return Sockets.awaitEof(socket, in, timeoutMs);
  }

  void soTimeout(int ms) throws SocketException {
    socket.setSoTimeout(ms);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
