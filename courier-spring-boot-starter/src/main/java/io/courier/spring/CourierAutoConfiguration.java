package io.courier.spring;

import io.courier.Experimental;
import io.courier.server.RpcServer;
import io.courier.server.ServerListener;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Courier: the server of the {@link CourierService} beans ({@link CourierServer}, unless
 * {@code courier.server.enabled=false}) and the clients of {@code courier.clients.NAME.*}, injected with
 * {@link CourierClient}. Every {@link ServerListener} bean (a {@code ZooKeeperRegistry}) is added to the server,
 * and every {@link CourierServerCustomizer} and {@link CourierClientCustomizer} bean is applied. Spring Boot
 * loads it from {@code AutoConfiguration.imports}; an application does not name it. Thread-safe.
 */
@Experimental
@AutoConfiguration
@ConditionalOnClass(RpcServer.class)
@EnableConfigurationProperties(CourierProperties.class)
public class CourierAutoConfiguration {

  /** Created by Spring Boot. */
  public CourierAutoConfiguration() {}

  @Bean
  @ConditionalOnProperty(prefix = "courier.server", name = "enabled", havingValue = "true", matchIfMissing = true)
  CourierServer courierServer(CourierProperties properties, ListableBeanFactory beans,
      ObjectProvider<CourierServerCustomizer> customizers, ObjectProvider<ServerListener> listeners) {
    return new CourierServer(properties.getServer(), beans, customizers, listeners);
  }

  @Bean
  CourierClients courierClients(CourierProperties properties, ObjectProvider<CourierClientCustomizer> customizers) {
    return new CourierClients(properties.getClients(), customizers);
  }

  /** Static: it registers bean definitions, before any bean of this configuration exists. */
  @Bean
  static CourierClientRegistrar courierClientRegistrar() {
    return new CourierClientRegistrar();
  }

  /** Static, as a post-processor of every bean must be: fields with {@code @CourierClient} alone. */
  @Bean
  static CourierClientFieldInjector courierClientFieldInjector() {
    return new CourierClientFieldInjector();
  }
}
