package io.courier.spring;

import io.courier.Experimental;
import io.courier.opentelemetry.CourierTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Auto-configuration of Courier's tracing: with {@code courier-opentelemetry} on the class path and an
 * {@link OpenTelemetry} bean (Spring Boot's, or the application's), the server and every client trace their calls
 * through it (see {@link CourierTelemetry}). The server's tracing interceptor is added before any other customizer
 * runs, so that it is the outermost and its span covers calls the others refuse. Thread-safe.
 */
@Experimental
@AutoConfiguration(afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration")
@ConditionalOnClass({CourierTelemetry.class, OpenTelemetry.class, CourierServerCustomizer.class})
@ConditionalOnBean(OpenTelemetry.class)
public class CourierTracingAutoConfiguration {

  /** Created by Spring Boot. */
  public CourierTracingAutoConfiguration() {}

  /** The interceptors' source; a bean of the application's own of this type replaces it. */
  @Bean
  @ConditionalOnMissingBean
  CourierTelemetry courierTelemetry(OpenTelemetry openTelemetry) {
    return CourierTelemetry.create(openTelemetry);
  }

  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  CourierServerCustomizer courierServerTracing(CourierTelemetry telemetry) {
    return builder -> builder.intercept(telemetry.serverInterceptor());
  }

  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  CourierClientCustomizer courierClientTracing(CourierTelemetry telemetry) {
    return (name, builder) -> builder.intercept(telemetry.clientInterceptor());
  }
}
