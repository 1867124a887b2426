package io.courier.opentelemetry;

import static io.courier.opentelemetry.RpcAttributes.ERROR_TYPE;
import static io.courier.opentelemetry.RpcAttributes.RPC_STATUS_CODE;

import io.courier.RpcException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Records how a call ended on its span, and ends it. */
final class Outcomes {

  private Outcomes() {}

  /**
   * Ends {@code span} with the call's outcome: nothing more for a result ({@code failure} null); for an
   * {@link RpcException}, its JSON-RPC code as {@code rpc.status_code} and {@code error.type}, as the
   * conventions ask of an error response; for anything else, which failed before any code was given, the
   * exception's class name as {@code error.type}. Either failure sets the status to ERROR.
   */
  static void end(Span span, Throwable failure) {
    if (failure != null) {
      Throwable cause = unwrap(failure);
      if (cause instanceof RpcException rpc) {
        String code = Integer.toString(rpc.code());
        span.setAttribute(RPC_STATUS_CODE, code);
        span.setAttribute(ERROR_TYPE, code);
        // The error's message is what the caller is sent, so it is no more private in a trace than on the wire.
        span.setStatus(StatusCode.ERROR, rpc.error().message());
      } else {
        span.setAttribute(ERROR_TYPE, cause.getClass().getName());
        // No description: an arbitrary exception's message may hold what the server never sends its callers.
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end();
  }

  /** Finds what failed the call inside the wrappers that futures add around it. */
  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
