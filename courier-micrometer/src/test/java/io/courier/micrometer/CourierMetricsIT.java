package io.courier.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.CallEvent;
import io.courier.Identity;
import io.courier.Peer;
import io.courier.RpcError;
import io.courier.RpcEventListener;
import io.courier.client.RpcClient;
import io.courier.server.BearerTokenAuth;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.testing.LineSocket;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CourierMetrics} on a real server and client over 127.0.0.1: what the meters hold after calls that
 * succeed, fail, are refused before or after they start, time out, and after a hostile peer's flood of names.
 */
@Timeout(30)
class CourierMetricsIT {

  /**
   * Added after the metrics, so that when it is told of an event the metrics have recorded it: the tests wait
   * on these permits rather than on the clock.
   */
  private static final class Signals implements RpcEventListener {
    final Semaphore opened = new Semaphore(0);
    final Semaphore closed = new Semaphore(0);
    final Semaphore started = new Semaphore(0);
    final Semaphore ended = new Semaphore(0);
    final Semaphore rejected = new Semaphore(0);

    @Override
    public void connectionOpened(Peer connection) {
      opened.release();
    }

    @Override
    public void connectionClosed(Peer connection) {
      closed.release();
    }

    @Override
    public void callStarted(CallEvent call) {
      started.release();
    }

    @Override
    public void callEnded(CallEvent call) {
      ended.release();
    }

    @Override
    public void callRejected(Peer connection, String method, RpcError error) {
      rejected.release();
    }

    static void await(Semaphore events, int count) throws InterruptedException {
      assertThat(events.tryAcquire(count, 10, TimeUnit.SECONDS)).as("%d events", count).isTrue();
    }
  }

  private final MeterRegistry serverMeters = new SimpleMeterRegistry();
  private final MeterRegistry clientMeters = new SimpleMeterRegistry();
  private final Signals serverEvents = new Signals();
  private final Signals clientEvents = new Signals();
  private final CountDownLatch holding = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private RpcServer server;

  private RpcServer start(RpcServerBuilder builder, MeterRegistry registry) {
    server = builder
        .host("127.0.0.1")
        .port(0)
        .eventListener(CourierMetrics.server(registry), serverEvents)
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .method("echo", args -> args.arg(0, String.class))
        .method("fail", args -> {
          throw new IllegalStateException("broken");
        })
        .method("hold", args -> {
          holding.countDown();
          release.await(10, TimeUnit.SECONDS);
          return "held";
        })
        .build()
        .start();
    return server;
  }

  private RpcServer start(RpcServerBuilder builder) {
    return start(builder, serverMeters);
  }

