package io.courier.peer;

import io.courier.Peer;
import io.courier.protocol.Decoded;
import io.courier.protocol.JsonRpcCodec;
import io.courier.transport.Encoder;
import io.courier.transport.TlsSupport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * One connection seen as JSON-RPC, the same on either end: each decoded frame's requests and notifications go
 * to its {@link InboundCalls}, its responses to its {@link OutboundCalls}. It is also the {@link Peer} that the
 * methods it runs see as their caller. The server's and the client's connection classes are Netty adapters
 * around it: they accept or connect, apply backpressure and timers, and give it a {@link Link} to write with.
 * Thread-safe; one per connection.
 */
public final class Session implements Peer {

  /** Where a frame's reply goes; the connection writes it in its own framing. */
  @FunctionalInterface
  public interface ReplySink {
    /**
     * Takes the reply to one frame (ownership passes), or {@code null} when nothing is to be answered.
     * {@code jsonRpc} is false for a reply in the tutorial's dialect, which is sent exactly as its server sends
     * it, without a trailing newline.
     */
    void reply(ByteBuf body, boolean jsonRpc);
  }

  /** How a session writes messages of its own (requests, notifications) to its connection. */
  public interface Link {
    /** Returns the protocol the connection speaks: {@code tcp}, {@code http} or {@code ws}. */
    String protocol();

    /** Whether this end may send a message of its own accord (not on an HTTP server connection). */
    boolean canPush();

    /** Frames and queues one message; ownership of {@code message} passes. */
    void send(ByteBuf message);
  }

  private final Serving serving;
  private final Channel channel;
  private final Link link;
  private final InboundCalls inbound;
  private final OutboundCalls outbound;
  /** A bearer token the peer sent as {@code $/authenticate}, for the authentication interceptors. */
  private volatile String token;

  /**
   * @param outbound the calls this end sends on the connection (a client makes it before it connects, so that
   *     calls can wait for the connection)
   * @param onRoomAgain run (on any thread) when the calls in flight fall below the cap again, so the connection
   *     can resume reading
   */
  public Session(Serving serving, Channel channel, Link link, OutboundCalls outbound, Runnable onRoomAgain) {
    this.serving = serving;
    this.channel = channel;
    this.link = link;
    this.outbound = outbound;
    this.inbound = new InboundCalls(serving, channel, this, onRoomAgain);
  }

  public InboundCalls inbound() {
    return inbound;
  }

  public OutboundCalls outbound() {
    return outbound;
  }

  /**
   * Decodes one frame and routes its messages: calls to the inbound half, which hands the frame's reply to
   * {@code sink} once they are done (exactly once, {@code null} when nothing is to be answered); responses to
   * the outbound half. Releases {@code frame}.
   *
   * @param plainStrings the long plain strings the framing scan found, or null (see
   *     {@link io.courier.transport.ScannedFrame})
   * @param headers the HTTP headers that came with the frame, or null on raw TCP
   */
  public void receive(ByteBuf frame, int[] plainStrings, HttpHeaders headers, ReplySink sink) {
    Decoded decoded;
    try {
      decoded = decode(serving.codec(), frame, plainStrings);
    } finally {
      frame.release();
    }
    inbound.handle(decoded, headers, sink);
  }

  /**
   * Decodes a frame's bytes, in place when they are in an array, else from a copy. Does not release
   * {@code content}.
   */
  private static Decoded decode(JsonRpcCodec codec, ByteBuf content, int[] plainStrings) {
    if (content.hasArray()) {
      return codec.decode(content.array(), content.arrayOffset() + content.readerIndex(), content.readableBytes(),
          plainStrings);
    }
    byte[] bytes = ByteBufUtil.getBytes(content);
    return codec.decode(bytes, 0, bytes.length, plainStrings);
  }

  /** Ends the session: running calls are cancelled, pending ones fail with {@code failure}. */
  public void close(Throwable failure) {
    inbound.cancelAll();
    outbound.close(failure);
  }

  /** Remembers the bearer token the peer sent for this connection; never logged. */
  void token(String token) {
    this.token = token;
  }

  /** Returns the bearer token sent with {@code $/authenticate}, or null. */
  String token() {
    return token;
  }

  // ------------------------------------------------------------------------------------------------ Peer

  @Override
  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  @Override
  public String protocol() {
    return link.protocol();
  }

  @Override
  public boolean isSecure() {
    return channel.pipeline().get(SslHandler.class) != null;
  }

  @Override
  public Optional<X509Certificate> peerCertificate() {
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    return tls == null ? Optional.empty() : TlsSupport.peerCertificate(tls);
  }

  @Override
  public boolean canNotify() {
    return link.canPush() && channel.isActive();
  }

  @Override
  public void notify(String method, Object params) {
    if (!link.canPush()) {
      throw new IllegalStateException("A " + protocol() + " connection cannot carry notifications to the peer");
    }
    JsonRpcCodec codec = serving.codec();
    ByteBuf body;
    try {
      body = Encoder.encode(channel.alloc(), serving.limits().maxOutboundMessageBytes(),
          out -> codec.writeRequest(out, null, method, params));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Cannot encode the params of notification " + method + ": " + e, e);
    }
    link.send(body);
  }

  @Override
  public String toString() {
    return "Session{" + protocol() + " " + remoteAddress() + "}";
  }
}
