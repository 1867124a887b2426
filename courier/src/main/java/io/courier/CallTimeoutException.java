package io.courier;

/**
 * Thrown to a caller when its call's deadline passed before a reply arrived. The server was told that the
 * caller gave up; whether the method ran there is unknown.
 */
public final class CallTimeoutException extends RpcException {

  private static final long serialVersionUID = 1L;

  public CallTimeoutException(String message) {
    super(RpcError.TIMEOUT.withMessage(message));
  }
}
