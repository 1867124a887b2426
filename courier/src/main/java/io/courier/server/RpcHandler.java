package io.courier.server;

/**
 * A single function registered by name, with the tutorial's shape: it receives positional and keyword
 * arguments as they arrived and returns any value (or a {@link java.util.concurrent.CompletionStage} of one).
 *
 * <pre>{@code
 * RpcServer.builder()
 *     .method("test", args -> "the test function has been called")
 *     .build();
 * }</pre>
 *
 * <p>A handler is called from the server's executor threads, possibly from several at once.
 */
@FunctionalInterface
public interface RpcHandler {

  /**
   * Handles one call. Throw {@link io.courier.RpcException} to choose the error sent back; any other
   * exception is sent as an internal error.
   */
  Object handle(Arguments arguments) throws Exception;
}
