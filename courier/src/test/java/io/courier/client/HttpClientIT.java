package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.CallTimeoutException;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What is particular to the {@code http://} client: HTTP-level refusals and its pool of connections. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class HttpClientIT {

  private final CountDownLatch release = new CountDownLatch(1);
  private RpcServer server;

  @BeforeEach
  void start() {
    server = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .maxMessageBytes(64 * 1024)
        .method("echo", args -> args.arg(0, String.class))
        .method("hold", args -> {
          release.await(10, TimeUnit.SECONDS);
          return "released";
        })
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(Duration.ofSeconds(1));
  }

  private RpcClient client(String path, int maxConnections) {
    return RpcClient.builder()
        .target("http://127.0.0.1:" + server.port() + path)
        .maxHttpConnections(maxConnections)
        .callTimeout(Duration.ofSeconds(5))
        .maxAttempts(1)
        .build();
  }

  private static RpcException failure(CompletableFuture<?> call) {
    Throwable thrown = null;
    try {
      call.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      thrown = e.getCause();
    } catch (Exception e) {
      thrown = e;
    }
    assertThat(thrown).isInstanceOf(RpcException.class);
    return (RpcException) thrown;
  }

  @Test
  void bodyOverTheServersLimitFailsWithLimitExceededNamingTheHttpStatus() throws Exception {
    try (RpcClient client = client("/rpc", 4)) {
      RpcException refused = failure(client.call("echo", String.class, "x".repeat(100 * 1024)));

      assertThat(refused.code()).isEqualTo(RpcError.LIMIT_EXCEEDED_CODE);
      assertThat(refused.getMessage()).contains("HTTP 413");
      // The next call opens a new connection and works.
      assertThat(client.call("echo", String.class, "small").get(5, TimeUnit.SECONDS)).isEqualTo("small");
    }
  }

  @Test
  void wrongPathFailsTheCallWithTheHttpStatusRatherThanHanging() {
    try (RpcClient client = client("/nope", 4)) {
      RpcException refused = failure(client.call("echo", String.class, "x"));

      assertThat(refused.code()).isEqualTo(RpcError.INVALID_REQUEST_CODE);
      assertThat(refused.getMessage()).contains("HTTP 404").contains("/nope");
    }
  }

  @Test
  void callsBeyondThePoolWaitForAFreeConnectionInsteadOfQueueingBehindASlowOne() throws Exception {
    try (RpcClient client = client("/rpc", 2)) {
      List<CompletableFuture<String>> held = new ArrayList<>();
      held.add(client.call("hold", String.class));
      held.add(client.call("hold", String.class));
      CompletableFuture<String> waiting = client.call("echo", String.class, "after");

      Thread.sleep(300);
      assertThat(waiting).as("both connections are busy: the call waits").isNotDone();
      release.countDown();

      assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo("after");
      for (CompletableFuture<String> call : held) {
        assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("released");
      }
    }
  }

  @Test
  void callWaitingForAConnectionTimesOutAtItsDeadline() throws Exception {
    try (RpcClient client = client("/rpc", 1)) {
      CompletableFuture<String> held = client.call("hold", String.class);
      CompletableFuture<String> waiting =
          client.withCallTimeout(Duration.ofMillis(300)).call("echo", String.class, "x");

      assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CallTimeoutException.class);
      release.countDown();
      assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo("released");
      assertThat(client.call("echo", String.class, "next").get(5, TimeUnit.SECONDS)).isEqualTo("next");
    }
  }
}
