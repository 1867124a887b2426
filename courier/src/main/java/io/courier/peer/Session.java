package io.courier.peer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.ConnectionException;
import io.courier.Peer;
import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.protocol.Decoded;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.Response;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One connection seen as JSON-RPC, the same on either end: each decoded frame's requests and notifications go
 * to its {@link InboundCalls}, its responses to its {@link OutboundCalls}. It is also the {@link Peer} that the
 * methods it runs see as their caller. The server's and the client's connection classes are Netty adapters
 * around it: they accept or connect, apply backpressure and timers, and give it a {@link Link} to write with.
 * Thread-safe; one per connection.
 */
public final class Session implements Peer, Caller {

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
    /** Returns the protocol the connection speaks: {@code tcp}, {@code http}, {@code ws} or {@code stdio}. */
    String protocol();

    /** Whether this end may send a message of its own accord (not on an HTTP server connection). */
    boolean canPush();

    /** Frames and queues one message; ownership of {@code message} passes. */
    void send(ByteBuf message);
  }

  private final Serving serving;
  private final Calling calling;
  private final Channel channel;
  private final Link link;
  private final InboundCalls inbound;
  private final OutboundCalls outbound;
  /** A bearer token the peer sent as {@code $/authenticate}, for the authentication interceptors. */
  private volatile String token;
  /** Proxies made by {@link #create}, one per interface. */
  private final Map<Class<?>, Object> proxies = new ConcurrentHashMap<>();
  /** Made once, not a method reference per call: the error a call gets when this end stopped before it was sent. */
  private final Supplier<ConnectionException> closedError = this::closed;

  /**
   * @param outbound the calls this end sends on the connection (a client makes it before it connects, so that
   *     calls can wait for the connection)
   * @param onRoomAgain run (on any thread) when the calls in flight fall below the cap again, so the connection
   *     can resume reading
   */
  public Session(Serving serving, Calling calling, Channel channel, Link link, OutboundCalls outbound,
      Runnable onRoomAgain) {
    this.serving = serving;
    this.calling = calling;
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
    int bytes = frame.readableBytes();
    route(decodeAndRelease(frame, plainStrings), bytes, headers, sink, false);
  }

  /**
   * Like {@link #receive}, but runs none of the frame's calls: each is answered "busy" (not run, safe to send
   * again), notifications are dropped, and responses still reach the outbound half. For a connection that has
   * as many calls in flight as it may while this end waits for the peer's answers: reading on lets the answers
   * in, without a queue of calls growing meanwhile.
   */
  public void refuse(ByteBuf frame, int[] plainStrings, HttpHeaders headers, ReplySink sink) {
    int bytes = frame.readableBytes();
    route(decodeAndRelease(frame, plainStrings), bytes, headers, sink, true);
  }

  /**
   * A lone response (the common frame on a client: the answer to one of its calls) goes straight to the outbound
   * half, with nothing to answer; anything else, batches with responses in them included, to the inbound half,
   * which passes their responses on.
   */
  private void route(Decoded decoded, int bytes, HttpHeaders headers, ReplySink sink, boolean refuse) {
    if (!decoded.batch() && decoded.messages().get(0) instanceof Response response) {
      outbound.complete(response, bytes);
      sink.reply(null, true);
      return;
    }
    inbound.handle(decoded, bytes, headers, sink, refuse);
  }

  private Decoded decodeAndRelease(ByteBuf frame, int[] plainStrings) {
    try {
      return decode(serving.codec(), frame, plainStrings);
    } finally {
      frame.release();
    }
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

  /** Writes a message of this end's own, such as a subscription's items. */
  void send(ByteBuf message) {
    link.send(message);
  }

  /** Whether this end can send messages of its own on the connection (not on an HTTP server connection). */
  boolean canPush() {
    return link.canPush();
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
  public String token() {
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
    if (outbound.isClosed()) {
      throw closed();
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
  public boolean isOpen() {
    return !outbound.isClosed() && channel.isActive();
  }

  @Override
  public <T> T create(Class<T> service) {
    requireNonNull(service, "service");
    return service.cast(proxies.computeIfAbsent(service, s -> ProxyFactory.create(s, this, calling.mapper())));
  }

  @Override
  public <R> CompletableFuture<R> call(String method, Class<R> resultType, Object... params) {
    requireNonNull(method, "method");
    return call(method, params == null ? new Object[] {null} : params, calling.mapper().readerFor(resultType),
        false, false, RpcException::new);
  }

  @Override
  public <R> CompletableFuture<R> callNamed(String method, Class<R> resultType, Map<String, ?> params) {
    requireNonNull(method, "method");
    requireNonNull(params, "params");
    return call(method, params, calling.mapper().readerFor(resultType), false, false, RpcException::new);
  }

  @Override
  public <T> Flow.Publisher<T> subscribe(String method, Class<T> itemType, Object... params) {
    requireNonNull(method, "method");
    requireNonNull(itemType, "itemType");
    return subscribe(method, params == null ? new Object[] {null} : params, calling.mapper().readerFor(itemType),
        RpcException::new);
  }

  // ---------------------------------------------------------------------------------------------- Caller

  /** Calls the peer: admitted, timed and cancelled as any call of this end, and sent on this connection. */
  @Override
  public <R> CompletableFuture<R> call(String method, Object params, ObjectReader reader, boolean sync,
      boolean idempotent, Function<RpcError, Throwable> errors) {
    if (!link.canPush()) {
      throw new IllegalStateException("A " + protocol() + " connection cannot carry calls to the peer");
    }
    OutboundCall<R> call = calling.newCall(method, params, reader, calling.callTimeout(), sync, idempotent, errors,
        null, null);
    if (!calling.admit(call) || !calling.armDeadline(call, call.deadline() - System.nanoTime(), closedError)) {
      return call.future();
    }
    sendCall(call, calling.timeoutMs(call));
    return call.future();
  }

  @Override
  public <R> Flow.Publisher<R> subscribe(String method, Object params, ObjectReader itemReader,
      Function<RpcError, Throwable> errors) {
    if (!link.canPush()) {
      throw new IllegalStateException("A " + protocol() + " connection cannot carry a subscription");
    }
    return OutboundStream.publisher(calling, method, params, itemReader, errors, call -> sendCall(call, -1));
  }

  /** Registers a call as pending on this connection and writes its request. */
  private void sendCall(OutboundCall<?> call, long timeoutMs) {
    List<OutboundCall<?>> live = outbound.register(List.of(call));
    if (live.isEmpty()) {
      return;
    }
    RequestId id = RequestId.of(call.id());
    ByteBuf message = outbound.encode(channel.alloc(), live,
        (codec, out) -> codec.writeRequest(out, id, call.method(), call.params(), timeoutMs));
    if (message != null) {
      link.send(message);
      outbound.written(live);
    }
  }

  @Override
  public void notify(String method, Object[] params) {
    notify(method, (Object) params);
  }

  @Override
  public String describe() {
    return "peer " + remoteAddress();
  }

  private ConnectionException closed() {
    return new ConnectionException(RpcError.CONNECTION_LOST.withMessage("Connection to peer " + remoteAddress()
        + " is closed"), null);
  }

  @Override
  public String toString() {
    return "Session{" + protocol() + " " + remoteAddress() + "}";
  }
}
