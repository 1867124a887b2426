package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.transport.WriteQueue;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import java.lang.reflect.Field;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** T00 (client side): a client built with only a target uses exactly the defaults of RELIABILITY.md section 1. */
@Timeout(30)
class ClientDefaultsTest {

  @Test
  void t00_clientDefaultsMatchTheTable() {
    RpcClientBuilder builder = RpcClient.builder().target("tcp://127.0.0.1:1");

    assertThat(builder.callTimeout).as("default deadline").isEqualTo(Duration.ofSeconds(30));
    assertThat(builder.connectTimeout).as("connect timeout").isEqualTo(Duration.ofSeconds(10));
    assertThat(builder.maxMessageBytes).as("client inbound message").isEqualTo(4 * 1024 * 1024);
    assertThat(builder.maxPendingCalls).as("pending calls").isEqualTo(4096);
    assertThat(builder.maxAttempts).as("attempts").isEqualTo(5);
    assertThat(builder.propagateDeadline).as("deadline sent to the server").isTrue();
    assertThat(builder.keepAliveInterval).as("keepalive off by default").isNull();
    assertThat(builder.maxHttpConnections).as("HTTP connections").isEqualTo(16);
    assertThat(builder.bearerToken).as("no token").isNull();
    assertThat(builder.allowPlaintextToken).as("tokens only over TLS").isFalse();
    assertThat(builder.tls).as("TLS settings: the system's, when the target is secure").isNull();
    assertThat(builder.reconnectBackoff).as("backoff 1 s / 1.6 / 0.2 / 120 s")
        .isEqualTo(new Backoff(Duration.ofSeconds(1), 1.6, 0.2, Duration.ofSeconds(120)));
    assertThat(Backoff.DEFAULT).isEqualTo(builder.reconnectBackoff);
    assertThat(builder.mapper().getFactory().streamReadConstraints().getMaxNestingDepth())
        .as("client nesting depth").isEqualTo(256);
    assertThat(RetryBudget.PER_CALL).as("retry budget per call").isEqualTo(0.2);
    assertThat(RetryBudget.PER_SECOND).as("retry budget per second").isEqualTo(10.0);

    assertThat(RpcClientBuilder.DEFAULT_CALL_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
    assertThat(RpcClientBuilder.DEFAULT_MAX_ATTEMPTS).isEqualTo(5);
  }

  @Test
  void t00_backoffFollowsTheFormulaWithinJitter() {
    Backoff b = Backoff.DEFAULT;
    for (int n = 1; n <= 20; n++) {
      double base = Math.min(1e9 * Math.pow(1.6, n - 1), 120e9);
      for (int i = 0; i < 50; i++) {
        long d = b.delayNanos(n);
        assertThat((double) d).as("delay %d", n).isBetween(base * 0.8 - 1, base * 1.2 + 1);
      }
    }
  }

  @Test
  void t00_builtClientCarriesTheDefaults() {
    try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:1").build()) {
      assertThat(client.callTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(client.connectAttempts()).as("connects lazily").isZero();
    }
  }

  /**
   * The client's channels take the same write-buffer water marks as the server's: with Netty's 64 KiB high mark
   * every request of 64 KiB made the channel unwritable, and the write queue held the next one until it was
   * flushed.
   */
  @Test
  void t00_clientChannelsUseCouriersWaterMarks() throws ReflectiveOperationException {
    try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:1").build()) {
      Field core = RpcClient.class.getDeclaredField("core");
      core.setAccessible(true);
      Field bootstrap = ClientCore.class.getDeclaredField("bootstrap");
      bootstrap.setAccessible(true);
      Bootstrap b = (Bootstrap) bootstrap.get(core.get(client));
      assertThat(b.config().options().get(ChannelOption.WRITE_BUFFER_WATER_MARK))
          .isSameAs(WriteQueue.WATER_MARK);
    }
  }

  @Test
  void aNegativeNumberScaleIsRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> RpcClient.builder().maxNumberScale(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxNumberScale: -1 (expected: >= 0)");
  }
}
