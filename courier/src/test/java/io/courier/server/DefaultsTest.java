package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.StreamReadConstraints;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** T00 (server side): a server built with no settings enforces exactly the defaults of RELIABILITY.md section 1. */
@Timeout(30)
class DefaultsTest {

  @Test
  void t00_serverDefaultsMatchTheTable() {
    RpcServerBuilder builder = RpcServer.builder().method("noop", args -> null);
    Limits limits = builder.limits();

    assertThat(limits.maxMessageBytes()).as("max inbound message").isEqualTo(4 * 1024 * 1024);
    assertThat(limits.maxInFlightPerConnection()).as("calls in flight per connection").isEqualTo(256);
    assertThat(limits.maxBatchItems()).as("batch items").isEqualTo(100);
    assertThat(limits.maxBatchResponseBytes()).as("batch response bytes").isEqualTo(16 * 1024 * 1024);
    assertThat(limits.maxConnections()).as("max connections").isEqualTo(10_000);
    assertThat(limits.protocolDetectionTimeout()).as("protocol detection").isEqualTo(Duration.ofSeconds(10));
    assertThat(limits.idleTimeout()).as("idle close").isEqualTo(Duration.ofSeconds(120));
    assertThat(limits.partialFrameTimeout()).as("partial frame").isEqualTo(Duration.ofSeconds(30));
    assertThat(limits.unwritableTimeout()).as("unwritable close").isEqualTo(Duration.ofSeconds(30));
    assertThat(builder.shutdownGrace).as("shutdown grace").isEqualTo(Duration.ofSeconds(10));
    assertThat(builder.queueCapacity).as("executor queue").isEqualTo(1000);
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(builder.workerThreads).as("worker threads").isEqualTo(Math.min(200, Math.max(4, 2 * cores)));
    assertThat(builder.developmentMode).as("development mode").isFalse();
    assertThat(builder.webSocketPath).as("WebSocket path").isEqualTo("/ws");
    assertThat(builder.corsOrigins).as("CORS origins: none, CORS off").isEmpty();
    assertThat(builder.tls).as("TLS: off").isNull();
    assertThat(builder.interceptors).as("interceptors").isEmpty();

    StreamReadConstraints constraints = builder.mapper().getFactory().streamReadConstraints();
    assertThat(constraints.getMaxNestingDepth()).as("nesting depth").isEqualTo(256);
    assertThat(constraints.getMaxNumberLength()).as("number length").isEqualTo(1000);
    assertThat(constraints.getMaxStringLength()).as("string length").isEqualTo(4 * 1024 * 1024);
    assertThat(constraints.getMaxDocumentLength()).as("document length").isEqualTo(4 * 1024 * 1024);

    // The constants the docs point at agree with what a builder starts with.
    assertThat(RpcServerBuilder.DEFAULT_MAX_BATCH_RESPONSE_BYTES).isEqualTo(16 * 1024 * 1024);
    assertThat(RpcServerBuilder.DEFAULT_SHUTDOWN_GRACE).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void t00_builtServerCarriesTheDefaults() {
    RpcServer server = RpcServer.builder().method("noop", args -> null).build();
    try {
      assertThat(server.limits()).isEqualTo(RpcServer.builder().limits());
      assertThat(server.serving().codec().mapper().getFactory().streamReadConstraints().getMaxNestingDepth())
          .isEqualTo(256);
    } finally {
      server.close();
    }
  }

  @Test
  void aNegativeNumberScaleIsRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> RpcServer.builder().maxNumberScale(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxNumberScale: -1 (expected: >= 0)");
  }
}
