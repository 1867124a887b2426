package io.courier.client;

/** The wire dialect a client speaks. */
public enum Dialect {
  /** JSON-RPC 2.0 on one long-lived connection, calls matched to replies by id. The default. */
  JSON_RPC,
  /**
   * The tutorial's dialect: {@code {"method_name", "method_args", "method_kwargs"}} answered by
   * {@code {"res": ...}}. Its server answers one call per connection and then closes it, so the client opens a
   * connection per call. Notifications and batches do not exist in this dialect.
   */
  SEED
}
