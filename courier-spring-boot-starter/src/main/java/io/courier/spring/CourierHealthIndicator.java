package io.courier.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The server's health: up while it serves, down from the moment a stop begins (draining, then stopped), so that a
 * readiness check takes the application out of rotation before calls are refused. A server with nothing to serve
 * (no {@code @CourierService} bean), which opened no port, is unknown: that status leaves the application's
 * aggregate health as it is. Thread-safe: it reads the server's volatile state.
 */
final class CourierHealthIndicator implements HealthIndicator {

  private final CourierServer server;

  CourierHealthIndicator(CourierServer server) {
    this.server = server;
  }

  @Override
  public Health health() {
    return switch (server.state()) {
      case IDLE -> Health.unknown().withDetail("status", "not serving: no @CourierService bean").build();
      case SERVING -> serving();
      case DRAINING -> Health.down().withDetail("status", "draining").build();
      case STOPPED -> Health.down().withDetail("status", "stopped").build();
    };
  }

  private Health serving() {
    try {
      return Health.up().withDetail("status", "serving").withDetail("port", server.port()).build();
    } catch (IllegalStateException e) {
      // It stopped between the two reads: a check a moment later would have said so.
      return Health.down().withDetail("status", "stopped").build();
    }
  }
}
