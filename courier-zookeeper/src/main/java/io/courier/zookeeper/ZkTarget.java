package io.courier.zookeeper;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.common.PathUtils;

/**
 * A parsed {@code zk://[user:password@]host:2181[,host2:2181]/serviceName[?scheme=tcp&basePath=/x]} target.
 *
 * @param connectString the ZooKeeper servers, as ZooKeeper's client takes them
 * @param credentials {@code user:password} for a digest authentication, or null
 * @param serviceName the service whose instances are listed
 * @param basePath where services are registered
 * @param scheme the scheme of the target to call on each instance, or null for {@code tcp} (or {@code tls} for an
 *     instance that serves TLS only)
 */
record ZkTarget(String connectString, String credentials, String serviceName, String basePath, String scheme) {

  static final String DEFAULT_BASE_PATH = "/courier/services";
  static final int DEFAULT_PORT = 2181;
  static final Set<String> SCHEMES = Set.of("tcp", "tls", "http", "https", "ws", "wss");

  private static final String EXPECTED =
      "expected: zk://host:2181[,host2:2181]/serviceName[?scheme=tcp|tls|ws|wss|http|https&basePath=/path]";

  /** The path under which the service's instances are registered. */
  String servicePath() {
    return ZKPaths.makePath(basePath, serviceName);
  }

  /** The target without its credentials, for messages and logs. */
  @Override
  public String toString() {
    return "zk://" + connectString + servicePath().substring(basePath.length())
        + (scheme != null ? "?scheme=" + scheme : "")
        + (basePath.equals(DEFAULT_BASE_PATH) ? "" : (scheme != null ? "&" : "?") + "basePath=" + basePath);
  }

  /**
   * Parses a target.
   *
   * @throws IllegalArgumentException saying what is expected when it is malformed
   */
  static ZkTarget parse(URI uri) {
    String text = redacted(uri);
    if (!"zk".equalsIgnoreCase(uri.getScheme())) {
      throw bad(text, "not a zk:// URI");
    }
    if (uri.isOpaque() || uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
      throw bad(text, "no ZooKeeper server");
    }
    if (uri.getRawFragment() != null) {
      throw bad(text, "a fragment");
    }
    String authority = uri.getRawAuthority();
    String credentials = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      credentials = decode(authority.substring(0, at));
      authority = authority.substring(at + 1);
      if (credentials.indexOf(':') <= 0) {
        throw bad(text, "credentials other than user:password");
      }
    }
    String connectString = connectString(authority, text);

    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String serviceName = path.startsWith("/") ? decode(path.substring(1)) : "";
    if (serviceName.isEmpty() || serviceName.contains("/") || serviceName.equals(".")
        || serviceName.equals("..") || !validNode(serviceName)) {
      throw bad(text, "no service name, or one that is not a single ZooKeeper node name");
    }

    String scheme = null;
    String basePath = DEFAULT_BASE_PATH;
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      for (String pair : uri.getRawQuery().split("&", -1)) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : decode(pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        switch (key) {
          case "scheme" -> {
            scheme = value.toLowerCase(Locale.ROOT);
            if (!SCHEMES.contains(scheme)) {
              throw bad(text, "scheme " + value);
            }
          }
          case "basePath" -> basePath = basePath(value, text);
          default -> throw bad(text, "an unknown parameter " + key);
        }
      }
    }
    return new ZkTarget(connectString, credentials, serviceName, basePath, scheme);
  }

  /** Checks a base path: absolute, without a trailing slash, valid for ZooKeeper. */
  static String basePath(String path, String context) {
    try {
      if (path.length() > 1 && path.endsWith("/")) {
        throw new IllegalArgumentException("a trailing slash");
      }
      PathUtils.validatePath(path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(context + ": basePath " + path + " (expected: an absolute ZooKeeper path "
          + "such as " + DEFAULT_BASE_PATH + "; " + e.getMessage() + ")", e);
    }
    return path;
  }

  /** Whether {@code name} is one valid ZooKeeper node name. */
  static boolean validNode(String name) {
    try {
      PathUtils.validatePath("/" + name);
      return !name.contains("/");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Checks {@code host[:port]} items separated by commas and returns them with ports.
   *
   * @throws IllegalArgumentException for an empty item, a bad host or a bad port
   */
  static String connectString(String hosts, String context) {
    StringBuilder out = new StringBuilder();
    for (String item : hosts.split(",", -1)) {
      String host = item;
      int port = DEFAULT_PORT;
      int colon = item.lastIndexOf(':');
      if (colon >= 0 && item.indexOf(']', colon) < 0) {
        host = item.substring(0, colon);
        try {
          port = Integer.parseInt(item.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
      }
      String checked;
      try {
        checked = new URI("zk://" + host + ":1").getHost();
      } catch (URISyntaxException e) {
        checked = null;
      }
      if (host.isEmpty() || port < 1 || port > 65535 || checked == null) {
        throw bad(context, "ZooKeeper server " + item + " (expected host:port)");
      }
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(host).append(':').append(port);
    }
    return out.toString();
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("target: a malformed %-escape (" + EXPECTED + ")", e);
    }
  }

  /** The URI with any password hidden, so that no message or log line carries it. */
  static String redacted(URI uri) {
    String text = uri.toString();
    String authority = uri.getRawAuthority();
    if (authority != null && authority.indexOf('@') >= 0) {
      text = text.replace(authority, "***@" + authority.substring(authority.lastIndexOf('@') + 1));
    }
    return text;
  }

  private static IllegalArgumentException bad(String target, String found) {
    return new IllegalArgumentException("target: " + target + " (found " + found + "; " + EXPECTED + ")");
  }
}
