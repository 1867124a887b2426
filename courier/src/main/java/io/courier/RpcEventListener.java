package io.courier;

/**
 * Observes what one end does: its connections, the calls it serves and makes, and the messages it refuses before
 * any method runs. Metrics are built on it ({@code courier-micrometer}); so can logging or auditing be. Given to a
 * server with {@code RpcServerBuilder.eventListener} and to a client with {@code RpcClientBuilder.eventListener}.
 *
 * <p>Every method does nothing by default. They are called on I/O threads and workers, often while a reply
 * waits, so they must be fast and must not block; what one throws is logged and ignored. Each
 * {@link #callStarted} is followed by exactly one {@link #callEnded} for the same {@link CallEvent}. Server-internal
 * messages ({@code $/cancelRequest}, {@code $/ping}, {@code $/authenticate}) are not calls and are not reported.
 * Implementations must be thread-safe.
 */
@Experimental
public interface RpcEventListener {

  /** A connection opened: one a server accepted, or one a client opened; its protocol is known by then. */
  default void connectionOpened(Peer connection) {}

  /** A connection that {@link #connectionOpened} reported has closed. */
  default void connectionClosed(Peer connection) {}

  /**
   * A call began: on a server, a request or notification for a registered method arrived and counts as in flight
   * from now on; on a client, a call was made.
   */
  default void callStarted(CallEvent call) {}

  /**
   * A call that {@link #callStarted} reported ended, with a result or an error; see its {@link CallEvent}. It is
   * told as the outcome is settled, not before the caller learns it: a client's caller may hold its result, and a
   * server's caller its reply, a moment before this runs.
   */
  default void callEnded(CallEvent call) {}

  /**
   * A message was refused before any method ran, whether or not an error was sent back (a notification gets
   * none): it could not be parsed or was not valid JSON-RPC, it named no registered method or params that fit
   * none, it came while the end was busy or stopping, or its frame or batch was over a limit.
   *
   * @param method the method it named, or null when there was none (a message that could not be parsed, a
   *     frame or batch refused as a whole)
   * @param error the error it got, or would have got as a request
   */
  default void callRejected(Peer connection, String method, RpcError error) {}
}
