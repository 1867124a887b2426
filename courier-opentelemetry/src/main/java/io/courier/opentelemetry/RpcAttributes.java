package io.courier.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;

/**
 * The attribute keys the spans carry, as named by OpenTelemetry's semantic conventions for RPC and JSON-RPC
 * (development status when written). Kept here rather than taken from the incubating semconv artifact, whose
 * constants move between releases and which would be one more dependency for a handful of strings.
 */
final class RpcAttributes {

  /** The RPC system, in the conventions' current name. */
  static final AttributeKey<String> RPC_SYSTEM_NAME = AttributeKey.stringKey("rpc.system.name");
  /** The RPC system, in the name conventions before 1.38 used; many backends still read only this one. */
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  /** The JSON-RPC error code of a failed call, as a string. */
  static final AttributeKey<String> RPC_STATUS_CODE = AttributeKey.stringKey("rpc.status_code");
  static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
  static final AttributeKey<String> JSONRPC_PROTOCOL_VERSION = AttributeKey.stringKey("jsonrpc.protocol.version");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<Long> CLIENT_PORT = AttributeKey.longKey("client.port");
  static final AttributeKey<String> NETWORK_PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> NETWORK_PEER_PORT = AttributeKey.longKey("network.peer.port");
  static final AttributeKey<String> NETWORK_TRANSPORT = AttributeKey.stringKey("network.transport");
  static final AttributeKey<String> NETWORK_PROTOCOL_NAME = AttributeKey.stringKey("network.protocol.name");

  static final String JSONRPC = "jsonrpc";
  static final String VERSION_2_0 = "2.0";

  /** What every span of a call carries, client's and server's alike. */
  static final Attributes EVERY_CALL = Attributes.of(RPC_SYSTEM_NAME, JSONRPC, RPC_SYSTEM, JSONRPC,
      JSONRPC_PROTOCOL_VERSION, VERSION_2_0);

  private RpcAttributes() {}
}
