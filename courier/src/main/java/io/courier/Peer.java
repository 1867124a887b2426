package io.courier;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The other end of the connection a call came in on, as a method or an interceptor sees it through
 * {@link RpcContext#peer()}: who it is and how it is connected, and a way to send it notifications on the same
 * connection (raw TCP and WebSocket; HTTP only answers requests). Thread-safe.
 */
public interface Peer {

  /** Returns the peer's address. */
  SocketAddress remoteAddress();

  /** Returns the protocol the connection speaks: {@code tcp}, {@code http} or {@code ws}. */
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
   * @throws IllegalArgumentException when {@code params} cannot be serialized, or the notification would exceed
   *     this end's {@code maxOutboundMessageBytes}
   */
  void notify(String method, Object params);
}
