package io.courier.transport;

import java.util.Map;
import java.util.Set;

/**
 * What the HTTP side of a server port answers: where JSON-RPC is posted, where WebSocket upgrades, which
 * browser origins may call (CORS), the largest body, and the static files served (the browser client).
 *
 * @param rpcPaths        paths that take a JSON-RPC {@code POST}
 * @param webSocketPath   the path of the WebSocket upgrade
 * @param corsOrigins     origins allowed to call from a browser; {@code "*"} allows any; empty turns CORS off
 * @param maxMessageBytes the largest body or WebSocket message
 * @param resources       static files by path
 */
public record HttpOptions(Set<String> rpcPaths, String webSocketPath, Set<String> corsOrigins,
    int maxMessageBytes, Map<String, Resource> resources) {

  /** A static file served with {@code GET}. */
  public record Resource(String contentType, byte[] content) {}

  public HttpOptions {
    rpcPaths = Set.copyOf(rpcPaths);
    corsOrigins = Set.copyOf(corsOrigins);
    resources = Map.copyOf(resources);
  }

  /** Whether a browser page from {@code origin} may call. */
  boolean allowsOrigin(String origin) {
    return origin != null && (corsOrigins.contains("*") || corsOrigins.contains(origin));
  }
}
