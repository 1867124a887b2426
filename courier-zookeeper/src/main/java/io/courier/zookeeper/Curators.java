package io.courier.zookeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** How this module makes its Curator clients and threads, the same for the registry and the discovery side. */
final class Curators {

  /**
   * Retries of one ZooKeeper operation start at 100 ms and double up to 5 s, 10 times at most: a registry that
   * flaps costs a few requests a second at worst. Reconnecting itself is paced by ZooKeeper's client, which tries
   * the next server after a pause of up to a second and never in a tight loop.
   */
  private static final int RETRY_BASE_MS = 100;
  private static final int RETRY_MAX_MS = 5_000;
  private static final int RETRY_MAX_ATTEMPTS = 10;
  private static final int WORKER_QUEUE = 64;

  private Curators() {}

  /** A client (not started) of {@code connectString}, authenticated with {@code credentials} when not null. */
  static CuratorFramework newClient(String connectString, String credentials, Duration sessionTimeout,
      Duration connectionTimeout) {
    CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs(millis(sessionTimeout))
        .connectionTimeoutMs(millis(connectionTimeout))
        .retryPolicy(new ExponentialBackoffRetry(RETRY_BASE_MS, RETRY_MAX_ATTEMPTS, RETRY_MAX_MS));
    if (credentials != null) {
      builder.authorization("digest", credentials.getBytes(StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  /**
   * One daemon thread, named, for work that must not run on Curator's own event threads. Its tasks are idempotent
   * re-checks made on connection changes, so past a short queue they are dropped, not piled up.
   */
  static ExecutorService newWorker(String name) {
    return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(WORKER_QUEUE),
        task -> {
          Thread thread = new Thread(task, name);
          thread.setDaemon(true);
          return thread;
        }, new ThreadPoolExecutor.DiscardPolicy());
  }

  static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
  }
}
