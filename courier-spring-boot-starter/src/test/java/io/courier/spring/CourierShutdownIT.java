package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application context closed while calls are in flight: the server drains within its grace, reports itself
 * down meanwhile, and every call gets exactly one outcome, a result or a clear error. Real sockets on 127.0.0.1.
 */
class CourierShutdownIT {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class, CourierHealthAutoConfiguration.class))
      .withUserConfiguration(CalculatorImpl.class)
      .withPropertyValues("courier.server.host=127.0.0.1", "courier.server.port=0");

  @Test
  void callsInFlightFinishWithinTheGraceWhileHealthSaysDraining() {
    runner.run(context -> {
      HealthIndicator health = context.getBean("courierHealthIndicator", HealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      CalculatorImpl service = context.getBean(CalculatorImpl.class);
      try (RpcClient client = client(context.getBean(CourierServer.class).port())) {
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          calls.add(client.create(Calculator.class).slow(i, 1_000));
        }
        awaitRunning(service, 20);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> app(context).close());
        awaitStatus(health, "draining");
        closing.get(15, TimeUnit.SECONDS);
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        awaitEnded(calls);
        for (int i = 0; i < 20; i++) {
          assertThat(calls.get(i).join()).isEqualTo(i);
          assertThat(service.runs.get(i).get()).as("runs of call %d", i).isEqualTo(1);
        }
      }
    });
  }

  @Test
  void callsOutlivingTheGraceAreAnsweredWithACancelledError() {
    runner.withPropertyValues("courier.server.shutdown-grace=200ms").run(context -> {
      CalculatorImpl service = context.getBean(CalculatorImpl.class);
      try (RpcClient client = client(context.getBean(CourierServer.class).port())) {
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          calls.add(client.create(Calculator.class).slow(i, 60_000));
        }
        awaitRunning(service, 10);
        long started = System.nanoTime();
        app(context).close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        awaitEnded(calls);
        for (CompletableFuture<Integer> call : calls) {
          assertThat(failure(call)).isInstanceOfSatisfying(RpcException.class,
              e -> assertThat(e.code()).isEqualTo(RpcError.CANCELLED_CODE));
        }
      }
    });
  }

  /**
   * A client that goes on calling gets "shutting down" answers, and, once the server has waited its longest for
   * it to fall silent, "connection lost" for what it wrote as the connection closed: each call one of those or
   * its result, never nothing.
   */
  @Test
  void callsStillBeingMadeWhileTheContextClosesEachGetOneOutcome() throws Exception {
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    runner.run(context -> {
      try (RpcClient client = client(context.getBean(CourierServer.class).port())) {
        Calculator calculator = client.create(Calculator.class);
        CompletableFuture<Void> closing = null;
        // Calls go on until the close has returned; it begins once a few have been answered.
        while (closing == null || !closing.isDone()) {
          calls.add(calculator.slow(calls.size(), 20));
          if (closing == null && calls.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally())
              .count() >= 5) {
            closing = CompletableFuture.runAsync(() -> app(context).close());
          }
          sleep(1);
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
            .handle((v, e) -> null).get(15, TimeUnit.SECONDS);
      }
    });
    assertThat(calls).hasSizeGreaterThan(10);
    awaitEnded(calls);
    int answered = 0;
    Throwable firstFailure = null;
    for (int i = 0; i < calls.size(); i++) {
      CompletableFuture<Integer> call = calls.get(i);
      if (call.isCompletedExceptionally()) {
        firstFailure = firstFailure != null ? firstFailure : call.handle((v, e) -> e).join();
        assertThat(failure(call)).isInstanceOf(RpcException.class);
      } else {
        assertThat(call.join()).isEqualTo(i);
        answered++;
      }
    }
    assertThat(answered).as("calls answered before the stop; first failure: %s", firstFailure).isPositive();
  }

  /** What a failed call failed with, out of the future's wrappers. */
  static Throwable failure(CompletableFuture<?> call) {
    Throwable error = call.handle((value, e) -> e).join();
    assertThat(error).as("the call's failure").isNotNull();
    while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private static RpcClient client(int port) {
    // One attempt: a retry elsewhere is what a refused call allows, and there is no elsewhere here.
    return RpcClient.builder().target("tcp://127.0.0.1:" + port).maxAttempts(1)
        .callTimeout(Duration.ofSeconds(30)).build();
  }

  private static ConfigurableApplicationContext app(AssertableApplicationContext context) {
    return context.getSourceApplicationContext();
  }

  private static void awaitRunning(CalculatorImpl service, int calls) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (service.runs.size() < calls) {
      assertThat(System.nanoTime()).as("calls running in time").isLessThan(deadline);
      sleep(5);
    }
  }

  private static void awaitStatus(HealthIndicator health, String status) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!status.equals(health.health().getDetails().get("status"))) {
      assertThat(System.nanoTime()).as("health says " + status + " in time").isLessThan(deadline);
      sleep(2);
    }
    assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Waits until each call has ended, within 15 s each: a call left without an outcome fails here. That it ended
   * once is the future's own guarantee; what each test checks is which outcome, and that no method ran twice.
   */
  private static void awaitEnded(List<CompletableFuture<Integer>> calls) throws Exception {
    for (CompletableFuture<Integer> call : calls) {
      call.handle((value, error) -> null).get(15, TimeUnit.SECONDS);
    }
  }
}
