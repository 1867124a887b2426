package io.courier.bench;

import io.courier.bench.GrpcCodecs.Codec;
import java.util.Arrays;
import java.util.List;

/**
 * The servers the bench measures, each run in a JVM of its own from its class's {@code main}, and the client
 * each is called with. Ratios in the report are relative to {@link #GRPC_JSON}.
 */
enum Target {
  COURIER("courier", "Courier", CourierTarget.class),
  /**
   * Courier with the settings a user picks for methods that never block: {@code @NonBlocking} on the server
   * (methods run on the I/O thread) and a direct callback executor on the client.
   */
  COURIER_IO("courier-io", "Courier, I/O thread", CourierTarget.class, "--io-thread"),
  GRPC_JSON("grpc-json", "gRPC + JSON", GrpcTarget.class, "--codec", "json"),
  GRPC_BINARY("grpc-binary", "gRPC + binary", GrpcTarget.class, "--codec", "binary"),
  JSONRPC4J("jsonrpc4j", "jsonrpc4j", Jsonrpc4jTarget.class),
  NETTY_ECHO("netty-echo", "Netty echo", NettyEchoTarget.class);

  /** The target every row is compared with. */
  static final Target REFERENCE = GRPC_JSON;

  private final String id;
  private final String label;
  private final Class<?> serverMain;
  private final List<String> serverArgs;

  Target(String id, String label, Class<?> serverMain, String... serverArgs) {
    this.id = id;
    this.label = label;
    this.serverMain = serverMain;
    this.serverArgs = List.of(serverArgs);
  }

  /** The name on command lines and in the CSV. */
  String id() {
    return id;
  }

  /** The name in tables. */
  String label() {
    return label;
  }

  Class<?> serverMain() {
    return serverMain;
  }

  List<String> serverArgs() {
    return serverArgs;
  }

  static Target byId(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("target: " + id + " (expected one of "
            + Arrays.stream(values()).map(Target::id).toList() + ")"));
  }

  /** Opens this target's client for one cell. */
  Driver client(String host, int port, Cell cell) throws Exception {
    return switch (this) {
      case COURIER -> CourierTarget.client(host, port, cell, false);
      case COURIER_IO -> CourierTarget.client(host, port, cell, true);
      case GRPC_JSON -> GrpcTarget.client(host, port, Codec.JSON, cell);
      case GRPC_BINARY -> GrpcTarget.client(host, port, Codec.BINARY, cell);
      case JSONRPC4J -> Jsonrpc4jTarget.client(host, port, cell);
      case NETTY_ECHO -> NettyEchoTarget.client(host, port, cell);
    };
  }

  /**
   * Opens {@code count} connections, makes one call on each so that each is fully set up, and returns them,
   * idle, to be closed when the server has been probed.
   */
  AutoCloseable holdIdle(String host, int port, int count) throws Exception {
    return switch (this) {
      case COURIER, COURIER_IO -> CourierTarget.holdIdle(host, port, count);
      case GRPC_JSON -> GrpcTarget.holdIdle(host, port, Codec.JSON, count);
      case GRPC_BINARY -> GrpcTarget.holdIdle(host, port, Codec.BINARY, count);
      case JSONRPC4J -> Jsonrpc4jTarget.holdIdle(host, port, count);
      case NETTY_ECHO -> NettyEchoTarget.holdIdle(host, port, count);
    };
  }
}
