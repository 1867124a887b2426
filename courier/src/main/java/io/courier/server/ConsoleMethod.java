package io.courier.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.MethodDescriptor;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.peer.LocalMethod;
import java.lang.annotation.Annotation;
import java.util.List;

/**
 * The built-in {@code rpc.courier.console} method: answers with a {@link ConsoleStats} snapshot for the web console
 * at {@code /console}. Registered in the method table like {@code rpc.discover}, so that every datum the console
 * shows passes through the server's interceptors (authentication) and limits; the page itself is static code.
 * Immutable and thread-safe.
 */
final class ConsoleMethod implements LocalMethod {

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
  private final ObjectWriter writer;
  private final MethodDescriptor descriptor;

  ConsoleMethod(ConsoleStats stats, String title, String version, ObjectMapper mapper) {
    this.stats = stats;
    this.title = title;
    this.version = version;
    this.writer = mapper.writerFor(JsonNode.class);
    this.descriptor = new MethodDescriptor(METHOD, "Returns what the web console shows: recent calls, errors and "
        + "latencies per method, and the open connections.", "", "", List.of(), false, true, JsonNode.class,
        false, false, List.of());
  }

  /** The stats it reads, which the server adds to its event listeners. */
  ConsoleStats stats() {
    return stats;
  }

  /** Answers {@link #HTTP_PATH} with the snapshot as JSON. */
  HttpGetHandler httpGet() {
    return context -> new HttpGetHandler.Response("application/json", writer.writeValueAsBytes(invoke(null)));
  }

  @Override
  public String name() {
    return METHOD;
  }

  @Override
  public MethodDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public int arity() {
    return 0;
  }

  @Override
  public Object[] bind(ArrayNode args, ObjectNode kwargs) {
    if ((args != null && !args.isEmpty()) || (kwargs != null && !kwargs.isEmpty())) {
      throw new RpcException(RpcError.INVALID_PARAMS.withData(
          JsonNodeFactory.instance.textNode(METHOD + " takes no params")));
    }
    return new Object[0];
  }

  @Override
  public Object invoke(Object[] bound) {
    ObjectNode snapshot = stats.snapshot();
    snapshot.putObject("server").put("title", title).put("version", version);
    return snapshot;
  }

  @Override
  public ObjectWriter resultWriter() {
    return writer;
  }

  @Override
  public boolean nonBlocking() {
    return false;
  }

  @Override
  public boolean declares(Throwable thrown) {
    return false;
  }

  @Override
  public <A extends Annotation> A annotation(Class<A> type) {
    return null;
  }

  @Override
  public String toString() {
    return METHOD + " -> web console snapshot";
  }
}
