package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.ConnectionException;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.server.RpcServer;
import io.courier.testing.FakeJsonRpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connections that drop, servers that stop and restart, clients that close: every call still ends once. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class ConnectionLifecycleIT {

  interface Slow {
    String nap(int ms) throws InterruptedException;

    String hello();

    String napUntilCancelled();
  }

  static final class SlowImpl implements Slow {
    final AtomicInteger napping = new AtomicInteger();
    final CountDownLatch firstNap = new CountDownLatch(1);
    final CountDownLatch cancelledNapStarted = new CountDownLatch(1);
    final CountDownLatch cancelSeen = new CountDownLatch(1);

    @Override
    public String napUntilCancelled() {
      RpcContext context = RpcContext.current();
      cancelledNapStarted.countDown();
      try {
        Thread.sleep(10_000);
        return "never cancelled";
      } catch (InterruptedException e) {
        if (context.isCancelled()) {
          cancelSeen.countDown();
        }
        return "cancelled";
      }
    }

    @Override
    public String nap(int ms) throws InterruptedException {
      napping.incrementAndGet();
      firstNap.countDown();
      Thread.sleep(ms);
      return "rested " + ms;
    }

    @Override
    public String hello() {
      return "hello";
    }
  }

  private final SlowImpl slow = new SlowImpl();
  private final List<RpcServer> servers = new ArrayList<>();
  private final List<RpcClient> clients = new ArrayList<>();
  private final List<AutoCloseable> others = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    clients.forEach(RpcClient::close);
    servers.forEach(s -> s.stop(Duration.ofSeconds(1)));
    for (AutoCloseable c : others) {
      c.close();
    }
  }

  private RpcServer server(int port, int workers) {
    RpcServer server = RpcServer.builder()
        .host("127.0.0.1")
        .port(port)
        .workerThreads(workers)
        .maxRunningPerConnection(workers) // these tests run all of one client's calls at once
        .service(Slow.class, slow)
        .build()
        .start();
    servers.add(server);
    return server;
  }

  private RpcClient client(int port) {
    RpcClient client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + port)
        .callTimeout(Duration.ofSeconds(10))
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    clients.add(client);
    return client;
  }

  private static Throwable failureOf(CompletableFuture<?> future, long timeoutMs) throws Exception {
    try {
      future.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the call to fail, but it returned " + future.join());
  }

  private static void awaitAll(List<? extends CompletableFuture<?>> futures, long timeoutMs) throws Exception {
    try {
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException expected) {
      // some or all failed; the caller inspects each
    }
  }

  @Test
  void pendingCallsAreCancelledWhenTheServerStopsWithoutGrace() throws Exception {
    RpcServer server = server(0, 32);
    RpcClient client = client(server.port());
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(client.call("nap", String.class, 5000));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (slow.napping.get() < 20 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(slow.napping).hasValue(20);

    long start = System.nanoTime();
    server.stop(Duration.ZERO);
    awaitAll(calls, 2000);

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
    // Every running call is answered before the connection closes: cancelled because the server is
    // shutting down (not SHUTTING_DOWN, which would promise the call was not processed).
    for (CompletableFuture<String> call : calls) {
      Throwable failure = failureOf(call, 100);
      assertThat(failure).isInstanceOf(RpcException.class).isNotInstanceOf(ConnectionException.class);
      assertThat(((RpcException) failure).code()).isEqualTo(RpcError.CANCELLED_CODE);
      assertThat(((RpcException) failure).error().message()).contains("shutting down");
      assertThat(((RpcException) failure).error().isUnprocessed()).isFalse();
    }
  }

  @Test
  void pendingCallsFailWithConnectionLostWhenThePeerClosesTheSocket() throws Exception {
    FakeJsonRpcServer fake = new FakeJsonRpcServer(request -> null); // reads, never answers
    others.add(fake);
    RpcClient client = client(fake.port());
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(client.call("anything", String.class, i));
    }
    assertThat(fake.awaitFirstRequest(5, TimeUnit.SECONDS)).isTrue();

    fake.dropConnections();
    awaitAll(calls, 2000);

    for (CompletableFuture<String> call : calls) {
      Throwable failure = failureOf(call, 100);
      assertThat(failure).isInstanceOf(ConnectionException.class);
      assertThat(((RpcException) failure).code()).isEqualTo(RpcError.CONNECTION_LOST_CODE);
    }
  }

  @Test
  void nextCallAfterAServerRestartReconnects() throws Exception {
    RpcServer first = server(0, 4);
    int port = first.port();
    RpcClient client = client(port);
    assertThat(client.call("hello", String.class).get(5, TimeUnit.SECONDS)).isEqualTo("hello");

    first.stop(Duration.ofSeconds(1));
    server(port, 4);

    assertThat(client.call("hello", String.class).get(5, TimeUnit.SECONDS)).isEqualTo("hello");
    assertThat(client.create(Slow.class).hello()).isEqualTo("hello");
  }

  @Test
  void callToAClosedPortFailsQuicklyWithConnectionException() throws Exception {
    RpcClient client = client(Ports.closedPort());
    long start = System.nanoTime();

    Throwable failure = failureOf(client.call("hello", String.class), 3000);

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
    assertThat(failure).isInstanceOf(ConnectionException.class);
    assertThat(((ConnectionException) failure).code()).isEqualTo(RpcError.CONNECTION_LOST_CODE);
    // The failed connection is not kept: a second call tries again and fails the same way.
    assertThat(failureOf(client.call("hello", String.class), 3000)).isInstanceOf(ConnectionException.class);
  }

  @Test
  void gracefulStopLetsCallsInFlightFinishAndReleasesThePort() throws Exception {
    RpcServer server = server(0, 32);
    int port = server.port();
    RpcClient client = client(port);
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      inFlight.add(client.call("nap", String.class, 500));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (slow.napping.get() < 20 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(slow.napping).hasValue(20);

    CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(3)));
    // The port is released at once; once nothing accepts there, the server is stopping.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (!Ports.canBind(port) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    CompletableFuture<String> lateComer = client.call("hello", String.class);
    stopped.get(10, TimeUnit.SECONDS);

    for (CompletableFuture<String> call : inFlight) {
      assertThat(call.get(1, TimeUnit.SECONDS)).isEqualTo("rested 500");
    }
    Throwable refused = failureOf(lateComer, 2000);
    assertThat(refused).isInstanceOf(RpcException.class);
    if (!(refused instanceof ConnectionException)) {
      assertThat(((RpcException) refused).code()).isEqualTo(RpcError.SHUTTING_DOWN_CODE);
      assertThat(((RpcException) refused).error().isUnprocessed()).isTrue();
    }
    assertThat(Ports.canBind(port)).as("port free after stop").isTrue();
  }

  @Test
  void closingTheClientFailsEveryPendingCallAtOnce() throws Exception {
    RpcServer server = server(0, 64);
    RpcClient client = client(server.port());
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(client.call("nap", String.class, 3000));
    }
    // Every call is running on the server, so every one was written and is pending at the client.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (slow.napping.get() < 50 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(slow.napping).hasValue(50);

    long start = System.nanoTime();
    client.close();
    long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    awaitAll(calls, 1000);

    assertThat(closeMs).as("close() duration in ms").isLessThan(1500);
    for (CompletableFuture<String> call : calls) {
      Throwable failure = failureOf(call, 100);
      assertThat(failure).isInstanceOf(ConnectionException.class);
      assertThat(((ConnectionException) failure).code()).as(failure.getMessage())
          .isEqualTo(RpcError.CLIENT_CLOSED_CODE);
    }
    Throwable afterClose = failureOf(client.call("hello", String.class), 1000);
    assertThat(afterClose).isInstanceOf(ConnectionException.class);
    assertThat(((ConnectionException) afterClose).code()).isEqualTo(RpcError.CLIENT_CLOSED_CODE);
  }

  @Test
  void closingTheClientWhileItIsStillConnectingFailsTheCallAsClientClosed() throws Exception {
    RpcServer server = server(0, 4);
    RpcClient client = client(server.port());
    CompletableFuture<String> call = client.call("hello", String.class); // opens the connection

    client.close();

    Throwable failure = failureOf(call, 2000);
    assertThat(failure).isInstanceOf(ConnectionException.class);
    assertThat(((ConnectionException) failure).code()).as(failure.getMessage())
        .isEqualTo(RpcError.CLIENT_CLOSED_CODE);
  }

  @Test
  void closingTheClientCancelsItsCallsRunningOnTheServer() throws Exception {
    RpcServer server = server(0, 4);
    RpcClient client = client(server.port());
    CompletableFuture<String> call = client.call("napUntilCancelled", String.class);
    assertThat(slow.cancelledNapStarted.await(5, TimeUnit.SECONDS)).isTrue();

    client.close();

    assertThat(slow.cancelSeen.await(2, TimeUnit.SECONDS)).as("server method saw the cancel").isTrue();
    assertThat(failureOf(call, 1000)).isInstanceOf(ConnectionException.class);
  }

  @Test
  void batchOnAClosedClientFailsEveryCall() throws Exception {
    RpcServer server = server(0, 4);
    RpcClient client = client(server.port());
    assertThat(client.call("hello", String.class).get(5, TimeUnit.SECONDS)).isEqualTo("hello");
    client.close();
    Batch batch = client.batch();
    CompletableFuture<String> call = batch.call("hello", String.class);

    try {
      batch.send();
    } catch (ConnectionException acceptable) {
      // refusing at once is fine, as long as the call's own future also ends
    }

    Throwable failure = failureOf(call, 1000);
    assertThat(failure).isInstanceOf(ConnectionException.class);
    assertThat(((ConnectionException) failure).code()).isEqualTo(RpcError.CLIENT_CLOSED_CODE);
  }

  @Test
  void serverAndClientThreadsAreGoneAfterStopAndClose() throws Exception {
    long baseline = settledCourierThreads();
    RpcServer server = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .service(Slow.class, slow)
        .build()
        .start();
    RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build();
    try {
      for (int i = 0; i < 10; i++) {
        assertThat(client.call("hello", String.class).get(5, TimeUnit.SECONDS)).isEqualTo("hello");
      }
      assertThat(courierThreads()).as("threads while running").isGreaterThan(baseline);
    } finally {
      client.close();
      server.stop(Duration.ofSeconds(1));
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (courierThreads() > baseline && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(courierThreads()).as("courier-* threads after stop: %s", courierThreadNames()).isLessThanOrEqualTo(baseline);
  }

  /**
   * The courier-* thread count once it has stopped changing: threads of servers and clients that earlier tests
   * stopped may still be finishing, and counting them in the baseline would make it meaningless.
   */
  private static long settledCourierThreads() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long count = courierThreads();
    while (System.nanoTime() < deadline) {
      Thread.sleep(200);
      long now = courierThreads();
      if (now == count) {
        return now;
      }
      count = now;
    }
    return count;
  }

  private static long courierThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("courier-"))
        .count();
  }

  private static List<String> courierThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("courier-"))
        .sorted()
        .toList();
  }
}
