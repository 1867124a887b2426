package io.courier.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives JSON-RPC notifications that the server sends on a client's connection (raw TCP or WebSocket), such
 * as events of a subscription. Called on the client's callback executor, possibly on several threads at once
 * and not necessarily in arrival order: implementations must be thread-safe.
 */
@FunctionalInterface
public interface NotificationListener {

  /**
   * Handles one notification. What it throws is logged and otherwise ignored.
   *
   * @param params the params as sent: an array, an object, or null
   */
  void onNotification(String method, JsonNode params);
}
