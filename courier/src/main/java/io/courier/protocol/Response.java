package io.courier.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.RequestId;
import io.courier.RpcError;

/**
 * A JSON-RPC 2.0 response: a result or an error for the request with the same id.
 *
 * @param id the id of the request this answers ({@link RequestId#NULL} when the server could not read it)
 * @param result the result, when the call succeeded (a {@code NullNode} for a {@code null} result)
 * @param error the error, when the call failed; exactly one of {@code result} and {@code error} is set
 */
public record Response(RequestId id, JsonNode result, RpcError error) implements Message {

  public Response {
    requireNonNull(id, "id");
    if ((result == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of result and error must be set");
    }
  }

  public boolean isError() {
    return error != null;
  }
}
