package io.courier.spring;

import io.courier.Experimental;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the Courier server's health indicator, named {@code courier}: with Spring Boot's
 * {@code spring-boot-health} on the class path and a {@link CourierServer} bean, unless
 * {@code management.health.courier.enabled=false}. Up while the server serves, down while it drains and once it
 * has stopped. Thread-safe.
 */
@Experimental
@AutoConfiguration(after = CourierAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, CourierServer.class})
@ConditionalOnBean(CourierServer.class)
@ConditionalOnEnabledHealthIndicator("courier")
public class CourierHealthAutoConfiguration {

  /** Created by Spring Boot. */
  public CourierHealthAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "courierHealthIndicator")
  HealthIndicator courierHealthIndicator(CourierServer server) {
    return new CourierHealthIndicator(server);
  }
}
