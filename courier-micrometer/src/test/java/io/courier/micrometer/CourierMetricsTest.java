package io.courier.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.CallEvent;
import io.courier.Peer;
import io.courier.RequestId;
import io.courier.RpcError;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link CourierMetrics} fed events by hand: its bounds, its options and what it registers, without sockets. */
@Timeout(10)
class CourierMetricsTest {

  /** A call as an end reports it, with the outcome set before it is ended. */
  private static final class FakeCall implements CallEvent {
    final boolean served;
    final String method;
    RpcError error;
    boolean ran = true;
    long queuedNanos = 1_000;

    FakeCall(boolean served, String method) {
      this.served = served;
      this.method = method;
    }

    @Override
    public boolean served() {
      return served;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public RequestId id() {
      return null;
    }

    @Override
    public String protocol() {
      return "tcp";
    }

    @Override
    public SocketAddress remoteAddress() {
      return null;
    }

    @Override
    public long queuedNanos() {
      return queuedNanos;
    }

    @Override
    public long durationNanos() {
      return TimeUnit.MILLISECONDS.toNanos(3);
    }

    @Override
    public long requestBytes() {
      return 60;
    }

    @Override
    public long responseBytes() {
      return 40;
    }

    @Override
    public RpcError error() {
      return error;
    }

    @Override
    public boolean ran() {
      return ran;
    }
  }

  /** A connection that only has a protocol. */
  private record FakePeer(String protocol) implements Peer {
    @Override
    public SocketAddress remoteAddress() {
      return null;
    }

    @Override
    public boolean isSecure() {
      return false;
    }

    @Override
    public Optional<X509Certificate> peerCertificate() {
      return Optional.empty();
    }

    @Override
    public boolean canNotify() {
      return false;
    }

    @Override
    public void notify(String method, Object params) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public <T> T create(Class<T> service) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <R> CompletableFuture<R> call(String method, Class<R> resultType, Object... params) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <R> CompletableFuture<R> callNamed(String method, Class<R> resultType, Map<String, ?> params) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> Flow.Publisher<T> subscribe(String method, Class<T> itemType, Object... params) {
      throw new UnsupportedOperationException();
    }
  }

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private static void run(CourierMetrics metrics, FakeCall call, RpcError error) {
    metrics.callStarted(call);
    call.error = error;
    metrics.callEnded(call);
  }

  private Set<String> methodTags() {
    return registry.getMeters().stream().map(meter -> meter.getId().getTag("rpc.method"))
        .filter(Objects::nonNull).collect(Collectors.toSet());
  }

  @Test
  void durationsPublishAHistogramAndNoComputedPercentilesByDefaultAndSizesNoHistogram() {
    CourierMetrics metrics = CourierMetrics.server(registry);
    run(metrics, new FakeCall(true, "add"), null);
    HistogramSnapshot snapshot = registry.get("rpc.server.call.duration").timer().takeSnapshot();
    assertThat(snapshot.percentileValues()).isEmpty();
    assertThat(registry.get("rpc.server.call.duration").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);

    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    run(CourierMetrics.server(prometheus), new FakeCall(true, "add"), null);
    assertThat(prometheus.scrape()).contains("rpc_server_call_duration_seconds_bucket{")
        .contains("rpc_server_request_size_bytes_count{")
        .doesNotContain("rpc_server_request_size_bytes_bucket{");
  }

  @Test
  void thePercentilesCanBeChosenAndTagsAddedToEveryMeter() {
    CourierMetrics metrics = CourierMetrics.builder(registry).percentileHistogram(false).percentiles(0.95)
        .tags(Tags.of("server", "calc")).buildForServer();
    run(metrics, new FakeCall(true, "add"), null);
    Timer timer = registry.get("rpc.server.call.duration").tags("server", "calc").timer();
    assertThat(timer.takeSnapshot().percentileValues()).extracting(ValueAtPercentile::percentile)
        .containsExactly(0.95);
  }

  @Test
  void prometheusShowsThePercentilesChosenWhenTheHistogramIsOff() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CourierMetrics metrics = CourierMetrics.builder(prometheus).percentileHistogram(false).percentiles(0.5, 0.99)
        .buildForServer();
    run(metrics, new FakeCall(true, "add"), null);
    assertThat(prometheus.scrape()).contains("rpc_server_call_duration_seconds{").contains("quantile=\"0.99\"")
        .doesNotContain("_bucket{");
  }

  @Test
  void aClientCallingEverMoreNamesIsBoundedByMaxMethods() {
    CourierMetrics metrics = CourierMetrics.builder(registry).maxMethods(10).buildForClient();
    for (int i = 0; i < 50; i++) {
      run(metrics, new FakeCall(false, "m" + i), null);
    }
    assertThat(methodTags()).hasSize(11).contains("_OTHER", "m0", "m9").doesNotContain("m10");
    assertThat(registry.get("rpc.client.call.duration").tags("rpc.method", "_OTHER").timer().count())
        .isEqualTo(40);
  }

