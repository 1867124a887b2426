package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.Idempotent;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.netty.channel.Channel;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * T39: a soak of 100 000 calls (system property {@code courier.soak.calls} for more) with 50 forced reconnects
 * (the server closes every connection), under the paranoid leak detector; threads, heap and leaks are checked.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
@ExtendWith(NettyLeakCheck.class)
class SoakIT {

  public interface SoakClient {
    @Idempotent
    CompletableFuture<Integer> inc(int x);
  }

  public static final class SoakService {
    public int inc(int x) {
      return x + 1;
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void t39_soak() throws Exception {
    int calls = Integer.getInteger("courier.soak.calls", 100_000);
    int reconnects = Integer.getInteger("courier.soak.reconnects", 50);
    int window = 64;
    RpcServer server = RpcServer.builder().host("127.0.0.1").port(0).service(new SoakService()).build().start();
    RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port())
        .callTimeout(Duration.ofSeconds(10)).build();
    try {
      SoakClient api = client.create(SoakClient.class);
      for (int i = 0; i < 5000; i++) {
        api.inc(i).get();
      }
      Thread.sleep(200);
      long heapStart = heapAfterGc();
      int threadsStart = Probe.threadCount();
      long connectsStart = client.connectAttempts();
      Semaphore inFlight = new Semaphore(window);
      AtomicLong ok = new AtomicLong();
      AtomicLong wrong = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicLong done = new AtomicLong();
      int every = calls / reconnects;
      int forced = 0;
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        if ((i + every / 2) % every == 0 && forced < reconnects) {
          for (Channel ch : Probe.channels(server)) {
            ch.close();
          }
          forced++;
        }
        inFlight.acquire();
        int x = i;
        api.inc(x).whenComplete((v, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          } else if (v == x + 1) {
            ok.incrementAndGet();
          } else {
            wrong.incrementAndGet();
          }
          done.incrementAndGet();
          inFlight.release();
        });
      }
      inFlight.acquire(window);
      inFlight.release(window);
      long ms = Probe.ms(start);
      Thread.sleep(300);
      long heapEnd = heapAfterGc();
      int threadsEnd = Probe.threadCount();
      double heapChange = (heapEnd - heapStart) * 100.0 / heapStart;
      System.out.printf("T39 %d calls in %d ms (%.0f/s): %d ok, %d wrong, %d failed; %d forced reconnects, %d "
          + "connects, %d retries; threads %d -> %d; heap after GC %d -> %d KiB (%+.1f %%)%n", calls, ms,
          calls * 1000.0 / ms, ok.get(), wrong.get(), failed.get(), forced, client.connectAttempts() - connectsStart,
          client.retries(), threadsStart, threadsEnd, heapStart / 1024, heapEnd / 1024, heapChange);
      assertThat(done.get()).as("every call ended once").isEqualTo(calls);
      assertThat(wrong.get()).as("no reply delivered to the wrong call").isZero();
      assertThat(failed.get()).as("idempotent calls survive forced reconnects").isZero();
      assertThat(client.connectAttempts() - connectsStart).as("reconnected").isGreaterThanOrEqualTo(reconnects);
      assertThat(threadsEnd).as("thread count stable").isLessThanOrEqualTo(threadsStart + 2);
      // +-10 % of a small heap is a few MiB, within GC noise: the bound is 10 % or 8 MiB, whichever is larger.
      assertThat(Math.abs(heapEnd - heapStart)).as("heap after GC within +-10 %% (or 8 MiB)")
          .isLessThanOrEqualTo(Math.max(heapStart / 10, 8L * 1024 * 1024));
      if (calls <= 100_000) {
        assertThat(ms).as("<= 60 s").isLessThanOrEqualTo(60_000);
      }
    } finally {
      client.close();
      server.stop(Duration.ofSeconds(1));
    }
  }
}
