package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.CallTimeoutException;
import io.courier.RpcContext;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.testing.FakeJsonRpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.chaos.ChaosProxy;
import io.courier.testing.chaos.Direction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deadlines, cancellation and propagation: T16, T17, T32. */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class DeadlinesIT {

  private final AtomicLong cancelSeenAt = new AtomicLong();
  private final AtomicInteger contextCancelled = new AtomicInteger();
  private final AtomicInteger invocations = new AtomicInteger();
  private RpcServer server;
  private RpcServer inner;
  private RpcClient client;

  private RpcServer newServer() {
    return RpcServer.builder().host("127.0.0.1").port(0)
        .method("slow", args -> {
          invocations.incrementAndGet();
          RpcContext ctx = RpcContext.current();
          try {
            Thread.sleep(args.arg(0, Long.class));
          } catch (InterruptedException e) {
            cancelSeenAt.compareAndSet(0, System.nanoTime());
            if (ctx.isCancelled()) {
              contextCancelled.incrementAndGet();
            }
            throw e;
          }
          return "done";
        })
        .method("late", args -> {
          // Ignores the cancel and answers anyway, after the caller gave up.
          long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
          while (System.nanoTime() < end) {
            Thread.interrupted();
            Thread.onSpinWait();
          }
          return args.arg(0, Integer.class);
        })
        .method("echo", args -> {
          invocations.incrementAndGet();
          return args.arg(0, Integer.class);
        })
        .build().start();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop(Duration.ofMillis(500));
    }
    if (inner != null) {
      inner.stop(Duration.ofMillis(500));
    }
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(5, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  // ------------------------------------------------------------------------------------------------ T16

  @Test
  void t16_slowServerDeadlineCancelAndLateReplies() throws Exception {
    server = newServer();
    client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).callTimeout(Duration.ofSeconds(5))
        .build();
    client.call("echo", Integer.class, 1).get(); // connect and warm up
    RpcClient fast = client.withCallTimeout(Duration.ofMillis(200));

    long start = System.nanoTime();
    Throwable t = failure(fast.call("slow", String.class, 5000));
    long failedAfter = Probe.ms(start);
    long deadline = TimeUnit.NANOSECONDS.toMillis(start) + 200;
    assertThat(t).isInstanceOf(CallTimeoutException.class);
    long waited = 0;
    while (cancelSeenAt.get() == 0 && waited < 2000) {
      Thread.sleep(5);
      waited += 5;
    }
    assertThat(cancelSeenAt.get()).as("server saw the cancel").isNotZero();
    long cancelSeenMs = TimeUnit.NANOSECONDS.toMillis(cancelSeenAt.get()) - deadline;
    System.out.printf("T16 failed after %d ms (bound 200 +- 100), server saw the cancel %d ms after the deadline%n",
        failedAfter, cancelSeenMs);
    assertThat(failedAfter).as("fail at 200 +- 100 ms").isBetween(100L, 300L);
    assertThat(cancelSeenMs).as("cancel seen <= 500 ms").isLessThanOrEqualTo(500);
    assertThat(contextCancelled.get()).as("RpcContext.isCancelled()").isEqualTo(1);

    // The slow call's own answer (a cancelled error) is a late reply too; let it land before counting.
    long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (client.droppedLateReplies() == 0 && System.nanoTime() < settle) {
      Thread.sleep(5);
    }
    // A late reply is dropped and counted, never delivered to another call.
    long droppedBefore = client.droppedLateReplies();
    CompletableFuture<Integer> late = fast.call("late", Integer.class, -1);
    List<CompletableFuture<Integer>> others = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      others.add(client.call("echo", Integer.class, i));
      Thread.sleep(2);
    }
    assertThat(failure(late)).isInstanceOf(CallTimeoutException.class);
    for (int i = 0; i < others.size(); i++) {
      assertThat(others.get(i).get(5, TimeUnit.SECONDS)).as("call %d got its own reply", i).isEqualTo(i);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (client.droppedLateReplies() == droppedBefore && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(client.droppedLateReplies() - droppedBefore).as("late reply counted").isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ T17

  @Test
  void t17_pastDeadlineFailsLocallyWithNothingWritten() throws Exception {
    try (FakeJsonRpcServer fake = new FakeJsonRpcServer(req -> "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":"
            + req.get("id") + "}");
        RpcClient c = RpcClient.builder().target("tcp://127.0.0.1:" + fake.port()).build()) {
      RpcClient zero = c.withCallTimeout(Duration.ZERO);
      zero.call("warm", Integer.class).exceptionally(e -> 0).get();
      long start = System.nanoTime();
      Throwable t = failure(zero.call("x", Integer.class, 1));
      long ms = Probe.ms(start);
      Thread.sleep(100);
      System.out.printf("T17 timeout 0 failed in %d ms; bytes to server: %d requests, %d connects%n", ms,
          fake.received().size(), c.connectAttempts());
      assertThat(t).isInstanceOf(CallTimeoutException.class);
      assertThat(ms).as("<= 10 ms").isLessThanOrEqualTo(10);
      assertThat(fake.received()).as("0 bytes written").isEmpty();
      assertThat(c.connectAttempts()).as("not even a connection").isZero();
    }
  }

  @Test
  void t17_nestedCallInheritsTheSmallerRemainingBudget() throws Exception {
    inner = RpcServer.builder().host("127.0.0.1").port(0)
        .method("remaining", args -> {
          Duration d = RpcContext.current().remainingTime();
          return d == null ? -1 : d.toMillis();
        })
        .build().start();
    try (RpcClient innerClient = RpcClient.builder().target("tcp://127.0.0.1:" + inner.port())
        .callTimeout(Duration.ofSeconds(10)).build()) {
      server = RpcServer.builder().host("127.0.0.1").port(0)
          .method("outer", args -> {
            Thread.sleep(100);
            long parentLeft = RpcContext.current().remainingTime().toMillis();
            long childLeft = innerClient.call("remaining", Long.class).get();
            return List.of(parentLeft, childLeft);
          })
          .build().start();
      client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build();
      JsonNode r = client.withCallTimeout(Duration.ofMillis(800)).call("outer", JsonNode.class).get();
      long parent = r.get(0).asLong();
      long child = r.get(1).asLong();
      System.out.printf("T17 nested: parent had %d ms left, child got %d ms (own timeout 10 000 ms)%n", parent, child);
      assertThat(parent).isBetween(1L, 800L);
      assertThat(child).as("budget <= parent's").isBetween(0L, parent);
    }
  }

  // ------------------------------------------------------------------------------------------------ T32

  @Test
  void t32_latencyCausesTimeoutsButNoHiddenRetries() throws Exception {
    server = newServer();
    try (ChaosProxy proxy = ChaosProxy.start(server.port())) {
      client = RpcClient.builder().target("tcp://127.0.0.1:" + proxy.port()).callTimeout(Duration.ofSeconds(1))
          .build();
      client.call("echo", Integer.class, 0).get();
      int sentBefore = invocations.get();
      proxy.latency(Direction.UPSTREAM, Duration.ofMillis(200), Duration.ofMillis(50));
      RpcClient shortOne = client.withCallTimeout(Duration.ofMillis(100));
      List<CompletableFuture<Integer>> ok = new ArrayList<>();
      List<CompletableFuture<Integer>> timedOut = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ok.add(client.call("echo", Integer.class, i));
        timedOut.add(shortOne.call("echo", Integer.class, 100 + i));
      }
      int succeeded = 0;
      int timeouts = 0;
      for (int i = 0; i < 20; i++) {
        if (ok.get(i).get(3, TimeUnit.SECONDS) == i) {
          succeeded++;
        }
        if (failure(timedOut.get(i)) instanceof CallTimeoutException) {
          timeouts++;
        }
      }
      Thread.sleep(600); // every request has reached the server
      int ran = invocations.get() - sentBefore;
      System.out.printf("T32 1 s calls ok %d/20, 100 ms calls timed out %d/20, server ran %d of 40 sent, "
          + "retries %d%n", succeeded, timeouts, ran, client.retries());
      assertThat(succeeded).isEqualTo(20);
      assertThat(timeouts).isEqualTo(20);
      assertThat(ran).as("server invocations == client sends").isEqualTo(40);
      assertThat(client.retries()).isZero();
    }
  }
}
