package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.micrometer.CourierMetrics;
import io.courier.opentelemetry.CourierTelemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Each auto-configuration is used only when its library is on the class path, its bean is in the context and its
 * property says so. No {@code @CourierService} bean here, so no port is opened.
 */
class CourierConditionsTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class, CourierMetricsAutoConfiguration.class,
          CourierTracingAutoConfiguration.class, CourierHealthAutoConfiguration.class));

  @Test
  void withAMeterRegistryServerAndClientsRecordMetrics() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context ->
        assertThat(context).hasBean("courierServerMetrics").hasBean("courierClientMetrics"));
  }

  /** The registry comes from Spring Boot's auto-configuration, which the starter's must run after to see it. */
  @Test
  void springBootsOwnMeterRegistryAndOpenTelemetryAreUsed() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class, CourierMetricsAutoConfiguration.class,
            CourierTracingAutoConfiguration.class, MetricsAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
            OpenTelemetrySdkAutoConfiguration.class))
        .run(context -> assertThat(context).hasSingleBean(MeterRegistry.class).hasBean("courierServerMetrics")
            .hasSingleBean(OpenTelemetry.class).hasBean("courierServerTracing"));
  }

  @Test
  void withoutAMeterRegistryThereAreNoMetrics() {
    runner.run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean("courierServerMetrics").doesNotHaveBean("courierClientMetrics"));
  }

  @Test
  void withoutCourierMicrometerThereAreNoMetrics() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withClassLoader(new FilteredClassLoader(CourierMetrics.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("courierServerMetrics"));
  }

  @Test
  void theMetricsEndpointNeedsThePropertyAndAPrometheusRegistry() {
    runner.withBean(PrometheusMeterRegistry.class, () -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .withPropertyValues("courier.server.metrics-endpoint=true")
        .run(context -> assertThat(context).hasBean("courierPrometheusEndpoint"));
    runner.withBean(PrometheusMeterRegistry.class, () -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .run(context -> assertThat(context).hasBean("courierServerMetrics")
            .doesNotHaveBean("courierPrometheusEndpoint"));
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("courier.server.metrics-endpoint=true")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("courierPrometheusEndpoint"));
  }

  @Test
  void withoutThePrometheusRegistryClassTheEndpointIsLeftOutAndTheRestStays() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("courier.server.metrics-endpoint=true")
        .withClassLoader(new FilteredClassLoader(PrometheusMeterRegistry.class))
        .run(context -> assertThat(context).hasBean("courierServerMetrics")
            .doesNotHaveBean("courierPrometheusEndpoint"));
  }

  @Test
  void withAnOpenTelemetryServerAndClientsAreTraced() {
    runner.withBean(OpenTelemetry.class, OpenTelemetry::noop).run(context ->
        assertThat(context).hasSingleBean(CourierTelemetry.class)
            .hasBean("courierServerTracing").hasBean("courierClientTracing"));
  }

  @Test
  void anApplicationsOwnCourierTelemetryIsUsed() {
    CourierTelemetry own = CourierTelemetry.create(OpenTelemetry.noop());
    runner.withBean(OpenTelemetry.class, OpenTelemetry::noop).withBean(CourierTelemetry.class, () -> own)
        .run(context -> assertThat(context.getBean(CourierTelemetry.class)).isSameAs(own));
  }

  @Test
  void withoutAnOpenTelemetryOrCourierOpenTelemetryThereIsNoTracing() {
    runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CourierTelemetry.class)
        .doesNotHaveBean("courierServerTracing"));
    runner.withBean(OpenTelemetry.class, OpenTelemetry::noop)
        .withClassLoader(new FilteredClassLoader(CourierTelemetry.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("courierServerTracing"));
  }

  @Test
  void theHealthIndicatorIsUnknownWhileThereIsNothingToServe() {
    runner.run(context -> {
      HealthIndicator health = context.getBean("courierHealthIndicator", HealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UNKNOWN);
    });
  }

  @Test
  void theHealthIndicatorCanBeTurnedOffAndNeedsSpringBootHealthAndAServer() {
    runner.withPropertyValues("management.health.courier.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("courierHealthIndicator"));
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("courierHealthIndicator"));
    runner.withPropertyValues("courier.server.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("courierHealthIndicator"));
  }
}
