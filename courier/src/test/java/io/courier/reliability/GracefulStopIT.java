package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** T30: graceful and immediate shutdown with calls in flight. */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class GracefulStopIT {

  private final Api.Impl impl = new Api.Impl();
  private RpcServer server;
  private RpcClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop(Duration.ZERO);
    }
  }

  private List<CompletableFuture<Integer>> twentyCallsInFlight() throws Exception {
    // The one client's 20 calls all run at once: its connection's share is the whole pool.
    server = RpcServer.builder().host("127.0.0.1").port(0).workerThreads(24).maxRunningPerConnection(24)
        .service(Api.class, impl).build().start();
    client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).callTimeout(Duration.ofSeconds(5))
        .maxAttempts(1).build();
    client.call("add", Integer.class, 1, 1).get();
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(client.call("sleep", Integer.class, i, 500));
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (impl.sleepsStarted.get() < 20 && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertThat(impl.sleepsStarted.get()).isEqualTo(20);
    return calls;
  }

  @Test
  void t30_gracefulStopDrainsCallsAndRefusesNewOnes() throws Exception {
    List<CompletableFuture<Integer>> calls = twentyCallsInFlight();
    int port = server.port();
    long start = System.nanoTime();
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(2)));
    Thread.sleep(20);
    boolean portFree = Ports.canBind(port);
    long portMs = Probe.ms(start);
    RpcException refused = null;
    try {
      client.call("add", Integer.class, 2, 2).get(2, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      refused = (RpcException) e.getCause();
    }
    stopping.get(5, TimeUnit.SECONDS);
    long doneMs = Probe.ms(start);
    int ok = 0;
    for (int i = 0; i < 20; i++) {
      if (calls.get(i).get(1, TimeUnit.SECONDS) == i) {
        ok++;
      }
    }
    System.out.printf("T30 graceful: port free after %d ms: %s; new call -> %s; %d/20 ok; stop took %d ms%n",
        portMs, portFree, refused == null ? "ok" : refused.error(), ok, doneMs);
    assertThat(portFree).as("listening port released at once").isTrue();
    assertThat(refused).as("new call refused").isNotNull();
    assertThat(refused.code()).isEqualTo(RpcError.SHUTTING_DOWN_CODE);
    assertThat(refused.error().isUnprocessed()).as("retryable").isTrue();
    assertThat(ok).isEqualTo(20);
    assertThat(doneMs).as("graceful done <= 700 ms").isLessThanOrEqualTo(700);
    server = null;
  }

  @Test
  void t30_stopNowFailsCallsInFlightAtOnce() throws Exception {
    List<CompletableFuture<Integer>> calls = twentyCallsInFlight();
    long start = System.nanoTime();
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ZERO));
    List<RpcException> failures = new ArrayList<>();
    for (CompletableFuture<Integer> call : calls) {
      try {
        call.get(2, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failures.add((RpcException) e.getCause());
      }
    }
    long allFailedMs = Probe.ms(start);
    stopping.get(5, TimeUnit.SECONDS);
    System.out.printf("T30 now: %d/20 failed within %d ms, e.g. %s; stop returned after %d ms%n", failures.size(),
        allFailedMs, failures.isEmpty() ? "-" : failures.get(0).error(), Probe.ms(start));
    assertThat(failures).hasSize(20);
    assertThat(failures).allSatisfy(f -> {
      assertThat(f.code()).isEqualTo(RpcError.CANCELLED_CODE);
      assertThat(f.error().message()).containsIgnoringCase("shutting down");
    });
    assertThat(allFailedMs).as("now <= 100 ms").isLessThanOrEqualTo(100);
    server = null;
  }
}
