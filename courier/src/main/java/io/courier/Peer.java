package io.courier;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The other end of the connection a call came in on, as a method or an interceptor sees it through
 * {@link RpcContext#peer()}: who it is and how it is connected, and a way to call it and send it notifications
 * on the same connection. JSON-RPC is symmetric, so a server calls its client back this way, and a client's
 * methods call the server that called them. Raw TCP and WebSocket carry calls both ways; HTTP/1.1 only answers
 * requests. Keep it to call the peer later; once its connection has closed, every call fails at once with a
 * {@link ConnectionException}. Thread-safe.
 */
public interface Peer {

  /** Returns the peer's address. */
  SocketAddress remoteAddress();

  /** Returns the protocol the connection speaks: {@code tcp}, {@code http}, {@code ws} or {@code stdio}. */
  String protocol();

  /** Returns whether the connection runs inside TLS. */
  boolean isSecure();

  /** Returns the certificate the peer presented in the TLS handshake (mutual TLS), if any. */
  Optional<X509Certificate> peerCertificate();

  /** Returns whether {@link #notify} can reach the peer: the connection is open and not HTTP. */
  boolean canNotify();

  /**
   * Sends the peer a JSON-RPC notification ({@code params} serialized with this end's object mapper). It is
   * queued behind the replies already queued on the connection and never blocks; it is lost if the connection
   * closes first, like any message in flight.
   *
   * @throws IllegalStateException when the connection cannot carry notifications to the peer (HTTP)
   * @throws ConnectionException when the connection has closed
   * @throws IllegalArgumentException when {@code params} cannot be serialized, or the notification would exceed
   *     this end's {@code maxOutboundMessageBytes}
   */
  void notify(String method, Object params);

  /** Returns whether the connection is still open: calls and notifications to a closed peer fail at once. */
  @Experimental
  boolean isOpen();

  /**
   * Returns a proxy that calls the peer's methods, as {@code RpcClient.create} does for a server: blocking
   * methods wait for the reply, methods returning {@code CompletableFuture} do not, and declared exceptions
   * are rebuilt. Calls get the timeout this end was built with ({@code RpcServerBuilder.peerCallTimeout}, or
   * the client's {@code callTimeout}), or less when made while serving a call with less time left; they are
   * cancelled on the peer ({@code $/cancelRequest}) when they time out or are cancelled.
   *
   * <p>A blocking method called from a method this end serves lets the peer's calls back in while it waits,
   * so that a chain of calls between the two cannot deadlock, even when every worker is busy. It must not be
   * called on an I/O thread (a {@link NonBlocking} method): it throws {@link IllegalStateException} there.
   *
   * @throws IllegalArgumentException when {@code service} is not an interface or one of its methods cannot be
   *     called remotely
   */
  @Experimental
  <T> T create(Class<T> service);

  /**
   * Calls the peer's {@code method} with params by position and binds the result to {@code resultType}. The
   * future fails with an {@link RpcException} ({@link CallTimeoutException}, {@link ConnectionException} when
   * the connection is closed or closes) or completes with the result, exactly once.
   *
   * @throws IllegalStateException when the connection cannot carry calls to the peer (HTTP)
   */
  @Experimental
  <R> CompletableFuture<R> call(String method, Class<R> resultType, Object... params);

  /** Calls the peer's {@code method} with params by name; see {@link #call(String, Class, Object...)}. */
  @Experimental
  <R> CompletableFuture<R> callNamed(String method, Class<R> resultType, Map<String, ?> params);

  /**
   * Subscribes to the peer's {@code method}, which returns a {@code Flow.Publisher}; see
   * {@code RpcClient.subscribe}: the same demand-driven stream, in the other direction.
   *
   * @throws IllegalStateException when the connection cannot carry a subscription (HTTP)
   */
  @Experimental
  <T> Flow.Publisher<T> subscribe(String method, Class<T> itemType, Object... params);
}
