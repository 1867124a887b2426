package io.courier;

/**
 * Thrown to a caller when the connection its call was sent on was lost, could not be opened, or the client
 * was closed. Whether a call that had been written ran at the server is unknown.
 */
public final class ConnectionException extends RpcException {

  private static final long serialVersionUID = 1L;

  public ConnectionException(RpcError error, Throwable cause) {
    super(error, cause);
  }
}
