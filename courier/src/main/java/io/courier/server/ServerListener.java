package io.courier.server;

import io.courier.Experimental;

/**
 * Told when a server starts and stops, so that a registry can announce it and withdraw it: a server
 * {@linkplain RpcServerBuilder#listener registers} any number of listeners, and calls them in order on the thread
 * that starts or stops it. A listener that throws is logged and does not stop the server from starting or
 * stopping.
 */
@Experimental
public interface ServerListener {

  /** The server is listening on its port and serving calls ({@link RpcServer#port()} is known). */
  default void started(RpcServer server) {}

  /**
   * The server has begun a graceful stop and still serves calls: withdraw it now, so that clients leave it
   * before it refuses new calls and answers the ones in flight. Not called for a server that was never started.
   */
  default void stopping(RpcServer server) {}

  /** The server has stopped: its port is closed and every call has had its answer. */
  default void stopped(RpcServer server) {}
}
