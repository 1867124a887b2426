package io.courier.discovery;

import io.courier.Experimental;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * Makes the {@link EndpointGroup} for a client target whose scheme names a registry, such as {@code zk://}. A
 * module provides one by listing its class in {@code META-INF/services/io.courier.discovery.EndpointGroupProvider};
 * {@code RpcClientBuilder.target(String)} finds it through {@link java.util.ServiceLoader}.
 */
@Experimental
public interface EndpointGroupProvider {

  /** The target schemes this provider resolves, in lower case (e.g. {@code zk}). */
  Set<String> schemes();

  /**
   * Returns a group that follows the service {@code target} names. It starts following at once and completes
   * {@link EndpointGroup#whenReady()} with its first list, or exceptionally once {@code connectTimeout} passes
   * without one.
   *
   * @throws IllegalArgumentException when {@code target} is malformed, saying what is expected
   */
  EndpointGroup create(URI target, Duration connectTimeout);
}
