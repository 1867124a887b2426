package io.courier.transport;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * What the HTTP side of a server port answers: where JSON-RPC is posted, where WebSocket upgrades, which
 * browser origins may call (CORS), which {@code Host} names it answers for, the largest body, the static
 * files served (the browser client), and its health.
 *
 * @param rpcPaths        paths that take a JSON-RPC {@code POST}
 * @param webSocketPath   the path of the WebSocket upgrade
 * @param corsOrigins     origins allowed to call from a browser; {@code "*"} allows any; empty turns CORS off
 * @param allowedHosts    the {@code Host} header values answered; others get 421
 * @param maxMessageBytes the largest body or WebSocket message
 * @param resources       static files by path
 * @param getPaths        paths whose {@code GET} the server answers itself (as an {@link HttpGet})
 * @param draining        whether the server has begun to stop, for {@link #HEALTH_PATH}
 */
public record HttpOptions(Set<String> rpcPaths, String webSocketPath, Set<String> corsOrigins,
    AllowedHosts allowedHosts, int maxMessageBytes, Map<String, Resource> resources, Set<String> getPaths,
    BooleanSupplier draining) {

  /** Where a load balancer or an orchestrator asks whether the server takes calls. */
  public static final String HEALTH_PATH = "/health";

  /** A static file served with {@code GET}. */
  public record Resource(String contentType, byte[] content) {}

  public HttpOptions {
    rpcPaths = Set.copyOf(rpcPaths);
    corsOrigins = Set.copyOf(corsOrigins);
    requireNonNull(allowedHosts, "allowedHosts");
    resources = Map.copyOf(resources);
    getPaths = Set.copyOf(getPaths);
    requireNonNull(draining, "draining");
  }

  /** Whether a browser page from {@code origin} may call. */
  boolean allowsOrigin(String origin) {
    return origin != null && (corsOrigins.contains("*") || corsOrigins.contains(origin));
  }
}
