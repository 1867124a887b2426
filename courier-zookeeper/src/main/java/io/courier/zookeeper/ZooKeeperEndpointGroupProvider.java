package io.courier.zookeeper;

import io.courier.Experimental;
import io.courier.discovery.EndpointGroup;
import io.courier.discovery.EndpointGroupProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * Resolves {@code zk://} client targets to a {@link ZooKeeperEndpointGroup}; found by {@code RpcClientBuilder}
 * through {@link java.util.ServiceLoader} when this module is on the class path. The target's form:
 *
 * <pre>
 * zk://[user:password@]host:2181[,host2:2181]/serviceName[?scheme=tcp|tls|ws|wss|http|https&amp;basePath=/path]
 * </pre>
 *
 * <ul>
 *   <li>the ZooKeeper servers, with port 2181 when a port is left out;</li>
 *   <li>{@code user:password}, only when the nodes can be read by authenticated clients only (a ZooKeeper digest);
 *   </li>
 *   <li>{@code serviceName}, the name the servers registered with {@link ZooKeeperRegistry.Builder#serviceName};
 *   </li>
 *   <li>{@code scheme}, how to call each server: default {@code tcp}, or {@code tls} for a server that serves TLS
 *       only; a server that does not serve it is left out;</li>
 *   <li>{@code basePath}, where the services are registered: default {@code /courier/services}.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
@Experimental
public final class ZooKeeperEndpointGroupProvider implements EndpointGroupProvider {

  /** Made by {@link java.util.ServiceLoader}. */
  public ZooKeeperEndpointGroupProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("zk");
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code target} is not of the form above, saying what is expected
   */
  @Override
  public EndpointGroup create(URI target, Duration connectTimeout) {
    return ZooKeeperEndpointGroup.create(target, connectTimeout);
  }
}
