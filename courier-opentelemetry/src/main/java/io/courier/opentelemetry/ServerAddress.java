package io.courier.opentelemetry;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The server a client calls, as far as its target says: host, port and how it is reached. Only a single
 * server's URI (or a bare {@code host:port}, which is raw TCP) names one; a list, a registry such as
 * {@code zk://} (whose host is the registry, not the server) or a program does not.
 *
 * @param protocolName the application protocol under JSON-RPC ({@code http}, {@code websocket}), or null on raw
 *     TCP and TLS, where JSON-RPC is itself the protocol
 */
record ServerAddress(String host, int port, String protocolName) {

  /** Returns the server {@code target} names, or null when it names none or cannot be read. */
  static ServerAddress parse(String target) {
    if (target == null || target.isEmpty() || target.indexOf(',') >= 0 || target.indexOf(' ') >= 0) {
      return null;
    }
    String uri = target.contains("://") ? target : "tcp://" + target;
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    String protocolName;
    switch (scheme) {
      case "tcp", "tls" -> protocolName = null;
      case "http", "https" -> protocolName = "http";
      case "ws", "wss" -> protocolName = "websocket";
      default -> {
        return null;
      }
    }
    String host = parsed.getHost();
    if (host == null || parsed.getPort() < 0) {
      return null; // the client requires a port, so a target without one never got this far
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // an IPv6 literal, recorded without the URI's brackets
    }
    return new ServerAddress(host, parsed.getPort(), protocolName);
  }
}
