package io.courier.discovery;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One server a client may send calls to: how to reach it, and what a load balancer weighs it by.
 *
 * @param id what tells this instance from the others of its group, stable while it runs (a registry's instance
 *     id, or the target itself)
 * @param target where and how to connect: a {@code tcp://}, {@code tls://}, {@code http(s)://} or {@code ws(s)://}
 *     URI with a port
 * @param weight its share of calls relative to the others under weighted balancing, 1 to 1000
 * @param zone where it runs (a rack, a zone, a data centre), or null; a client that prefers a zone sends its calls
 *     there while any instance there is available
 * @param metadata anything else its registration carries (a version, labels), never null
 */
@Experimental
public record Instance(String id, URI target, int weight, String zone, Map<String, String> metadata) {

  /** The weight an instance gets when its registration says none. */
  public static final int DEFAULT_WEIGHT = 1;
  /** The largest weight, so that one instance cannot be given all the calls by a typo. */
  public static final int MAX_WEIGHT = 1000;

  /** The schemes a target may have: the transports a Courier client speaks, in the clear and inside TLS. */
  public static final Set<String> SCHEMES = Set.of("tcp", "tls", "http", "https", "ws", "wss");

  public Instance {
    requireNonNull(id, "id");
    requireNonNull(target, "target");
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme) || target.getHost() == null || target.getPort() < 0) {
      throw new IllegalArgumentException("target: " + target
          + " (expected: tcp, tls, http, https, ws or wss://host:port, with a port)");
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + MAX_WEIGHT + ")");
    }
    if (zone != null && zone.isBlank()) {
      zone = null;
    }
    metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
  }

  /** An instance at {@code target} (a URI such as {@code tcp://10.0.0.7:7070}), of weight 1, in no zone. */
  public static Instance of(String target) {
    URI uri = URI.create(requireNonNull(target, "target"));
    return new Instance(uri.toString(), uri, DEFAULT_WEIGHT, null, Map.of());
  }

  /** This instance with another weight. */
  public Instance withWeight(int weight) {
    return new Instance(id, target, weight, zone, metadata);
  }

  /** This instance in another zone (null for none). */
  public Instance withZone(String zone) {
    return new Instance(id, target, weight, zone, metadata);
  }

  @Override
  public String toString() {
    return target + (weight != DEFAULT_WEIGHT ? " weight " + weight : "") + (zone != null ? " zone " + zone : "");
  }
}
