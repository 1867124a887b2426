package io.courier;

/**
 * A single function registered by name, with the tutorial's shape: it receives positional and keyword
 * arguments as they arrived and returns any value (or a {@link java.util.concurrent.CompletionStage} of one).
 * It lives beside the error model rather than in the server package because either end of a connection may
 * serve functions.
 *
 * <pre>{@code
 * RpcServer.builder()
 *     .method("test", args -> "the test function has been called")
 *     .build();
 * }</pre>
 *
 * <p>A handler is called from the executor threads of the end that serves it, possibly from several at once.
 */
@FunctionalInterface
public interface RpcHandler {

  /**
   * Handles one call. Throw {@link RpcException} to choose the error sent back; any other
   * exception is sent as an internal error.
   */
  Object handle(Arguments arguments) throws Exception;
}
