package io.courier;

import java.net.SocketAddress;

/**
 * One call as an {@link RpcEventListener} sees it: a call this end serves, or one it makes. The same object is
 * given to {@link RpcEventListener#callStarted} and {@link RpcEventListener#callEnded}, so a listener may use it as
 * a key between the two; what it tells about the outcome is set by the time the call ends. Read it in the
 * listener's methods, or pass it to another thread the way any object is passed safely (a queue, an executor).
 */
@Experimental
public interface CallEvent {

  /** Whether this end serves the call (it runs, or was to run, one of its methods), rather than making it. */
  boolean served();

  /** Returns the method name as called on the wire. */
  String method();

  /** Returns the request's id, or null for a notification and a call in the tutorial's dialect. */
  RequestId id();

  /**
   * Returns the protocol of the connection the call came in on or went out on ({@code tcp}, {@code http},
   * {@code ws}, {@code stdio}); null for a call made that never reached a connection.
   */
  String protocol();

  /**
   * Returns the address of the other end: the caller of a served call, the server of a call made (the last one
   * tried); null when a call made never reached a connection.
   */
  SocketAddress remoteAddress();

  /** Returns how long a served call waited for a thread before its method ran (or was refused); 0 for others. */
  long queuedNanos();

  /**
   * Returns how long the call took, in nanoseconds: from its arrival to its reply for a served call, from the call
   * to its outcome for a call made. Valid once the call ended.
   */
  long durationNanos();

  /**
   * Returns the size of the request in bytes, as it was on the wire (a batch's size is shared evenly among its
   * calls); -1 when unknown (a call made that was never written).
   */
  long requestBytes();

  /**
   * Returns the size of the response in bytes (shared as for requests); -1 when there was none (a notification,
   * a call made that was not answered). Valid once the call ended.
   */
  long responseBytes();

  /**
   * Returns the error the call ended with, or null when it returned a result. Valid once the call ended. A call
   * made that failed on this end (a timeout, a lost connection) has the error its caller got.
   */
  RpcError error();

  /**
   * Whether the served method ran: false for a call refused before it could (busy, expired or cancelled in the
   * queue, or rejected by an interceptor such as authentication). Always true for a call made once it was sent.
   * Valid once the call ended.
   */
  boolean ran();
}
