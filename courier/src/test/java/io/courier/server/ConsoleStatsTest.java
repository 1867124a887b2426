package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.CallEvent;
import io.courier.Peer;
import io.courier.RequestId;
import io.courier.RpcError;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The web console's stats on a fake clock: counts per second, percentiles from the histogram, the rolling window. */
@Timeout(10)
class ConsoleStatsTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  /** How far a percentile may be from the true value: half a bucket, a factor of 2^(1/4). */
  private static final double PRECISION = Math.pow(2, 0.25);

  private long nanos = 1_000 * SECOND;
  private long millis = 1_700_000_000_000L;
  private final ConsoleStats stats = new ConsoleStats(() -> nanos, () -> millis);

  private record Call(String method, long durationNanos, RpcError error, boolean served) implements CallEvent {
    @Override public RequestId id() {
      return null;
    }

    @Override public String protocol() {
      return "tcp";
    }

    @Override public SocketAddress remoteAddress() {
      return null;
    }

    @Override public long queuedNanos() {
      return 0;
    }

    @Override public long requestBytes() {
      return 10;
    }

    @Override public long responseBytes() {
      return 10;
    }

    @Override public boolean ran() {
      return true;
    }
  }

  /** A connection as the listener sees it: only its address, protocol and TLS matter. */
  private record FakePeer(SocketAddress remoteAddress, String protocol) implements Peer {
    @Override public boolean isSecure() {
      return false;
    }

    @Override public Optional<X509Certificate> peerCertificate() {
      return Optional.empty();
    }

    @Override public boolean canNotify() {
      return false;
    }

    @Override public void notify(String method, Object params) {
      throw new UnsupportedOperationException();
    }

    @Override public boolean isOpen() {
      return true;
    }

    @Override public <T> T create(Class<T> service) {
      throw new UnsupportedOperationException();
    }

    @Override public <R> CompletableFuture<R> call(String method, Class<R> resultType, Object... params) {
      throw new UnsupportedOperationException();
    }

    @Override public <R> CompletableFuture<R> callNamed(String method, Class<R> resultType, Map<String, ?> params) {
      throw new UnsupportedOperationException();
    }

    @Override public <T> Flow.Publisher<T> subscribe(String method, Class<T> itemType, Object... params) {
      throw new UnsupportedOperationException();
    }
  }

  private void call(String method, long durationMillis, boolean failed) {
    RpcError error = failed ? RpcError.INTERNAL_ERROR : null;
    Call call = new Call(method, TimeUnit.MILLISECONDS.toNanos(durationMillis), error, true);
    stats.callStarted(call);
    stats.callEnded(call);
  }

  private JsonNode method(ObjectNode snapshot, String name) {
    for (JsonNode method : snapshot.get("methods")) {
      if (method.get("name").asText().equals(name)) {
        return method;
      }
    }
    throw new AssertionError("no method " + name + " in " + snapshot);
  }

  private static List<Long> longs(JsonNode series) {
    List<Long> values = new ArrayList<>();
    series.forEach(v -> values.add(v.asLong()));
    return values;
  }

  private static JsonNode last(JsonNode series) {
    return series.get(series.size() - 1);
  }

  @Test
  void callsAndErrorsAreCountedInTheSecondTheyEnded() {
    stats.track(Set.of("add", "echo"));
    call("add", 1, false);
    call("add", 1, true);
    nanos += SECOND;
    call("add", 1, false);
    call("echo", 1, false);

    ObjectNode snapshot = stats.snapshot();
    JsonNode add = method(snapshot, "add");
    assertThat(add.get("calls")).hasSize(ConsoleStats.SECONDS);
    List<Long> calls = longs(add.get("calls"));
    assertThat(calls.subList(ConsoleStats.SECONDS - 2, ConsoleStats.SECONDS)).containsExactly(2L, 1L);
    assertThat(calls.subList(0, ConsoleStats.SECONDS - 2)).containsOnly(0L);
    List<Long> errors = longs(add.get("errors"));
    assertThat(errors.subList(ConsoleStats.SECONDS - 2, ConsoleStats.SECONDS)).containsExactly(1L, 0L);
    assertThat(add.get("totalCalls").asLong()).isEqualTo(3);
    assertThat(add.get("totalErrors").asLong()).isEqualTo(1);
    assertThat(add.get("inFlight").asLong()).isZero();
    assertThat(snapshot.get("totals").get("calls").asLong()).isEqualTo(4);
    assertThat(snapshot.get("totals").get("errors").asLong()).isEqualTo(1);
  }

  @Test
  void aWriterLateByAWholeRingDoesNotWipeTheNewerSecondInItsSlot() {
    stats.track(Set.of("add"));
    long now = nanos + ConsoleStats.SECONDS * SECOND;
    nanos = now;
    call("add", 1, false);
    call("add", 1, false);
    // A thread that read the clock a ring ago and ends its call only now: the same slot, an older second.
    nanos = now - ConsoleStats.SECONDS * SECOND;
    call("add", 1, false);
    nanos = now;

    JsonNode add = method(stats.snapshot(), "add");
    assertThat(last(add.get("calls")).asLong()).isEqualTo(2);
    assertThat(add.get("totalCalls").asLong()).isEqualTo(3);
  }

  @Test
  void p50AndP99ComeFromTheHistogramWithinHalfABucket() {
    stats.track(Set.of("add"));
    for (int i = 0; i < 90; i++) {
      call("add", 2, false);
    }
    for (int i = 0; i < 10; i++) {
      call("add", 300, false);
    }
    JsonNode add = method(stats.snapshot(), "add");
    double p50 = last(add.get("p50")).asDouble();
    double p99 = last(add.get("p99")).asDouble();
    assertThat(p50).isBetween(2 / PRECISION, 2 * PRECISION);
    assertThat(p99).isBetween(300 / PRECISION, 300 * PRECISION);
  }

  @Test
  void latencyIsMergedOverTheLastTenSecondsThenForgotten() {
    stats.track(Set.of("add"));
    call("add", 2, false);
    nanos += 5 * SECOND;
    call("add", 300, false);
    call("add", 300, false);

    JsonNode add = method(stats.snapshot(), "add");
    // Both seconds are in the window: 3 calls, the median one slow.
    assertThat(last(add.get("p50")).asDouble()).isBetween(300 / PRECISION, 300 * PRECISION);

    nanos += 5 * SECOND; // the first second has left the window
    call("add", 2, false);
    call("add", 2, false);
    call("add", 2, false);
    add = method(stats.snapshot(), "add");
    assertThat(last(add.get("p50")).asDouble()).isBetween(2 / PRECISION, 2 * PRECISION);

    nanos += ConsoleStats.LATENCY_SECONDS * SECOND;
    add = method(stats.snapshot(), "add");
    assertThat(last(add.get("p50")).isNull()).as("no call ended in the last 10 s").isTrue();
    assertThat(last(add.get("p99")).isNull()).isTrue();
  }

  @Test
  void theWindowRollsAndTotalsRemain() {
    stats.track(Set.of("add"));
    call("add", 1, false);
    nanos += (ConsoleStats.SECONDS - 1) * SECOND;
    assertThat(longs(method(stats.snapshot(), "add").get("calls")).get(0)).isEqualTo(1);

    nanos += SECOND;
    JsonNode add = method(stats.snapshot(), "add");
    assertThat(longs(add.get("calls"))).containsOnly(0L);
    assertThat(add.get("totalCalls").asLong()).isEqualTo(1);

    // The ring's slot for this second held a call a minute ago: it is cleared, not added to.
    call("add", 1, false);
    assertThat(last(method(stats.snapshot(), "add").get("calls")).asLong()).isEqualTo(1);
  }

  @Test
  void callsInFlightAreCountedUntilTheyEnd() {
    stats.track(Set.of("sleep"));
    Call call = new Call("sleep", 0, null, true);
    stats.callStarted(call);
    assertThat(method(stats.snapshot(), "sleep").get("inFlight").asLong()).isEqualTo(1);
    stats.callEnded(call);
    assertThat(method(stats.snapshot(), "sleep").get("inFlight").asLong()).isZero();
  }

  @Test
  void onlyTrackedMethodsAreCounted() {
    stats.track(Set.of("add"));
    call("rpc.courier.console", 1, false);
    call("add", 1, false);
    ObjectNode snapshot = stats.snapshot();
    assertThat(snapshot.get("methods")).hasSize(1);
    assertThat(snapshot.get("totals").get("calls").asLong()).isEqualTo(1);
  }

  @Test
  void callsTheServerMakesToAPeerAreNotChartedEvenUnderTheNameOfOneOfItsMethods() {
    stats.track(Set.of("add"));
    Call made = new Call("add", TimeUnit.MILLISECONDS.toNanos(1), null, false);
    stats.callStarted(made);
    stats.callEnded(made);
    assertThat(stats.snapshot().get("totals").get("calls").asLong()).isZero();
    call("add", 1, false);
    assertThat(stats.snapshot().get("totals").get("calls").asLong()).isEqualTo(1);
  }

  @Test
  void openConnectionsAreListedUntilTheyClose() {
    Peer first = new FakePeer(new InetSocketAddress("127.0.0.1", 50_001), "ws");
    Peer second = new FakePeer(new InetSocketAddress("127.0.0.1", 50_002), "tcp");
    stats.connectionOpened(first);
    millis += 1_000;
    stats.connectionOpened(second);

    ObjectNode snapshot = stats.snapshot();
    assertThat(snapshot.get("totals").get("connections").asInt()).isEqualTo(2);
    JsonNode listed = snapshot.get("connections");
    assertThat(listed.get(0).get("remoteAddress").asText()).isEqualTo("127.0.0.1:50001");
    assertThat(listed.get(0).get("protocol").asText()).isEqualTo("ws");
    assertThat(listed.get(0).get("openedAt").asLong()).isEqualTo(1_700_000_000_000L);
    assertThat(listed.get(1).get("protocol").asText()).isEqualTo("tcp");

    stats.connectionClosed(first);
    snapshot = stats.snapshot();
    assertThat(snapshot.get("connections")).hasSize(1);
    assertThat(snapshot.get("connections").get(0).get("remoteAddress").asText()).isEqualTo("127.0.0.1:50002");
  }

  @Test
  void everyBucketStandsForItsDurationsWithinHalfABucket() {
    int previous = 0;
    for (long micros = 16; micros < 100_000_000; micros = micros * 11 / 10 + 1) {
      long durationNanos = micros * 1_000;
      int bucket = ConsoleStats.bucket(durationNanos);
      assertThat(bucket).as("buckets never go down").isGreaterThanOrEqualTo(previous);
      previous = bucket;
      double shownMillis = ConsoleStats.bucketMillis(bucket);
      assertThat(shownMillis / (durationNanos / 1e6)).as("for %d µs", micros)
          .isCloseTo(1.0, within(PRECISION - 1 + 1e-9));
    }
    assertThat(ConsoleStats.bucket(0)).isZero();
    assertThat(ConsoleStats.bucket(Long.MAX_VALUE)).isEqualTo(ConsoleStats.BUCKETS - 1);
  }
}
