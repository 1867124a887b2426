package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides from a connection's first bytes which protocol it speaks: a TLS handshake, an HTTP/1.1 request, or
 * raw JSON-RPC (a JSON value or a {@code Content-Length} header block). It reads at most
 * {@link #MAX_DETECTION_BYTES}, asks its {@link Stacks} to install the protocol's handlers after it, and removes
 * itself, passing the bytes it holds on to them. Anything else is closed with a log line. Not sharable.
 */
public final class ProtocolDetector extends ByteToMessageDecoder {

  /** Enough for the longest HTTP method token plus its space ({@code OPTIONS }, {@code CONNECT }). */
  public static final int MAX_DETECTION_BYTES = 8;

  private static final Logger log = LoggerFactory.getLogger(ProtocolDetector.class);

  /** The TLS record type of a handshake message: the first byte of every ClientHello. */
  private static final int TLS_HANDSHAKE = 0x16;

  private static final String[] HTTP_METHODS = {
      "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ", "PATCH ", "TRACE ", "CONNECT "};
  /** Starts of raw JSON-RPC that are letters: the header framing (any case) and JSON's literals. */
  private static final String[] RAW_WORDS = {"content-", "true", "false", "null"};

  /** Installs a protocol's handlers after the detector; called on the event loop. */
  public interface Stacks {
    /** A TLS handshake: install TLS and, after it, a new detector for what runs inside. */
    void tls(ChannelHandlerContext detector);

    /** An HTTP/1.1 request (WebSocket upgrades included). */
    void http(ChannelHandlerContext detector);

    /** Raw JSON-RPC framing (a JSON stream or {@code Content-Length} headers). */
    void raw(ChannelHandlerContext detector);
  }

  /** What the first bytes say, so far. */
  enum Verdict { TLS, HTTP, RAW, UNKNOWN, NEED_MORE }

  private final Stacks stacks;
  private final boolean tlsAllowed;
  private final boolean plaintextAllowed;

  /**
   * @param tlsAllowed       whether a TLS handshake may start here: false when the server has no TLS, and
   *                         inside TLS
   * @param plaintextAllowed whether HTTP and raw JSON-RPC may start here: false on a port that requires TLS
   *                         (inside TLS they always may)
   */
  public ProtocolDetector(Stacks stacks, boolean tlsAllowed, boolean plaintextAllowed) {
    this.stacks = stacks;
    this.tlsAllowed = tlsAllowed;
    this.plaintextAllowed = plaintextAllowed;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    Verdict verdict = classify(in);
    switch (verdict) {
      case NEED_MORE -> {
        return;
      }
      case TLS -> {
        if (!tlsAllowed) {
          refuse(ctx, in, "a TLS handshake, but TLS is not configured here");
          return;
        }
        stacks.tls(ctx);
      }
      case HTTP, RAW -> {
        if (!plaintextAllowed) {
          refuse(ctx, in, "plaintext " + verdict + ", but this port requires TLS");
          return;
        }
        if (verdict == Verdict.HTTP) {
          stacks.http(ctx);
        } else {
          stacks.raw(ctx);
        }
      }
      default -> {
        refuse(ctx, in, "an unknown protocol");
        return;
      }
    }
    ctx.pipeline().remove(this); // hands the bytes read so far to the handlers just installed
  }

  private static void refuse(ChannelHandlerContext ctx, ByteBuf in, String what) {
    log.info("Closing connection from {}: its first bytes ({}) are {}", ctx.channel().remoteAddress(),
        ByteBufUtil.hexDump(in, in.readerIndex(), Math.min(in.readableBytes(), MAX_DETECTION_BYTES)), what);
    in.skipBytes(in.readableBytes());
    ctx.close();
  }

  /** Classifies the bytes seen so far; package-private for tests. */
  static Verdict classify(ByteBuf in) {
    int n = in.readableBytes();
    if (n == 0) {
      return Verdict.NEED_MORE;
    }
    int first = in.getUnsignedByte(in.readerIndex());
    if (first == TLS_HANDSHAKE) {
      return Verdict.TLS;
    }
    if (first == '{' || first == '[' || first == '"' || first == '-' || (first >= '0' && first <= '9')
        || first == ' ' || first == '\t' || first == '\r' || first == '\n') {
      return Verdict.RAW; // a JSON value (the framer and codec judge the rest) or whitespace before one
    }
    if (!Character.isLetter(first)) {
      return Verdict.UNKNOWN;
    }
    String head = in.toString(in.readerIndex(), Math.min(n, MAX_DETECTION_BYTES), StandardCharsets.ISO_8859_1);
    boolean couldBeMore = false;
    for (String method : HTTP_METHODS) {
      if (head.startsWith(method)) {
        return Verdict.HTTP;
      }
      couldBeMore |= method.startsWith(head);
    }
    String lower = head.toLowerCase(Locale.ROOT);
    for (String rawStart : RAW_WORDS) {
      if (lower.startsWith(rawStart) || head.startsWith(rawStart)) {
        return Verdict.RAW;
      }
      couldBeMore |= rawStart.startsWith(lower);
    }
    return couldBeMore && n < MAX_DETECTION_BYTES ? Verdict.NEED_MORE : Verdict.UNKNOWN;
  }
}