  @Test
  void statusCodesOfOneMethodAreBounded() {
    CourierMetrics metrics = CourierMetrics.client(registry);
    for (int code = 1; code <= 200; code++) {
      run(metrics, new FakeCall(false, "add"), RpcError.of(code, "odd"));
    }
    Set<String> codes = registry.find("rpc.client.call.duration").timers().stream()
        .map(timer -> timer.getId().getTag("rpc.status_code")).collect(Collectors.toSet());
    assertThat(codes).hasSize(33).contains("_OTHER", "1");
  }

  @Test
  void aRefusedMessageIsTaggedWithItsMethodOnlyOnceThatMethodHasStartedACall() {
    CourierMetrics metrics = CourierMetrics.server(registry);
    FakePeer peer = new FakePeer("tcp");
    metrics.callRejected(peer, "add", RpcError.SERVER_BUSY);
    run(metrics, new FakeCall(true, "add"), null);
    metrics.callRejected(peer, "add", RpcError.SERVER_BUSY);
    metrics.callRejected(peer, "add", RpcError.INVALID_PARAMS);
    metrics.callRejected(peer, null, RpcError.LIMIT_EXCEEDED);

    assertThat(registry.get("courier.server.calls.rejected").tags("rpc.method", "_OTHER", "rpc.status_code",
        "-32000").counter().count()).isEqualTo(1);
    assertThat(registry.get("courier.server.calls.rejected").tags("rpc.method", "add", "rpc.status_code",
        "-32000", "courier.reason", "busy").counter().count()).isEqualTo(1);
    assertThat(registry.get("courier.server.calls.rejected").tags("rpc.method", "add", "courier.reason",
        "invalid_params").counter().count()).isEqualTo(1);
    assertThat(registry.get("courier.server.calls.rejected").tags("rpc.method", "_OTHER", "courier.reason",
        "limit_exceeded").counter().count()).isEqualTo(1);
  }

  @Test
  void aCallThatEndedWithoutRunningIsRejectedButAClientCallNeverSentIsNot() {
    CourierMetrics metrics = CourierMetrics.server(registry);
    FakeCall expired = new FakeCall(true, "add");
    expired.ran = false;
    run(metrics, expired, RpcError.TIMEOUT);
    assertThat(registry.get("courier.server.calls.rejected").tags("courier.reason", "expired").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("courier.server.call.queue.duration").timer().count()).isEqualTo(1);

    FakeCall unsent = new FakeCall(false, "add");
    unsent.ran = false;
    run(metrics, unsent, RpcError.CONNECTION_LOST);
    assertThat(registry.get("rpc.client.call.duration").tags("rpc.status_code", "-32005").timer().count())
        .isEqualTo(1);
    assertThat(registry.find("courier.server.calls.rejected").counters()).hasSize(1);
  }

  @Test
  void twoInstancesOnOneRegistryShareTheConnectionGauge() {
    CourierMetrics first = CourierMetrics.server(registry);
    CourierMetrics second = CourierMetrics.server(registry);
    first.connectionOpened(new FakePeer("ws"));
    second.connectionOpened(new FakePeer("ws"));
    second.connectionOpened(new FakePeer("http"));
    assertThat(registry.get("courier.server.connections").tags("courier.protocol", "ws").gauge().value())
        .isEqualTo(2);
    second.connectionClosed(new FakePeer("ws"));
    assertThat(registry.get("courier.server.connections").tags("courier.protocol", "ws").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("courier.server.connections").tags("courier.protocol", "http").gauge().value())
        .isEqualTo(1);
  }

  @Test
  void inFlightCallsAreCountedUntilTheyEnd() {
    CourierMetrics metrics = CourierMetrics.server(registry);
    FakeCall call = new FakeCall(true, "add");
    metrics.callStarted(call);
    assertThat(registry.get("rpc.server.active_calls").gauge().value()).isEqualTo(1);
    metrics.callEnded(call);
    assertThat(registry.get("rpc.server.active_calls").gauge().value()).isZero();
  }

  @Test
  void instancesSharingARegistryShareTheInFlightCount() {
    CourierMetrics first = CourierMetrics.server(registry);
    CourierMetrics second = CourierMetrics.server(registry);
    FakeCall one = new FakeCall(true, "add");
    FakeCall two = new FakeCall(true, "add");
    first.callStarted(one);
    second.callStarted(two);
    assertThat(registry.get("rpc.server.active_calls").gauge().value()).isEqualTo(2);
    second.callEnded(two);
    assertThat(registry.get("rpc.server.active_calls").gauge().value()).isEqualTo(1);
    first.callEnded(one);
    assertThat(registry.get("rpc.server.active_calls").gauge().value()).isZero();
  }

  @Test
  void theBuilderRefusesPercentilesOutsideZeroToOneAndNoMethods() {
    assertThatThrownBy(() -> CourierMetrics.builder(registry).percentiles(0.5, 1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
    assertThatThrownBy(() -> CourierMetrics.builder(registry).maxMethods(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxMethods: 0 (expected: >= 1)");
    assertThatThrownBy(() -> CourierMetrics.builder(null)).isInstanceOf(NullPointerException.class);
  }
}
