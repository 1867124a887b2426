package io.courier.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.peer.BuiltInMethod;

/**
 * The built-in {@code rpc.courier.console} method: answers with a {@link ConsoleStats} snapshot for the web console
 * at {@code /console}. Registered in the method table like {@code rpc.discover}, so that every datum the console
 * shows passes through the server's interceptors (authentication) and limits; the page itself is static code.
 * Immutable and thread-safe.
 */
final class ConsoleMethod extends BuiltInMethod {

  /** The snapshot method's name, under the prefix reserved for the protocol's own methods. */
  static final String METHOD = "rpc.courier.console";
  /**
   * Where the same snapshot answers a plain {@code GET}, past the interceptors like any {@code httpGet} path: for
   * scripts, and so that a refusal is an HTTP 401 rather than a JSON-RPC error in a 200.
   */
  static final String HTTP_PATH = "/console/snapshot";

  private final ConsoleStats stats;
  private final String title;
  private final String version;

  ConsoleMethod(ConsoleStats stats, String title, String version, ObjectMapper mapper) {
    super(METHOD, "Returns what the web console shows: recent calls, errors and latencies per method, and the "
        + "open connections.", mapper);
    this.stats = stats;
    this.title = title;
    this.version = version;
  }

  /** The stats it reads, which the server adds to its event listeners. */
  ConsoleStats stats() {
    return stats;
  }

  /** Answers {@link #HTTP_PATH} with the snapshot as JSON. */
  HttpGetHandler httpGet() {
    return context -> new HttpGetHandler.Response("application/json",
        resultWriter().writeValueAsBytes(invoke(null)));
  }

  @Override
  public Object invoke(Object[] bound) {
    ObjectNode snapshot = stats.snapshot();
    snapshot.putObject("server").put("title", title).put("version", version);
    return snapshot;
  }

  @Override
  public String toString() {
    return METHOD + " -> web console snapshot";
  }
}
