package io.courier.spring;

import io.courier.Experimental;
import io.courier.client.RpcClientBuilder;

/**
 * Changes the builder of each client declared by {@code courier.clients.NAME.*} after its properties are applied,
 * for what properties do not say: interceptors, event listeners, load balancing. Every bean of this type is
 * called, in {@link org.springframework.core.annotation.Order} order, once per client name.
 *
 * <p>Called on the thread that creates the first bean injected with the client, once per client; an implementation
 * must be thread-safe if beans are created concurrently.
 */
@Experimental
@FunctionalInterface
public interface CourierClientCustomizer {

  /** Changes {@code builder} of the client {@code name}, which is not yet built. */
  void customize(String name, RpcClientBuilder builder);
}
