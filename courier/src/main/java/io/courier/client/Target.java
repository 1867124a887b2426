package io.courier.client;

import io.courier.Endpoint;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Where a client connects and how: the transport named by the target URI's scheme, whether it runs inside TLS,
 * the server's address and, for HTTP and WebSocket, the path; or, for a program the client launches and talks to
 * over its standard input and output, the command.
 *
 * @param endpoint the server's address; null for a program
 * @param command the program and its arguments; null for a network target
 */
record Target(Transport transport, boolean secure, Endpoint endpoint, String path, List<String> command) {

  /** The protocol spoken on the connection. */
  enum Transport {
    TCP, HTTP, WS, STDIO;

    /** Its name as {@link io.courier.Peer#protocol()} and event listeners give it, made once, not per call. */
    private final String protocol = name().toLowerCase(Locale.ROOT);

    String protocol() {
      return protocol;
    }
  }

  Target(Transport transport, boolean secure, Endpoint endpoint, String path) {
    this(transport, secure, endpoint, path, null);
  }

  /** A program the client launches, talking to it over its standard input and output. */
  static Target process(List<String> command) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command: [] (expected: a program and its arguments)");
    }
    return new Target(Transport.STDIO, false, null, null, List.copyOf(command));
  }

  static final String DEFAULT_HTTP_PATH = "/rpc";
  static final String DEFAULT_WS_PATH = "/ws";

  /** A plain TCP target. */
  static Target tcp(Endpoint endpoint) {
    return new Target(Transport.TCP, false, endpoint, null);
  }

  /**
   * Parses {@code tcp://}, {@code tls://}, {@code http://}, {@code https://}, {@code ws://} and {@code wss://}
   * URIs; a port is required.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static Target parse(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Transport transport;
    boolean secure;
    switch (scheme) {
      case "tcp" -> { transport = Transport.TCP; secure = false; }
      case "tls" -> { transport = Transport.TCP; secure = true; }
      case "http" -> { transport = Transport.HTTP; secure = false; }
      case "https" -> { transport = Transport.HTTP; secure = true; }
      case "ws" -> { transport = Transport.WS; secure = false; }
      case "wss" -> { transport = Transport.WS; secure = true; }
      default -> throw new IllegalArgumentException("target: " + uri
          + " (expected a scheme of tcp, tls, http, https, ws or wss)");
    }
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("target: " + uri + " (expected: " + scheme + "://host:port"
          + (transport == Transport.TCP ? "" : "/path") + ", with a port)");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? null : uri.getRawPath();
    if (transport == Transport.TCP && path != null && !path.equals("/")) {
      throw new IllegalArgumentException("target: " + uri + " (a " + scheme + " target has no path)");
    }
    if (transport != Transport.TCP && path == null) {
      path = transport == Transport.HTTP ? DEFAULT_HTTP_PATH : DEFAULT_WS_PATH;
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      // URI keeps an IPv6 literal's brackets, Endpoint holds it without (and adds them back when printed).
      host = host.substring(1, host.length() - 1);
    }
    return new Target(transport, secure, Endpoint.of(host, uri.getPort()), transport == Transport.TCP ? null : path);
  }

  /** The scheme this target is written with. */
  String scheme() {
    return switch (transport) {
      case TCP -> secure ? "tls" : "tcp";
      case HTTP -> secure ? "https" : "http";
      case WS -> secure ? "wss" : "ws";
      case STDIO -> "stdio";
    };
  }

  @Override
  public String toString() {
    if (transport == Transport.STDIO) {
      return "stdio:" + String.join(" ", command);
    }
    return scheme() + "://" + endpoint + (path == null ? "" : path);
  }
}
