package io.courier.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A JSON-RPC 2.0 request, or a notification when it has no id.
 *
 * @param id the request's id, or {@code null} for a notification (an id of JSON {@code null} is
 *     {@link RequestId#NULL}, which makes a request, not a notification)
 * @param method the method name
 * @param params an array or object node, or {@code null} when the request has no params
 */
public record Request(RequestId id, String method, JsonNode params) implements Message {

  /**
   * The notification a caller sends when it gives up on a call, with params {@code {"id": <the call's id>}}
   * (the Language Server Protocol's convention; peers that do not know it ignore it).
   */
  public static final String CANCEL_METHOD = "$/cancelRequest";

  public Request {
    requireNonNull(method, "method");
    if (params != null && !params.isArray() && !params.isObject()) {
      throw new IllegalArgumentException("params: " + params.getNodeType() + " (expected: array or object)");
    }
  }

  /** Returns whether this is a notification, which is never answered. */
  public boolean isNotification() {
    return id == null;
  }
}
