package io.courier.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client (RFC 6455) on a plain {@link Socket}, so a test controls every byte: it performs the
 * opening handshake, writes frames masked or not, whole or in pieces, and reads the server's frames as they are
 * (no reassembly, no automatic pong or close reply). Also reads HTTP/1.1 responses ({@link HttpResponse}), which
 * raw HTTP tests can reuse. Not thread-safe, except that one thread may write while another reads.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** One frame as read from the server. */
  public record Frame(boolean fin, int opcode, boolean masked, byte[] payload) {

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame; 1005 (no status) when its payload is empty. */
    public int closeStatus() {
      if (opcode != CLOSE) {
        throw new IllegalStateException("not a close frame: opcode " + opcode);
      }
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    public String closeReason() {
      return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }

    @Override
    public String toString() {
      String body = opcode == CLOSE ? closeStatus() + " " + closeReason()
          : opcode == BINARY ? payload.length + " bytes" : abbreviate(text());
      return "Frame[fin=" + fin + ", opcode=" + opcode + ", masked=" + masked + ", " + body + "]";
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final HttpResponse handshake;

  private RawWebSocket(Socket socket, InputStream in, HttpResponse handshake) throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.handshake = handshake;
  }

  /** Opens a connection to 127.0.0.1:{@code port} and upgrades it on {@code path}; fails unless the server says 101. */
  public static RawWebSocket connect(int port, String path) throws IOException {
    return connect(port, path, Map.of(), 0);
  }

  /**
   * Opens a connection with extra handshake headers (e.g. {@code Origin}) and, when {@code sndBuf > 0}, a small
   * socket send buffer (so the bytes a writer got out are close to the bytes the server received).
   */
  public static RawWebSocket connect(int port, String path, Map<String, String> headers, int sndBuf)
      throws IOException {
    Socket socket = new Socket();
    try {
      if (sndBuf > 0) {
        socket.setSendBufferSize(sndBuf);
      }
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      String key = Base64.getEncoder().encodeToString(nonce);
      StringBuilder req = new StringBuilder()
          .append("GET ").append(path).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("Upgrade: websocket\r\n")
          .append("Connection: Upgrade\r\n")
          .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
          .append("Sec-WebSocket-Version: 13\r\n");
      headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      req.append("\r\n");
      socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      HttpResponse response = HttpResponse.read(in, false);
      if (response.status() != 101) {
        throw new IOException("WebSocket handshake refused: " + response);
      }
      String accept = response.header("Sec-WebSocket-Accept");
      if (!acceptFor(key).equals(accept)) {
        throw new IOException("bad Sec-WebSocket-Accept " + accept + " for key " + key + ": " + response);
      }
      return new RawWebSocket(socket, in, response);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** The value a server must answer in {@code Sec-WebSocket-Accept} for {@code key}. */
  public static String acceptFor(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  public Socket socket() {
    return socket;
  }

  public HttpResponse handshake() {
    return handshake;
  }

  // ------------------------------------------------------------------------------------------------ writing

  /** Encodes one frame; a masked frame gets a random non-zero key, as a client's must. */
  public static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
    byte[] key = masked ? maskKey() : null;
    byte[] header = header(fin, opcode, payload.length, key);
    byte[] f = new byte[header.length + payload.length];
    System.arraycopy(header, 0, f, 0, header.length);
    System.arraycopy(payload, 0, f, header.length, payload.length);
    if (key != null) {
      for (int i = 0; i < payload.length; i++) {
        f[header.length + i] ^= key[i & 3];
      }
    }
    return f;
  }

  /** A frame header announcing {@code length} payload bytes; {@code maskKey} null for an unmasked frame. */
  public static byte[] header(boolean fin, int opcode, long length, byte[] maskKey) {
    ByteArrayOutputStream h = new ByteArrayOutputStream(14);
    h.write((fin ? 0x80 : 0) | (opcode & 0x0f));
    int maskBit = maskKey != null ? 0x80 : 0;
    if (length < 126) {
      h.write(maskBit | (int) length);
    } else if (length <= 0xffff) {
      h.write(maskBit | 126);
      h.write((int) (length >>> 8) & 0xff);
      h.write((int) length & 0xff);
    } else {
      h.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        h.write((int) (length >>> shift) & 0xff);
      }
    }
    if (maskKey != null) {
      h.write(maskKey, 0, 4);
    }
    return h.toByteArray();
  }

  private static byte[] maskKey() {
    byte[] key = new byte[4];
    do {
      ThreadLocalRandom.current().nextBytes(key);
    } while (key[0] == 0 && key[1] == 0 && key[2] == 0 && key[3] == 0);
    return key;
  }

  /** Sends one masked text frame with the whole message. */
  public RawWebSocket sendText(String text) throws IOException {
    return sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one masked frame. */
  public RawWebSocket sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
    return raw(frame(fin, opcode, payload, true));
  }

  /** Sends bytes as they are. */
  public RawWebSocket raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /**
   * Writes {@code bytes} in pieces of {@code chunk} bytes until done or the connection fails, ignoring the
   * failure (the server may close first); returns how many bytes were written.
   */
  public long writeIgnoringClose(byte[] bytes, int chunk) {
    long written = 0;
    try {
      for (int off = 0; off < bytes.length; off += chunk) {
        int n = Math.min(chunk, bytes.length - off);
        out.write(bytes, off, n);
        out.flush();
        written += n;
      }
    } catch (IOException closed) {
      // the server closed before the end: the caller decides whether that was allowed
    }
    return written;
  }

  // ------------------------------------------------------------------------------------------------ reading

  /** Reads the next frame, whatever it is; fails after the socket timeout (5 s unless changed). */
  public Frame readFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    boolean masked = (b1 & 0x80) != 0;
    long length = b1 & 0x7f;
    if (length == 126) {
      length = (readByte() << 8) | readByte();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | readByte();
      }
    }
    if (length < 0 || length > 64 * 1024 * 1024) {
      throw new IOException("frame length " + length + " out of range");
    }
    byte[] key = masked ? readN(4) : null;
    byte[] payload = readN((int) length);
    if (key != null) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= key[i & 3];
      }
    }
    return new Frame((b0 & 0x80) != 0, b0 & 0x0f, masked, payload);
  }

  /** Reads the next frame and requires it to be a whole text frame; returns its text. */
  public String readText() throws IOException {
    Frame f = readFrame();
    if (f.opcode() != TEXT || !f.fin()) {
      throw new IOException("expected a whole text frame, got " + f);
    }
    return f.text();
  }

  /**
   * Reads frames (discarding any other) until a close frame arrives, the connection ends, or {@code timeoutMs}
   * pass; returns the close frame, or null when there was none.
   */
  public Frame awaitCloseFrame(long timeoutMs) throws IOException {
    long end = System.nanoTime() + timeoutMs * 1_000_000;
    int saved = socket.getSoTimeout();
    try {
      while (System.nanoTime() < end) {
        socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
        Frame f = readFrame();
        if (f.opcode() == CLOSE) {
          return f;
        }
      }
    } catch (EOFException | SocketTimeoutException e) {
      return null;
    } catch (SocketException reset) {
      return null;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(saved);
      }
    }
    return null;
  }

  /**
   * Waits up to {@code timeoutMs} for the server to end the TCP connection, discarding what it sends; returns
   * the milliseconds it took, or -1 when the connection is still open.
   */
  public long awaitEof(long timeoutMs) throws IOException {
    return Sockets.awaitEof(socket, in, timeoutMs);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed");
    }
    return b;
  }

  private byte[] readN(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new EOFException("connection closed in a frame");
    }
    return b;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
  }

  // ------------------------------------------------------------------------------------------------ HTTP

  /** One HTTP/1.1 response as read off the wire: status, headers (names compared ignoring case) and body. */
  public record HttpResponse(int status, String reason, Map<String, List<String>> headers, byte[] body) {

    /**
     * Reads one response. The body is delimited by {@code Content-Length} or chunked encoding; none for 1xx, 204
     * and 304; otherwise, when {@code toEof} is set, it runs to the end of the connection. Fails with an
     * {@link EOFException} when the connection ends before a status line.
     */
    public static HttpResponse read(InputStream in, boolean toEof) throws IOException {
      String statusLine = line(in);
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP status line: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String l = line(in); !l.isEmpty(); l = line(in)) {
        int colon = l.indexOf(':');
        if (colon <= 0) {
          throw new IOException("bad header line: " + l);
        }
        headers.computeIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(l.substring(colon + 1).trim());
      }
      byte[] body;
      List<String> te = headers.getOrDefault("transfer-encoding", List.of());
      List<String> cl = headers.getOrDefault("content-length", List.of());
      if (status < 200 || status == 204 || status == 304) {
        body = new byte[0];
      } else if (!te.isEmpty() && te.get(te.size() - 1).toLowerCase(Locale.ROOT).endsWith("chunked")) {
        body = chunked(in);
      } else if (!cl.isEmpty()) {
        int n = Integer.parseInt(cl.get(0));
        body = in.readNBytes(n);
        if (body.length < n) {
          throw new EOFException("connection closed in a response body");
        }
      } else if (toEof) {
        body = in.readAllBytes();
      } else {
        body = new byte[0];
      }
      return new HttpResponse(status, parts.length > 2 ? parts[2] : "", Collections.unmodifiableMap(headers), body);
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public boolean hasHeader(String name) {
      return headers.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return status + " " + reason + " " + headers + " " + abbreviate(text());
    }

    private static byte[] chunked(InputStream in) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (;;) {
        String sizeLine = line(in);
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        if (size == 0) {
          while (!line(in).isEmpty()) {
            // trailers
          }
          return body.toByteArray();
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size) {
          throw new EOFException("connection closed in a chunk");
        }
        body.write(chunk);
        line(in);
      }
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      for (;;) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException(buf.size() == 0 ? "connection closed" : "connection closed in a line");
        }
        if (b == '\n') {
          break;
        }
        if (buf.size() > 65536) {
          throw new IOException("line too long");
        }
        buf.write(b);
      }
      String s = buf.toString(StandardCharsets.ISO_8859_1);
      return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
  }
}
