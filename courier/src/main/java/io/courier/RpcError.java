package io.courier;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * An immutable JSON-RPC error: a code, a short message and optional structured data.
 *
 * <p>The five errors of the JSON-RPC 2.0 specification are constants here, as are Courier's own codes in the
 * range the specification reserves for implementations (-32000 to -32099). Each code is described in
 * {@code docs/errors.md}. Application errors should use codes outside -32768..-32000.
 *
 * <p>Instances are immutable and thread-safe; {@link #withMessage} and {@link #withData} return copies.
 */
public final class RpcError {

  /** Invalid JSON was received (-32700). */
  public static final int PARSE_ERROR_CODE = -32700;
  /** The JSON sent is not a valid request object (-32600). */
  public static final int INVALID_REQUEST_CODE = -32600;
  /** The method does not exist or is not available (-32601). */
  public static final int METHOD_NOT_FOUND_CODE = -32601;
  /** Invalid method parameters (-32602). */
  public static final int INVALID_PARAMS_CODE = -32602;
  /** Internal JSON-RPC error (-32603). */
  public static final int INTERNAL_ERROR_CODE = -32603;

  /** The server was too busy to take the call; it was not processed and is safe to retry (-32000). */
  public static final int SERVER_BUSY_CODE = -32000;
  /**
   * The caller is not authenticated: no credentials, or ones the server does not accept (-32001, the code the
   * acceptance battery fixes). The method did not run and its params were not read.
   */
  public static final int UNAUTHENTICATED_CODE = -32001;
  /** The server is shutting down; the call was not processed and is safe to retry elsewhere (-32007). */
  public static final int SHUTTING_DOWN_CODE = -32007;
  /** The caller is authenticated but not allowed to call this method (-32008). The method did not run. */
  public static final int PERMISSION_DENIED_CODE = -32008;
  /** The call's deadline passed before it completed (-32002). */
  public static final int TIMEOUT_CODE = -32002;
  /** The caller cancelled the call (-32003). */
  public static final int CANCELLED_CODE = -32003;
  /** A size or count limit was exceeded (message, batch, pending calls) (-32004). */
  public static final int LIMIT_EXCEEDED_CODE = -32004;
  /** The connection carrying the call was lost; the outcome at the server is unknown (-32005). */
  public static final int CONNECTION_LOST_CODE = -32005;
  /** The client was closed while the call was pending (-32006). */
  public static final int CLIENT_CLOSED_CODE = -32006;
  /**
   * The service method threw an exception it declares in its {@code throws} clause (-32010). The error's data
   * names the exception type so that a Java client can rebuild it.
   */
  public static final int DECLARED_EXCEPTION_CODE = -32010;

  public static final RpcError PARSE_ERROR = new RpcError(PARSE_ERROR_CODE, "Parse error", null);
  public static final RpcError INVALID_REQUEST = new RpcError(INVALID_REQUEST_CODE, "Invalid Request", null);
  public static final RpcError METHOD_NOT_FOUND = new RpcError(METHOD_NOT_FOUND_CODE, "Method not found", null);
  public static final RpcError INVALID_PARAMS = new RpcError(INVALID_PARAMS_CODE, "Invalid params", null);
  public static final RpcError INTERNAL_ERROR = new RpcError(INTERNAL_ERROR_CODE, "Internal error", null);
  public static final RpcError SERVER_BUSY =
      new RpcError(SERVER_BUSY_CODE, "Server busy: the call was not processed", null);
  public static final RpcError UNAUTHENTICATED =
      new RpcError(UNAUTHENTICATED_CODE, "Unauthenticated: missing or invalid credentials", null);
  public static final RpcError PERMISSION_DENIED =
      new RpcError(PERMISSION_DENIED_CODE, "Permission denied", null);
  public static final RpcError SHUTTING_DOWN =
      new RpcError(SHUTTING_DOWN_CODE, "Server shutting down: the call was not processed", null);
  public static final RpcError TIMEOUT = new RpcError(TIMEOUT_CODE, "Deadline exceeded", null);
  public static final RpcError CANCELLED = new RpcError(CANCELLED_CODE, "Cancelled", null);
  public static final RpcError LIMIT_EXCEEDED = new RpcError(LIMIT_EXCEEDED_CODE, "Limit exceeded", null);
  public static final RpcError CONNECTION_LOST = new RpcError(CONNECTION_LOST_CODE, "Connection lost", null);
  public static final RpcError CLIENT_CLOSED = new RpcError(CLIENT_CLOSED_CODE, "Client closed", null);

  private final int code;
  private final String message;
  private final JsonNode data;

  private RpcError(int code, String message, JsonNode data) {
    this.code = code;
    this.message = requireNonNull(message, "message");
    this.data = data;
  }

  /** Returns an error with the given code and message and no data. */
  public static RpcError of(int code, String message) {
    return new RpcError(code, message, null);
  }

  /** Returns an error with the given code, message and data ({@code null} for none). */
  public static RpcError of(int code, String message, JsonNode data) {
    return new RpcError(code, message, data);
  }

  public int code() {
    return code;
  }

  public String message() {
    return message;
  }

  /** Returns the error's structured data, or {@code null} when it has none. */
  public JsonNode data() {
    return data;
  }

  /** Returns a copy of this error with another message. */
  public RpcError withMessage(String message) {
    return new RpcError(code, message, data);
  }

  /** Returns a copy of this error with other data ({@code null} for none). */
  public RpcError withData(JsonNode data) {
    return new RpcError(code, message, data);
  }

  /**
   * Returns whether a call that failed with this error is known not to have been processed by the server,
   * so that sending it again cannot run it twice.
   */
  public boolean isUnprocessed() {
    return code == SERVER_BUSY_CODE || code == SHUTTING_DOWN_CODE;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RpcError other
        && code == other.code
        && message.equals(other.message)
        && Objects.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(code, message, data);
  }

  @Override
  public String toString() {
    return data == null ? code + " " + message : code + " " + message + " " + data;
  }
}
