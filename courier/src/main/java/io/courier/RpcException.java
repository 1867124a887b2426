package io.courier;

import static java.util.Objects.requireNonNull;

/**
 * The unchecked exception that carries an {@link RpcError}.
 *
 * <p>On the client, every failed call ends with an {@code RpcException} (or a subclass, or an exception type
 * the interface method declares). On the server, a service throws it to choose the code, message and data of
 * the error that is sent back.
 */
public class RpcException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient RpcError error;

  public RpcException(RpcError error) {
    this(error, null);
  }

  public RpcException(RpcError error, Throwable cause) {
    super(requireNonNull(error, "error").code() + " " + error.message(), cause);
    this.error = error;
  }

  /** Creates an exception for an application error with the given code and message. */
  public RpcException(int code, String message) {
    this(RpcError.of(code, message));
  }

  public RpcError error() {
    return error;
  }

  public int code() {
    return error.code();
  }
}
