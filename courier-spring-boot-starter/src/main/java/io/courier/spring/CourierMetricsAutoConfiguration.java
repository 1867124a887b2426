package io.courier.spring;

import io.courier.Experimental;
import io.courier.micrometer.CourierMetrics;
import io.courier.micrometer.PrometheusEndpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of Courier's Micrometer metrics: with {@code courier-micrometer} on the class path and a
 * {@link MeterRegistry} bean, the server and every client record their calls into it (see {@link CourierMetrics}).
 * With {@code courier.server.metrics-endpoint=true} and a {@link PrometheusMeterRegistry} bean, the server also
 * answers {@code GET /metrics} on its own port in Prometheus' text format. It runs after Spring Boot's Micrometer
 * auto-configuration, whose registry it uses. Thread-safe.
 */
@Experimental
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus."
        + "PrometheusMetricsExportAutoConfiguration"})
@ConditionalOnClass({CourierMetrics.class, MeterRegistry.class, CourierServerCustomizer.class})
@ConditionalOnBean(MeterRegistry.class)
public class CourierMetricsAutoConfiguration {

  /** Created by Spring Boot. */
  public CourierMetricsAutoConfiguration() {}

  @Bean
  CourierServerCustomizer courierServerMetrics(MeterRegistry registry) {
    return builder -> builder.eventListener(CourierMetrics.server(registry));
  }

  /** One listener for every client: a client's meters are told apart by method, as the conventions name them. */
  @Bean
  CourierClientCustomizer courierClientMetrics(MeterRegistry registry) {
    CourierMetrics metrics = CourierMetrics.client(registry);
    return (name, builder) -> builder.eventListener(metrics);
  }

  /** {@code GET /metrics} on the server's port. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(PrometheusMeterRegistry.class)
  @ConditionalOnBean(PrometheusMeterRegistry.class)
  @ConditionalOnProperty(prefix = "courier.server", name = "metrics-endpoint", havingValue = "true")
  static class PrometheusEndpointConfiguration {

    @Bean
    CourierServerCustomizer courierPrometheusEndpoint(PrometheusMeterRegistry registry) {
      return builder -> builder.httpGet("/metrics", PrometheusEndpoint.of(registry));
    }
  }
}
