package io.courier;

/**
 * Thrown to a caller when the connection its call was sent on was lost, could not be opened, or the client
 * was closed. {@link #wasSent()} says whether the call may have run at the server.
 */
public final class ConnectionException extends RpcException {

  private static final long serialVersionUID = 1L;

  private final boolean sent;

  /** A failure of a call that was, or may have been, written to the server: whether it ran is unknown. */
  public ConnectionException(RpcError error, Throwable cause) {
    this(error, cause, true);
  }

  private ConnectionException(RpcError error, Throwable cause, boolean sent) {
    super(error, cause);
    this.sent = sent;
  }

  /**
   * A failure of a call that was never written, because no connection could be had: the server never saw it, so
   * sending it again (to this server or another) cannot run it twice.
   */
  public static ConnectionException notSent(RpcError error, Throwable cause) {
    return new ConnectionException(error, cause, false);
  }

  /**
   * Whether the call was written to a connection before it failed, so that it may have run at the server; false
   * when it never left this process.
   */
  public boolean wasSent() {
    return sent;
  }
}
