package io.courier.spring;

import io.courier.Experimental;
import io.courier.server.RpcServerBuilder;

/**
 * Changes the builder of the application's Courier server after the {@code courier.server.*} properties and the
 * {@code @CourierService} beans are applied, for what properties do not say: interceptors, an executor, an
 * {@code ObjectMapper}. Every bean of this type is called, in {@link org.springframework.core.annotation.Order}
 * order, each time the server is built.
 *
 * <pre>{@code
 * @Bean
 * CourierServerCustomizer auth(Map<String, Identity> tokens) {
 *   return builder -> builder.intercept(BearerTokenAuth.of(tokens));
 * }
 * }</pre>
 *
 * <p>Called on the thread that starts the application context; an implementation need not be thread-safe.
 */
@Experimental
@FunctionalInterface
public interface CourierServerCustomizer {

  /** Changes {@code builder}, which is not yet built. */
  void customize(RpcServerBuilder builder);
}
