package io.courier.transport;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} header values an HTTP request may carry, the defence against DNS rebinding: a page on
 * {@code evil.example} whose name the attacker re-points at the server's address is "same origin" with the
 * server in the browser's eyes, but its requests still say {@code Host: evil.example}. Immutable.
 *
 * <p>A server bound to a loopback address (or the name {@code localhost}) accepts only loopback hosts:
 * {@code localhost} and IP literals of the loopback range. Any other server accepts every IP literal (a browser
 * only sends one as {@code Host} for a page it fetched from that address, which no DNS answer can change),
 * {@code localhost}, the name it was bound to and the machine's own host name. On top of these, the names
 * configured; {@code "*"} among them accepts any host. The port of the header is not compared: a proxy or a
 * port mapping may have changed it, and a rebinding attacker gains nothing from it.
 */
public final class AllowedHosts {

  /** How a {@code Host} header value was judged. */
  public enum Verdict {
    /** The server answers for this host. */
    ACCEPTED,
    /** A well-formed host the server does not answer for: 421 Misdirected Request. */
    MISDIRECTED,
    /** Not a host at all (RFC 9112 §3.2): 400. */
    MALFORMED
  }

  private final boolean loopbackOnly;
  private final boolean any;
  /** Lower-case names (IPv6 literals without brackets) accepted besides the defaults. */
  private final Set<String> names;

  private AllowedHosts(boolean loopbackOnly, boolean any, Set<String> names) {
    this.loopbackOnly = loopbackOnly;
    this.any = any;
    this.names = Set.copyOf(names);
  }

  /**
   * The hosts a server bound to {@code bindHost} accepts.
   *
   * @param bindHost   the address or name the server listens on, as given to the builder
   * @param configured further host names, without port; {@code "*"} accepts any host
   * @param machineNames the machine's own names, accepted unless the server is bound to loopback
   */
  public static AllowedHosts forServer(String bindHost, Set<String> configured, Set<String> machineNames) {
    requireNonNull(bindHost, "bindHost");
    String bound = normalize(bindHost);
    boolean loopback = isLoopback(bound);
    Set<String> names = new HashSet<>();
    for (String name : configured) {
      names.add(normalize(requireNonNull(name, "allowed host")));
    }
    if (!loopback) {
      names.add(bound);
      machineNames.forEach(name -> names.add(normalize(name)));
    }
    return new AllowedHosts(loopback, names.remove("*"), names);
  }

  /**
   * The machine's host name, for {@link #forServer}; empty when it cannot be told. It may take a lookup in the
   * system's host table, so it is called once, when the server is built, never on an I/O thread.
   */
  public static Set<String> machineNames() {
    try {
      return Set.of(InetAddress.getLocalHost().getHostName());
    } catch (UnknownHostException e) {
      return Set.of();
    }
  }

  /**
   * Checks a host name given to the builder: a DNS name or IP literal (IPv6 with or without brackets), without
   * scheme or port, or {@code "*"}.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static void requireHostName(String name) {
    requireNonNull(name, "allowed host");
    String n = name.trim();
    boolean ipv6 = n.startsWith("[") ? n.endsWith("]") : NetUtil.isValidIpV6Address(n);
    boolean valid = n.equals("*") || (ipv6 ? NetUtil.isValidIpV6Address(normalize(n))
        : n.indexOf(':') < 0 && hostOf(n) != null);
    if (!valid) {
      throw new IllegalArgumentException("allowed host: " + name
          + " (expected: a host name or IP address without scheme or port, or *)");
    }
  }

  /** Whether a server bound to {@code bindHost} is reachable from this machine only. */
  public static boolean isLoopbackBinding(String bindHost) {
    return isLoopback(normalize(bindHost));
  }

  /**
   * Checks the value of a request's {@code Host} header ({@code host} or {@code host:port}, an IPv6 literal in
   * brackets).
   */
  public Verdict check(String hostHeader) {
    String host = hostOf(hostHeader);
    if (host == null) {
      return Verdict.MALFORMED;
    }
    if (any || names.contains(host)) {
      return Verdict.ACCEPTED;
    }
    if (host.equals("localhost")) {
      return Verdict.ACCEPTED;
    }
    byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
    if (address == null) {
      return Verdict.MISDIRECTED;
    }
    return !loopbackOnly || isLoopbackAddress(address) ? Verdict.ACCEPTED : Verdict.MISDIRECTED;
  }

  /**
   * The host part of a {@code Host} value, lower case, without a trailing dot, an IPv6 literal without its
   * brackets; null when the value is not {@code uri-host [":" port]}.
   */
  static String hostOf(String value) {
    String v = value.trim();
    String host;
    String port;
    if (v.startsWith("[")) {
      int close = v.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = v.substring(1, close);
      String rest = v.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return null;
      }
      port = rest.isEmpty() ? "" : rest.substring(1);
      if (!NetUtil.isValidIpV6Address(host)) {
        return null;
      }
    } else {
      int colon = v.indexOf(':');
      host = colon < 0 ? v : v.substring(0, colon);
      port = colon < 0 ? "" : v.substring(colon + 1);
      if (host.isEmpty() || !isRegName(host)) {
        return null;
      }
    }
    if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return normalize(host);
  }

  /** RFC 3986 reg-name characters, less percent-encoding (no DNS name needs it). */
  private static boolean isRegName(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String normalize(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    // "localhost." is the same name as "localhost", fully qualified.
    return h.length() > 1 && h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
    return address != null && isLoopbackAddress(address);
  }

  private static boolean isLoopbackAddress(byte[] address) {
    try {
      // From the bytes, never a lookup; an IPv4-mapped IPv6 address comes back as the IPv4 one.
      return InetAddress.getByAddress(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
