package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.courier.CallTimeoutException;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Deadlines and cancellation: the caller fails on time, the server is told, late replies go nowhere. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
@ParameterizedClass(name = "{0}")
@EnumSource(Transports.class)
class TimeoutAndCancelIT {

  @Parameter
  Transports transport;

  interface Sleeper {
    String sleep(int ms) throws InterruptedException;

    int echo(int x, int delayMs) throws InterruptedException;
  }

  static final class SleeperImpl implements Sleeper {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch cancelSeen = new CountDownLatch(1);
    final AtomicBoolean contextCancelled = new AtomicBoolean();
    final AtomicBoolean interrupted = new AtomicBoolean();

    @Override
    public String sleep(int ms) throws InterruptedException {
      calls.incrementAndGet();
      RpcContext context = RpcContext.current();
      started.countDown();
      try {
        Thread.sleep(ms);
        return "slept " + ms;
      } catch (InterruptedException e) {
        interrupted.set(true);
        contextCancelled.set(context.isCancelled());
        cancelSeen.countDown();
        throw e;
      }
    }

    @Override
    public int echo(int x, int delayMs) throws InterruptedException {
      calls.incrementAndGet();
      Thread.sleep(delayMs);
      return x;
    }
  }

  private final SleeperImpl sleeper = new SleeperImpl();
  private RpcServer server;
  private RpcClient client;

  @BeforeEach
  void start() {
    server = Transports.serve(RpcServer.builder())
        .host("127.0.0.1")
        .port(0)
        .service(Sleeper.class, sleeper)
        .build()
        .start();
    client = transport.target(RpcClient.builder(), server.port())
        .callTimeout(Duration.ofSeconds(10))
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(Duration.ofSeconds(1));
  }

  private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
    try {
      future.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the call to fail, but it returned");
  }

  @Test
  void callPastItsDeadlineFailsWithCallTimeoutException() {
    Sleeper proxy = client.withCallTimeout(Duration.ofMillis(200)).create(Sleeper.class);
    long start = System.nanoTime();

    Throwable thrown = catchThrowable(() -> proxy.sleep(5000));

    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(thrown).isInstanceOf(CallTimeoutException.class);
    assertThat(((CallTimeoutException) thrown).code()).isEqualTo(RpcError.TIMEOUT_CODE);
    assertThat(elapsedMs).isBetween(150L, 1000L);
  }

  @Test
  void serverMethodObservesTheCancellationOfATimedOutCall() throws Exception {
    CompletableFuture<String> call = client.withCallTimeout(Duration.ofMillis(200))
        .call("sleep", String.class, 5000);

    assertThat(failureOf(call)).isInstanceOf(CallTimeoutException.class);
    assertThat(sleeper.cancelSeen.await(2, TimeUnit.SECONDS)).as("server saw the cancel").isTrue();
    assertThat(sleeper.interrupted).isTrue();
    assertThat(sleeper.contextCancelled).as("RpcContext.isCancelled()").isTrue();
  }

  @Test
  void lateReplyIsDroppedCountedAndNeverCompletesAnotherCall() throws Exception {
    long droppedBefore = client.droppedLateReplies();
    CompletableFuture<String> late = client.withCallTimeout(Duration.ofMillis(200))
        .call("sleep", String.class, 5000);
    // A call that is still in flight when the late reply arrives.
    CompletableFuture<Integer> other = client.call("echo", Integer.class, 77, 1000);

    assertThat(failureOf(late)).isInstanceOf(CallTimeoutException.class);
    assertThat(sleeper.cancelSeen.await(2, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (client.droppedLateReplies() == droppedBefore && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    assertThat(client.droppedLateReplies()).isEqualTo(droppedBefore + 1);
    assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo(77);
    assertThat(client.call("echo", Integer.class, 5, 0).get(5, TimeUnit.SECONDS)).isEqualTo(5);
  }

  @Test
  void cancellingTheFutureTellsTheServer() throws Exception {
    CompletableFuture<String> call = client.call("sleep", String.class, 5000);
    assertThat(sleeper.started.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(call.cancel(true)).isTrue();

    assertThat(sleeper.cancelSeen.await(2, TimeUnit.SECONDS)).as("server saw the cancel").isTrue();
    assertThat(sleeper.contextCancelled).isTrue();
    assertThat(call).isCancelled();
  }

  @Test
  void perClientTimeoutOverridesTheDefault() throws Exception {
    RpcClient impatient = client.withCallTimeout(Duration.ofMillis(200));

    CompletableFuture<Integer> viaOverride = impatient.call("echo", Integer.class, 1, 600);
    CompletableFuture<Integer> viaDefault = client.call("echo", Integer.class, 2, 600);

    assertThat(impatient.callTimeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(client.callTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(failureOf(viaOverride)).isInstanceOf(CallTimeoutException.class);
    assertThat(viaDefault.get(5, TimeUnit.SECONDS)).isEqualTo(2);
  }

  @Test
  void closingADerivedClientLeavesTheSharedConnectionOpen() throws Exception {
    RpcClient derived = client.withCallTimeout(Duration.ofSeconds(2));
    assertThat(derived.call("echo", Integer.class, 1, 0).get(5, TimeUnit.SECONDS)).isEqualTo(1);

    derived.close();

    assertThat(derived.call("echo", Integer.class, 2, 0).get(5, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(client.call("echo", Integer.class, 3, 0).get(5, TimeUnit.SECONDS)).isEqualTo(3);
  }

  @Test
  void zeroTimeoutFailsAtOnceWithoutContactingTheServer() throws Exception {
    RpcClient noTime = client.withCallTimeout(Duration.ZERO);
    long start = System.nanoTime();

    CompletableFuture<Integer> call = noTime.call("echo", Integer.class, 1, 0);

    assertThat(failureOf(call)).isInstanceOf(CallTimeoutException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(500);
    Throwable viaProxy = catchThrowable(() -> noTime.create(Sleeper.class).echo(1, 0));
    assertThat(viaProxy).isInstanceOf(CallTimeoutException.class);
    // A normal call goes through afterwards, and it is the first the server sees.
    assertThat(client.call("echo", Integer.class, 9, 0).get(5, TimeUnit.SECONDS)).isEqualTo(9);
    assertThat(sleeper.calls).hasValue(1);
  }

  @Test
  void zeroTimeoutBatchFailsWithoutContactingTheServer() throws Exception {
    Batch batch = client.withCallTimeout(Duration.ZERO).batch();
    CompletableFuture<Integer> call = batch.call("echo", Integer.class, 1, 0);

    batch.send();

    assertThat(failureOf(call)).isInstanceOf(CallTimeoutException.class);
    Thread.sleep(300); // time for a request that was sent anyway to reach the service
    assertThat(sleeper.calls).as("calls that reached the server").hasValue(0);
  }

  @Test
  void batchCallPastItsDeadlineTimesOutAndIsCancelledOnTheServer() throws Exception {
    Batch batch = client.withCallTimeout(Duration.ofMillis(300)).batch();
    CompletableFuture<String> slow = batch.call("sleep", String.class, 5000);

    batch.send();

    assertThat(failureOf(slow)).isInstanceOf(CallTimeoutException.class);
    assertThat(sleeper.cancelSeen.await(2, TimeUnit.SECONDS)).as("server saw the cancel").isTrue();
  }
}
