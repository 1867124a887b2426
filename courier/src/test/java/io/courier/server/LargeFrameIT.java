package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Batch;
import io.courier.client.RpcClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Frames of 16 KiB and more are decoded on a worker; their calls must behave as any others. */
@Timeout(30)
class LargeFrameIT {

  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();
  private RpcServer server;
  private RpcClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  private void start() {
    server = RpcServer.builder().host("127.0.0.1").port(0).workerThreads(16)
        .method("pad", args -> {
          int now = running.incrementAndGet();
          mostAtOnce.accumulateAndGet(now, Math::max);
          try {
            Thread.sleep(args.arg(0, Long.class));
          } finally {
            running.decrementAndGet();
          }
          return args.arg(1, String.class).length();
        })
        .build().start();
    client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build();
  }

  @Test
  void callsInALargeBatchStillRunInParallel() throws Exception {
    start();
    String padding = "x".repeat(4096); // 8 calls x 4 KiB: a 32 KiB frame, decoded on a worker
    Batch batch = client.batch();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(batch.call("pad", Integer.class, 300, padding));
    }
    batch.send().get(10, TimeUnit.SECONDS);
    for (CompletableFuture<Integer> result : results) {
      assertThat(result.get()).isEqualTo(4096);
    }
    assertThat(mostAtOnce.get()).as("calls of one batch ran side by side, not one after another")
        .isGreaterThan(1);
  }

  @Test
  void largeSingleCallsAreAnsweredAndMatchedById() throws Exception {
    start();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      results.add(client.call("pad", Integer.class, 0, "y".repeat(20_000 + i)));
    }
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(20_000 + i);
    }
  }
}
