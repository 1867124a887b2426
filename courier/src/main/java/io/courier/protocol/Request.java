package io.courier.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.RequestId;
import java.util.Map;

/**
 * A JSON-RPC 2.0 request, or a notification when it has no id.
 *
 * @param id the request's id, or {@code null} for a notification (an id of JSON {@code null} is
 *     {@link RequestId#NULL}, which makes a request, not a notification)
 * @param method the method name
 * @param params an array or object node, or {@code null} when the request has no params
 * @param timeoutMs how long the caller waits for the reply, in milliseconds, from the
 *     {@value JsonRpcCodec#TIMEOUT_MEMBER} member; -1 when the request did not say
 * @param meta the call's metadata from the {@value JsonRpcCodec#META_MEMBER} member (a trace context, say), or
 *     {@code null} when it had none
 */
public record Request(RequestId id, String method, JsonNode params, long timeoutMs, Map<String, String> meta)
    implements Message {

  /**
   * The notification a caller sends when it gives up on a call, with params {@code {"id": <the call's id>}}
   * (the Language Server Protocol's convention; peers that do not know it ignore it).
   */
  public static final String CANCEL_METHOD = "$/cancelRequest";

  /**
   * A request a Courier client sends to check that an idle connection is still alive; a Courier server answers
   * {@code "pong"}, and any other JSON-RPC server answers with an error, which proves the same.
   */
  public static final String PING_METHOD = "$/ping";

  /**
   * The notification that gives a connection its bearer token, params {@code {"token": "..."}}: how a client
   * authenticates on transports without request headers (raw TCP, and WebSocket from a browser). It applies to
   * the calls that follow it on the connection.
   */
  public static final String AUTHENTICATE_METHOD = "$/authenticate";
  /** The longest token {@link #AUTHENTICATE_METHOD} takes: an HTTP header block's limit, 8 KiB. */
  public static final int MAX_TOKEN_CHARS = 8192;

  /**
   * The notification a subscriber sends to ask for more items of a subscription, params
   * {@code {"id": <the subscribing call's id>, "n": <how many more>}}; the publisher never sends more items than
   * were asked for.
   */
  public static final String DEMAND_METHOD = "$/demand";

  /**
   * The notification that carries items of a subscription, params
   * {@code {"id": <the subscribing call's id>, "items": [...]}}; the subscribing call's response ends the
   * subscription (a result: completed; an error: failed).
   */
  public static final String ITEMS_METHOD = "$/items";

  /** Creates a request that does not say how long its caller waits and carries no metadata. */
  public Request(RequestId id, String method, JsonNode params) {
    this(id, method, params, -1, null);
  }

  /** Creates a request that carries no metadata. */
  public Request(RequestId id, String method, JsonNode params, long timeoutMs) {
    this(id, method, params, timeoutMs, null);
  }

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
