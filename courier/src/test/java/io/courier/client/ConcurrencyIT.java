package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many calls in flight on one connection: replies matched by id, no head-of-line blocking, async servers. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
@ParameterizedClass(name = "{0}")
@EnumSource(Transports.class)
class ConcurrencyIT {

  @Parameter
  Transports transport;

  interface Work {
    CompletableFuture<Integer> delayed(int x, int delayMs);

    String slow(int sleepMs) throws InterruptedException;

    int fast(int x);

    CompletableFuture<String> parked(int n);

    String ping();
  }

  interface WorkClient {
    CompletableFuture<Integer> delayed(int x, int delayMs);

    CompletableFuture<String> slow(int sleepMs);

    CompletableFuture<Integer> fast(int x);

    CompletableFuture<String> parked(int n);

    String ping();
  }

  static final class WorkImpl implements Work {
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    /** Server-side completion order of delayed calls. */
    final Queue<Integer> completionOrder = new ConcurrentLinkedQueue<>();
    final CountDownLatch slowStarted = new CountDownLatch(1);
    volatile boolean slowFinished;
    final List<CompletableFuture<String>> parkedCalls = new CopyOnWriteArrayList<>();
    final AtomicInteger parkedEntered = new AtomicInteger();

    @Override
    public CompletableFuture<Integer> delayed(int x, int delayMs) {
      CompletableFuture<Integer> result = new CompletableFuture<>();
      scheduler.schedule(() -> {
        completionOrder.add(x);
        result.complete(x);
      }, delayMs, TimeUnit.MILLISECONDS);
      return result;
    }

    @Override
    public String slow(int sleepMs) throws InterruptedException {
      slowStarted.countDown();
      Thread.sleep(sleepMs);
      slowFinished = true;
      return "slow done";
    }

    @Override
    public int fast(int x) {
      return x * 2;
    }

    @Override
    public CompletableFuture<String> parked(int n) {
      parkedEntered.incrementAndGet();
      CompletableFuture<String> result = new CompletableFuture<>();
      parkedCalls.add(result);
      return result;
    }

    @Override
    public String ping() {
      return "pong";
    }
  }

  private final WorkImpl work = new WorkImpl();
  private RpcServer server;
  private RpcClient client;

  private void start(int workerThreads) {
    server = Transports.serve(RpcServer.builder())
        .host("127.0.0.1")
        .port(0)
        .workerThreads(workerThreads)
        .service(Work.class, work)
        .build()
        .start();
    client = transport.target(RpcClient.builder(), server.port())
        .callTimeout(Duration.ofSeconds(20))
        .build();
  }

  @AfterEach
  void stop() {
    work.parkedCalls.forEach(f -> f.complete("released"));
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
    work.scheduler.shutdownNow();
  }

  @Test
  void thousandConcurrentCallsAnsweredInShuffledOrderEachGetTheirOwnResult() throws Exception {
    start(4);
    WorkClient proxy = client.create(WorkClient.class);
    int n = 1000;
    List<CompletableFuture<Integer>> futures = new ArrayList<>(n);

    for (int i = 0; i < n; i++) {
      futures.add(proxy.delayed(i, ThreadLocalRandom.current().nextInt(0, 200)));
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);

    for (int i = 0; i < n; i++) {
      assertThat(futures.get(i).join()).as("result of call %d", i).isEqualTo(i);
    }
    List<Integer> order = new ArrayList<>(work.completionOrder);
    assertThat(order).hasSize(n);
    assertThat(order).as("the server really answered out of order").isNotEqualTo(order.stream().sorted().toList());
  }

  @Test
  void slowCallDoesNotDelayFastCallsOnTheSameConnection() throws Exception {
    start(8);
    WorkClient proxy = client.create(WorkClient.class);

    CompletableFuture<String> slow = proxy.slow(2000);
    assertThat(work.slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Integer>> fast = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fast.add(proxy.fast(i));
    }
    CompletableFuture.allOf(fast.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.SECONDS);

    assertThat(slow).as("the slow call is still running when every fast call is done").isNotDone();
    assertThat(work.slowFinished).isFalse();
    for (int i = 0; i < 50; i++) {
      assertThat(fast.get(i).join()).isEqualTo(2 * i);
    }
    assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("slow done");
  }

  @Test
  void asyncServerMethodDoesNotHoldAnExecutorThread() throws Exception {
    start(2);
    WorkClient proxy = client.create(WorkClient.class);

    List<CompletableFuture<String>> parked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      parked.add(proxy.parked(i));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (work.parkedEntered.get() < 10 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(work.parkedEntered).as("parked calls entered on 2 worker threads").hasValue(10);

    assertThat(proxy.ping()).isEqualTo("pong");
    assertThat(parked).allMatch(f -> !f.isDone());

    work.parkedCalls.forEach(f -> f.complete("released"));
    for (CompletableFuture<String> f : parked) {
      assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("released");
    }
  }

  @Test
  void manyThreadsShareOneClient() throws Exception {
    start(4);
    WorkClient proxy = client.create(WorkClient.class);
    int threads = 8;
    int callsPerThread = 100;
    List<Thread> callers = new ArrayList<>();
    Queue<String> mismatches = new ConcurrentLinkedQueue<>();

    for (int t = 0; t < threads; t++) {
      int base = t * callsPerThread;
      Thread caller = new Thread(() -> {
        for (int i = base; i < base + callsPerThread; i++) {
          int got = proxy.fast(i).join();
          if (got != 2 * i) {
            mismatches.add(i + " -> " + got);
          }
        }
      });
      callers.add(caller);
      caller.start();
    }
    for (Thread caller : callers) {
      caller.join(20_000);
    }

    assertThat(mismatches).isEmpty();
    assertThat(callers).noneMatch(Thread::isAlive);
  }
}
