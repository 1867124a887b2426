package io.courier.protocol;

import static java.util.Objects.requireNonNull;

import io.courier.RequestId;
import io.courier.RpcError;

/**
 * A message that could not be accepted, with the error to answer it with.
 *
 * @param id the id to answer with: the message's own id when it could be read, otherwise
 *     {@link RequestId#NULL}
 * @param error the error to send
 * @param seed whether the message was in the tutorial's dialect, so the error goes back in that dialect
 */
public record InvalidMessage(RequestId id, RpcError error, boolean seed) implements Message {

  public InvalidMessage {
    requireNonNull(id, "id");
    requireNonNull(error, "error");
  }
}