  private RpcClient client() {
    RpcClient client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + server.port())
        .callTimeout(Duration.ofSeconds(5))
        .eventListener(CourierMetrics.client(clientMeters), clientEvents)
        .build();
    closing.add(client);
    return client;
  }

  /** A raw connection to the server, closed after the test. */
  private LineSocket line() throws IOException {
    LineSocket line = new LineSocket(server.port());
    closing.add(line);
    return line;
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }


  private static long calls(MeterRegistry registry, String name, String method, String status) {
    return registry.get(name).tags("rpc.system.name", "jsonrpc", "rpc.method", method, "rpc.status_code", status)
        .timer().count();
  }

  private static double rejected(MeterRegistry registry, String method, int code) {
    return registry.get("courier.server.calls.rejected")
        .tags("rpc.method", method, "rpc.status_code", String.valueOf(code)).counter().count();
  }

  @Test
  void callsAreCountedPerMethodOnBothSidesWithTheirTags() throws Exception {
    start(RpcServer.builder());
    RpcClient client = client();
    for (int i = 0; i < 5; i++) {
      assertThat(client.call("add", Integer.class, i, 1).get(5, TimeUnit.SECONDS)).isEqualTo(i + 1);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(client.call("echo", String.class, "hi").get(5, TimeUnit.SECONDS)).isEqualTo("hi");
    }
    Signals.await(serverEvents.ended, 8);
    Signals.await(clientEvents.ended, 8);

    assertThat(calls(serverMeters, "rpc.server.call.duration", "add", "OK")).isEqualTo(5);
    assertThat(calls(serverMeters, "rpc.server.call.duration", "echo", "OK")).isEqualTo(3);
    assertThat(calls(clientMeters, "rpc.client.call.duration", "add", "OK")).isEqualTo(5);
    assertThat(calls(clientMeters, "rpc.client.call.duration", "echo", "OK")).isEqualTo(3);
    assertThat(serverMeters.get("rpc.server.call.duration").tags("rpc.method", "add").timer().getId()
        .getTag("error.type")).isEqualTo("none");
    assertThat(serverMeters.get("courier.server.call.queue.duration").tags("rpc.method", "add").timer().count())
        .isEqualTo(5);
    assertThat(serverMeters.get("rpc.server.active_calls").tags("rpc.method", "add").gauge().value()).isZero();
    assertThat(clientMeters.find("rpc.server.call.duration").meters()).as("the client served nothing").isEmpty();
    assertThat(serverMeters.find("courier.server.calls.rejected").meters()).isEmpty();
  }

  @Test
  void aFailingMethodIsTaggedWithItsErrorCodeAndAnUnknownOneIsRejectedAsOther() throws Exception {
    start(RpcServer.builder().openRpc(false));
    RpcClient client = client();
    assertThatThrownBy(() -> client.call("fail", Object.class).get(5, TimeUnit.SECONDS));
    assertThatThrownBy(() -> client.call("nope", Object.class).get(5, TimeUnit.SECONDS));
    Signals.await(serverEvents.ended, 1);
    Signals.await(serverEvents.rejected, 1);
    Signals.await(clientEvents.ended, 2);

    String internal = String.valueOf(RpcError.INTERNAL_ERROR_CODE);
    assertThat(calls(serverMeters, "rpc.server.call.duration", "fail", internal)).isEqualTo(1);
    assertThat(serverMeters.get("rpc.server.call.duration").tags("rpc.method", "fail").timer().getId()
        .getTag("error.type")).isEqualTo(internal);
    assertThat(rejected(serverMeters, "_OTHER", RpcError.METHOD_NOT_FOUND_CODE)).isEqualTo(1);
    assertThat(serverMeters.get("courier.server.calls.rejected").counter().getId().getTag("courier.reason"))
        .isEqualTo("method_not_found");
    assertThat(serverMeters.getMeters()).extracting(meter -> meter.getId().getTag("rpc.method"))
        .doesNotContain("nope");
    // The client knows only what it called: the name it chose, with the code it got.
    assertThat(calls(clientMeters, "rpc.client.call.duration", "nope",
        String.valueOf(RpcError.METHOD_NOT_FOUND_CODE))).isEqualTo(1);
  }

  @Test
  void aMessageThatCannotBeParsedIsCountedAsRejected() throws Exception {
    start(RpcServer.builder());
    LineSocket line = line();
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,],\"id\":3}")).contains("-32700");
    Signals.await(serverEvents.rejected, 1);
    assertThat(rejected(serverMeters, "_OTHER", RpcError.PARSE_ERROR_CODE)).isEqualTo(1);
    assertThat(serverMeters.get("courier.server.calls.rejected").counter().getId().getTag("courier.reason"))
        .isEqualTo("parse_error");
  }

  @Test
  void aCallRefusedAsBusyIsCountedAsRejectedAndByItsCode() throws Exception {
    start(RpcServer.builder().workerThreads(1).queueCapacity(0));
    LineSocket holder = line();
    holder.send("{\"jsonrpc\":\"2.0\",\"method\":\"hold\",\"id\":1}");
    // Running, not just started: a call is reported before it is handed to the worker, which it then holds.
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    LineSocket refused = line();
    assertThat(refused.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[3,4],\"id\":2}"))
        .contains(String.valueOf(RpcError.SERVER_BUSY_CODE));
    Signals.await(serverEvents.ended, 1);

    assertThat(rejected(serverMeters, "add", RpcError.SERVER_BUSY_CODE)).isEqualTo(1);
    assertThat(serverMeters.get("courier.server.calls.rejected").counter().getId().getTag("courier.reason"))
        .isEqualTo("busy");
    assertThat(calls(serverMeters, "rpc.server.call.duration", "add", String.valueOf(RpcError.SERVER_BUSY_CODE)))
        .isEqualTo(1);
    assertThat(serverMeters.find("courier.server.call.queue.duration").tags("rpc.method", "add").timer().count())
        .as("a busy call never waited in the queue").isZero();
  }

  @Test
  void aCallRefusedByAuthenticationIsCountedAsRejected() throws Exception {
    start(RpcServer.builder().allowPlaintext(true)
        .intercept(BearerTokenAuth.of(Map.of("secret", Identity.of("ann", "user")))));
    LineSocket line = line();
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}"))
        .contains(String.valueOf(RpcError.UNAUTHENTICATED_CODE));
    Signals.await(serverEvents.ended, 1);
    assertThat(rejected(serverMeters, "add", RpcError.UNAUTHENTICATED_CODE)).isEqualTo(1);
    assertThat(serverMeters.get("courier.server.calls.rejected").counter().getId().getTag("courier.reason"))
        .isEqualTo("unauthenticated");
  }

  @Test
  void requestSizesAreTheSameOnBothSidesOfOneCall() throws Exception {
    start(RpcServer.builder());
    RpcClient client = client();
    assertThat(client.call("echo", String.class, "x".repeat(300)).get(5, TimeUnit.SECONDS)).hasSize(300);
    Signals.await(serverEvents.ended, 1);
    Signals.await(clientEvents.ended, 1);

    double clientRequest = clientMeters.get("rpc.client.request.size").summary().totalAmount();
    double serverRequest = serverMeters.get("rpc.server.request.size").summary().totalAmount();
    assertThat(clientRequest).isGreaterThan(300).isEqualTo(serverRequest);
    assertThat(clientMeters.get("rpc.client.request.size").summary().getId().getBaseUnit()).isEqualTo("bytes");
    assertThat(serverMeters.get("rpc.server.response.size").summary().totalAmount()).isGreaterThan(300);
    assertThat(clientMeters.get("rpc.client.response.size").summary().totalAmount()).isGreaterThan(300);
  }

  @Test
  void theConnectionGaugeRisesWithAClientAndFallsBackToZeroWhenItCloses() throws Exception {
    start(RpcServer.builder());
    RpcClient client = client();
    assertThat(client.call("add", Integer.class, 1, 1).get(5, TimeUnit.SECONDS)).isEqualTo(2);
    Signals.await(serverEvents.opened, 1);
    Signals.await(clientEvents.opened, 1);
    assertThat(serverMeters.get("courier.server.connections").tags("courier.protocol", "tcp").gauge().value())
        .isEqualTo(1);
    assertThat(clientMeters.get("courier.client.connections").tags("courier.protocol", "tcp").gauge().value())
        .isEqualTo(1);

    client.close();
    Signals.await(serverEvents.closed, 1);
    assertThat(serverMeters.get("courier.server.connections").gauge().value()).isZero();
    assertThat(serverMeters.get("courier.server.connections.opened").counter().count()).isEqualTo(1);
    assertThat(serverMeters.get("courier.server.connections.closed").counter().count()).isEqualTo(1);
  }

  @Test
  void aCallIsInFlightWhileItsMethodRunsAndNotAfter() throws Exception {
    start(RpcServer.builder());
    LineSocket line = line();
    line.send("{\"jsonrpc\":\"2.0\",\"method\":\"hold\",\"id\":1}");
    Signals.await(serverEvents.started, 1);
    assertThat(serverMeters.get("rpc.server.active_calls").tags("rpc.method", "hold").gauge().value())
        .isEqualTo(1);

    release.countDown();
    assertThat(line.readLine()).contains("held");
    Signals.await(serverEvents.ended, 1);
    assertThat(serverMeters.get("rpc.server.active_calls").tags("rpc.method", "hold").gauge().value()).isZero();
  }

  @Test
  void aClientCallThatTimesOutIsTaggedWithTheTimeoutCode() throws Exception {
    start(RpcServer.builder());
    RpcClient client = client();
    assertThatThrownBy(() -> client.withCallTimeout(Duration.ofMillis(200)).call("hold", String.class)
        .get(5, TimeUnit.SECONDS));
    Signals.await(clientEvents.ended, 1);
    String timeout = String.valueOf(RpcError.TIMEOUT_CODE);
    assertThat(calls(clientMeters, "rpc.client.call.duration", "hold", timeout)).isEqualTo(1);
    assertThat(clientMeters.get("rpc.client.call.duration").tags("rpc.method", "hold").timer().getId()
        .getTag("error.type")).isEqualTo(timeout);
  }

  @Test
  void aPeerSendingAThousandUnknownMethodsCreatesABoundedNumberOfMeters() throws Exception {
    start(RpcServer.builder().openRpc(false));
    LineSocket line = line();
    for (int i = 0; i < 1000; i++) {
      assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"m" + i + "\",\"id\":" + i + "}")).contains("-32601");
    }
    Signals.await(serverEvents.rejected, 1000);
    assertThat(rejected(serverMeters, "_OTHER", RpcError.METHOD_NOT_FOUND_CODE)).isEqualTo(1000);
    Set<String> methods = serverMeters.getMeters().stream().map(meter -> meter.getId().getTag("rpc.method"))
        .filter(name -> name != null).collect(Collectors.toSet());
    assertThat(methods).containsExactly("_OTHER");
    assertThat(serverMeters.getMeters()).as("connections (3) and one rejected counter").hasSizeLessThan(10);
  }

  @Test
  void prometheusNamesTheMetersAfterTheConventions() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    start(RpcServer.builder().openRpc(false), prometheus);
    RpcClient client = client();
    assertThat(client.call("add", Integer.class, 1, 2).get(5, TimeUnit.SECONDS)).isEqualTo(3);
    assertThatThrownBy(() -> client.call("fail", Object.class).get(5, TimeUnit.SECONDS));
    assertThatThrownBy(() -> client.call("nope", Object.class).get(5, TimeUnit.SECONDS));
    Signals.await(serverEvents.ended, 2);
    Signals.await(serverEvents.rejected, 1);

    String scrape = prometheus.scrape();
    assertThat(scrape)
        .contains("rpc_server_call_duration_seconds_count{error_type=\"none\",rpc_method=\"add\","
            + "rpc_status_code=\"OK\",rpc_system_name=\"jsonrpc\"} 1")
        .contains("rpc_server_call_duration_seconds_bucket{")
        .contains("rpc_server_call_duration_seconds_count{error_type=\"-32603\",rpc_method=\"fail\","
            + "rpc_status_code=\"-32603\",rpc_system_name=\"jsonrpc\"} 1")
        .contains("rpc_server_request_size_bytes_count{")
        .contains("rpc_server_active_calls{")
        .contains("courier_server_call_queue_duration_seconds_count{")
        .contains("courier_server_calls_rejected_total{courier_reason=\"method_not_found\",rpc_method=\"_OTHER\"")
        .contains("courier_server_connections{courier_protocol=\"tcp\",rpc_system_name=\"jsonrpc\"} 1");
  }
}
