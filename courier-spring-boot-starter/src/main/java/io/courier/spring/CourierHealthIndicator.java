package io.courier.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The server's health: up while it serves, down from the moment a stop begins (draining, then stopped), so that a
 * readiness check takes the application out of rotation before calls are refused. A server that never started
 * (no {@code @CourierService} bean) is reported unknown. Thread-safe: it reads the server's volatile state.
 */
final class CourierHealthIndicator implements HealthIndicator {

  private final CourierServer server;

  CourierHealthIndicator(CourierServer server) {
    this.server = server;
  }

  @Override
  public Health health() {
    return switch (server.state()) {
      case SERVING -> Health.up().withDetail("status", "serving").withDetail("port", server.port()).build();
      case DRAINING -> Health.down().withDetail("status", "draining").build();
      case STOPPED -> Health.down().withDetail("status", "stopped").build();
    };
  }
}
