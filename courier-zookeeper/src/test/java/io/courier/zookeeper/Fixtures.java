package io.courier.zookeeper;

import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.server.ServerListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/** Servers, pollers and a bounded call load shared by the ZooKeeper tests; everything on 127.0.0.1. */
final class Fixtures {

  private Fixtures() {}

  /** A server on an ephemeral loopback port whose {@code node} method answers its own "host:port". */
  static RpcServer server(ServerListener... listeners) {
    AtomicInteger port = new AtomicInteger();
    RpcServer server = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .method("node", arguments -> "127.0.0.1:" + port.get())
        .listener(listeners)
        .build();
    // The port is known once bound; listeners may already be told, which is fine: node() is called later.
    server.start();
    port.set(server.port());
    return server;
  }

  /** A registry of {@code calc} on the ZooKeeper at {@code connectString}, with short test timeouts. */
  static ZooKeeperRegistry.Builder registry(String connectString) {
    return ZooKeeperRegistry.builder()
        .connectString(connectString)
        .serviceName("calc")
        .connectionTimeout(Duration.ofSeconds(2))
        .unregisterDelay(Duration.ofMillis(500));
  }

  static RpcClient client(String target) {
    return RpcClient.builder()
        .target(target)
        .connectTimeout(Duration.ofSeconds(2))
        .callTimeout(Duration.ofSeconds(2))
        .build();
  }

  static String node(RpcClient client) {
    return client.call("node", String.class).join();
  }

  /** Polls {@code condition} every 10 ms until it holds, failing with {@code what} after {@code within}. */
  static void await(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within " + within.toMillis() + " ms: " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for " + what, e);
      }
    }
  }

  /** Calls {@code node} from a few threads until closed, counting answers per server and failures. */
  static final class Load implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    final LongAdder failures = new LongAdder();
    final List<Throwable> failed = Collections.synchronizedList(new ArrayList<>());

    Load(RpcClient client, int threadCount) {
      for (int i = 0; i < threadCount; i++) {
        Thread thread = new Thread(() -> {
          while (running.get()) {
            try {
              answers.computeIfAbsent(node(client), k -> new LongAdder()).increment();
            } catch (RuntimeException e) {
              failures.increment();
              if (failed.size() < 20) {
                failed.add(e);
              }
            }
          }
        }, "zk-test-load-" + i);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
      }
    }

    long answersFrom(String node) {
      LongAdder count = answers.get(node);
      return count == null ? 0 : count.sum();
    }

    long total() {
      return answers.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Stops the calls and waits for the last ones to end; the counts are final after it. */
    void stop() {
      running.set(false);
      try {
        for (Thread thread : threads) {
          thread.join(5_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop();
    }
  }
}
