package io.courier.client;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import java.util.Map;

/**
 * How a client that knows several servers (a list of addresses, or a discovered service) chooses the one for each
 * call. Every policy sends calls only to servers that are available (connected or not yet tried, not ejected for
 * failing, not draining) while there is one, and choosing costs no lock and no allocation.
 *
 * <pre>{@code
 * RpcClient.builder().target("tcp://10.0.0.1:7070,10.0.0.2:7070").loadBalancing(LoadBalancing.leastPending())
 * }</pre>
 */
@Experimental
public final class LoadBalancing {

  enum Kind { ROUND_ROBIN, LEAST_PENDING, WEIGHTED, CONSISTENT_HASH }

  private static final LoadBalancing ROUND_ROBIN = new LoadBalancing(Kind.ROUND_ROBIN, -1, null);
  private static final LoadBalancing LEAST_PENDING = new LoadBalancing(Kind.LEAST_PENDING, -1, null);
  private static final LoadBalancing WEIGHTED = new LoadBalancing(Kind.WEIGHTED, -1, null);

  private final Kind kind;
  /** For consistent hashing on a param: its position, or -1. */
  private final int paramIndex;
  /** For consistent hashing on a param: its name, or null. */
  private final String paramName;

  private LoadBalancing(Kind kind, int paramIndex, String paramName) {
    this.kind = kind;
    this.paramIndex = paramIndex;
    this.paramName = paramName;
  }

  /**
   * Each call to the next server in turn. Each client starts at a random one, so that many short-lived clients
   * spread their first calls too. The default.
   */
  public static LoadBalancing roundRobin() {
    return ROUND_ROBIN;
  }

  /**
   * Each call to whichever of two servers chosen at random has fewer calls waiting for answers (the "power of two
   * choices"): a slow server gets fewer calls, without every client piling onto the same least-loaded one.
   */
  public static LoadBalancing leastPending() {
    return LEAST_PENDING;
  }

  /** Each call to a server chosen at random in proportion to its {@linkplain io.courier.discovery.Instance#weight weight}. */
  public static LoadBalancing weighted() {
    return WEIGHTED;
  }

  /**
   * Calls with the same key to the same server while it is available (a cache's shard, a user's session), on a
   * ring of 160 points per server: when a server joins or leaves, only the keys of its share (about 1/N) move.
   * The key is the one set with {@link RpcClient#withRoutingKey}; calls without one go round robin.
   */
  public static LoadBalancing consistentHash() {
    return new LoadBalancing(Kind.CONSISTENT_HASH, -1, null);
  }

  /**
   * Consistent hashing on the param at {@code position} (from 0) of calls made with params by position, unless a
   * call has a {@linkplain RpcClient#withRoutingKey routing key}; see {@link #consistentHash()}.
   */
  public static LoadBalancing consistentHashOnParam(int position) {
    if (position < 0) {
      throw new IllegalArgumentException("position: " + position + " (expected: >= 0)");
    }
    return new LoadBalancing(Kind.CONSISTENT_HASH, position, null);
  }

  /**
   * Consistent hashing on the param named {@code name} of calls made with params by name, unless a call has a
   * {@linkplain RpcClient#withRoutingKey routing key}; see {@link #consistentHash()}.
   */
  public static LoadBalancing consistentHashOnParam(String name) {
    requireNonNull(name, "name");
    return new LoadBalancing(Kind.CONSISTENT_HASH, -1, name);
  }

  /** Returns a picker over {@code pools} for this policy. */
  Picker newPicker(EndpointPool[] pools) {
    return switch (kind) {
      case ROUND_ROBIN -> new Picker.RoundRobin(pools);
      case LEAST_PENDING -> new Picker.LeastPending(pools);
      case WEIGHTED -> new Picker.Weighted(pools);
      case CONSISTENT_HASH -> new Picker.ConsistentHash(pools);
    };
  }

  /** Returns what a call is routed by: its routing key, else the param this policy hashes on, else null. */
  Object keyOf(Object routingKey, Object params) {
    if (kind != Kind.CONSISTENT_HASH || routingKey != null) {
      return routingKey;
    }
    if (paramIndex >= 0) {
      Object[] byPosition = params instanceof Object[] array ? array
          : params instanceof ArgsAndKwargs both ? both.args().toArray() : null;
      return byPosition != null && paramIndex < byPosition.length ? byPosition[paramIndex] : null;
    }
    if (paramName != null) {
      Map<?, ?> byName = params instanceof Map<?, ?> map ? map
          : params instanceof ArgsAndKwargs both ? both.kwargs() : null;
      return byName != null ? byName.get(paramName) : null;
    }
    return null;
  }

  @Override
  public String toString() {
    String name = kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    return paramIndex >= 0 ? name + "(param " + paramIndex + ")"
        : paramName != null ? name + "(param " + paramName + ")" : name;
  }
}
