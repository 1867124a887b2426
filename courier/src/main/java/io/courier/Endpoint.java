package io.courier;

import static java.util.Objects.requireNonNull;

/**
 * A host and port a server listens on or a client connects to.
 *
 * @param host a host name or IP literal (IPv6 without brackets)
 * @param port a TCP port, 1 to 65535
 */
public record Endpoint(String host, int port) {

  public Endpoint {
    requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host: empty (expected: a host name or IP address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
  }

  public static Endpoint of(String host, int port) {
    return new Endpoint(host, port);
  }

  /** Parses {@code host:port}, or {@code [v6-address]:port}. */
  public static Endpoint parse(String hostAndPort) {
    requireNonNull(hostAndPort, "hostAndPort");
    int colon = hostAndPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostAndPort.length() - 1) {
      throw new IllegalArgumentException("endpoint: " + hostAndPort + " (expected: host:port)");
    }
    String host = hostAndPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostAndPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("endpoint: " + hostAndPort + " (expected: host:port)", e);
    }
    return new Endpoint(host, port);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
