package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client's interceptor chain over real sockets: order, what it sees, the metadata it adds reaching the server
 * on every transport, and each way an interceptor can break its contract.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class ClientInterceptorsIT {

  /** What a proxy calls. */
  public interface Greeter {
    String greet(String name);

    CompletableFuture<String> greetLater(String name);
  }

  private final List<String> trace = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();
  private final CountDownLatch slowStarted = new CountDownLatch(1);
  private final CompletableFuture<Boolean> slowCancelled = new CompletableFuture<>();
  private RpcServer server;
  private RpcClient client;

  @BeforeEach
  void startServer() {
    server = Transports.serve(RpcServer.builder())
        .host("127.0.0.1")
        .port(0)
        .method("echoMeta", args -> {
          runs.incrementAndGet();
          RpcContext context = RpcContext.current();
          return context.metadata(args.arg(0, String.class)).orElse("(none)");
        })
        .method("header", args -> RpcContext.current().header(args.arg(0, String.class)).orElse("(none)"))
        .method("add", args -> {
          runs.incrementAndGet();
          return args.arg(0, Integer.class) + args.arg(1, Integer.class);
        })
        .method("slow", args -> {
          slowStarted.countDown();
          try {
            Thread.sleep(10_000);
          } catch (InterruptedException e) {
            slowCancelled.complete(RpcContext.current().isCancelled());
          }
          return "done";
        })
        .service(Greeter.class, new Greeter() {
          @Override
          public String greet(String name) {
            return "hello " + name + " " + RpcContext.current().metadata("tenant").orElse("?");
          }

          @Override
          public CompletableFuture<String> greetLater(String name) {
            return CompletableFuture.completedFuture(greet(name));
          }
        })
        .build()
        .start();
  }

  private RpcClient client(Transports transport, ClientInterceptor... interceptors) {
    client = transport.target(RpcClient.builder(), server.port())
        .callTimeout(Duration.ofSeconds(5))
        .intercept(interceptors)
        .build();
    return client;
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.stop(Duration.ofSeconds(1));
  }

  private ClientInterceptor recording(String name) {
    return chain -> {
      trace.add(name + " in " + chain.method());
      return chain.proceed().whenComplete((result, failure) -> trace.add(name + " out " + result));
    };
  }

  @ParameterizedTest
  @EnumSource(Transports.class)
  void metadataAddedByAnInterceptorReachesTheServerMethod(Transports transport) throws Exception {
    RpcClient client = client(transport, chain -> {
      chain.metadata("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      return chain.proceed();
    });
    assertThat(client.call("echoMeta", String.class, "traceparent").get(5, TimeUnit.SECONDS))
        .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(client.call("echoMeta", String.class, "other").get(5, TimeUnit.SECONDS)).isEqualTo("(none)");
  }

  @Test
  void overHttpMetadataAlsoTravelsAsHeadersOfTheRequest() throws Exception {
    RpcClient client = client(Transports.HTTP, chain -> chain.metadata("tenant", "acme").proceed());
    assertThat(client.call("header", String.class, "tenant").get(5, TimeUnit.SECONDS)).isEqualTo("acme");
  }

  @Test
  void interceptorsRunInTheOrderAddedFirstOutermost() throws Exception {
    RpcClient client = client(Transports.TCP, recording("a"), recording("b"));
    assertThat(client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(5);
    assertThat(trace).containsExactly("a in add", "b in add", "b out 5", "a out 5");
  }

  @Test
  void proxiesBlockingAndAsyncPassThroughTheChainWithTheirParams() throws Exception {
    List<Object> seen = new CopyOnWriteArrayList<>();
    RpcClient client = client(Transports.TCP, chain -> {
      seen.add(chain.method() + chain.args() + chain.kwargs());
      return chain.metadata("tenant", "acme").proceed();
    });
    Greeter greeter = client.create(Greeter.class);
    assertThat(greeter.greet("ann")).isEqualTo("hello ann acme");
    assertThat(greeter.greetLater("bob").get(5, TimeUnit.SECONDS)).isEqualTo("hello bob acme");
    client.callNamed("add", Integer.class, Map.of("a", 1)).exceptionally(t -> null).get(5, TimeUnit.SECONDS);
    assertThat(seen).containsExactly("greet[ann]{}", "greetLater[bob]{}", "add[]{a=1}");
  }

  @Test
  void anInterceptorMayReplaceTheResult() throws Exception {
    RpcClient client = client(Transports.TCP, chain -> chain.proceed().thenApply(result -> (Integer) result * 10));
    assertThat(client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(50);
  }

  @Test
  void anInterceptorThatThrowsFailsTheCallWithoutSendingIt() {
    RpcClient client = client(Transports.TCP, chain -> {
      throw new RpcException(RpcError.of(-32050, "refused by the client"));
    });
    assertThatThrownBy(() -> client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(RpcException.class)
        .hasMessageContaining("refused by the client");
    assertThat(runs).hasValue(0);
  }

  @Test
  void aProxyCallRejectedByAnInterceptorThrowsWhatItThrew() {
    RpcClient client = client(Transports.TCP, chain -> {
      throw new RpcException(RpcError.of(-32050, "no greeting today"));
    });
    assertThatThrownBy(() -> client.create(Greeter.class).greet("ann"))
        .isInstanceOf(RpcException.class)
        .hasMessageContaining("no greeting today");
  }

  @Test
  void proceedingTwiceFailsTheCallAndNamesTheInterceptor() {
    ClientInterceptor twice = new ClientInterceptor() {
      @Override
      public CompletionStage<Object> intercept(Chain chain) {
        chain.proceed();
        return chain.proceed();
      }
    };
    RpcClient client = client(Transports.TCP, twice);
    assertThatThrownBy(() -> client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(twice.getClass().getName())
        .hasMessageContaining("exactly once");
  }

  @Test
  void anInterceptorReturningNullFailsTheCallClearly() {
    RpcClient client = client(Transports.TCP, chain -> null);
    assertThatThrownBy(() -> client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void metadataThatCouldNotTravelAsAHeaderIsRefusedWhereItIsAdded() {
    for (String[] bad : new String[][] {{"", "v"}, {"bad name", "v"}, {"n".repeat(65), "v"},
        {"name", "line\nbreak"}, {"name", "é"}, {"name", "v".repeat(8193)}}) {
      RpcClient client = client(Transports.TCP, chain -> chain.metadata(bad[0], bad[1]).proceed());
      assertThatThrownBy(() -> client.call("add", Integer.class, 1, 1).get(5, TimeUnit.SECONDS))
          .as("metadata %s", bad[0])
          .cause()
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Metadata");
      client.close();
    }
    RpcClient client = client(Transports.TCP, chain -> {
      for (int i = 0; i < 33; i++) {
        chain.metadata("k" + i, "v");
      }
      return chain.proceed();
    });
    assertThatThrownBy(() -> client.call("add", Integer.class, 1, 1).get(5, TimeUnit.SECONDS))
        .cause()
        .hasMessageContaining("at most 32 entries");
    assertThat(runs).hasValue(0);
  }

  @Test
  void metadataCannotBeAddedOnceTheCallWasSent() throws Exception {
    CompletableFuture<Throwable> late = new CompletableFuture<>();
    RpcClient client = client(Transports.TCP, chain -> {
      CompletionStage<Object> outcome = chain.proceed();
      try {
        chain.metadata("late", "x");
      } catch (IllegalStateException e) {
        late.complete(e);
      }
      return outcome;
    });
    assertThat(client.call("add", Integer.class, 1, 1).get(5, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(late.get(5, TimeUnit.SECONDS)).hasMessageContaining("before proceed()");
  }

  @Test
  void cancellingTheCallersFutureCancelsTheCallOnTheServer() throws Exception {
    RpcClient client = client(Transports.TCP, recording("a"));
    CompletableFuture<String> call = client.call("slow", String.class);
    assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
    call.cancel(true);
    assertThat(slowCancelled.get(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aCallCancelledWhileAnInterceptorHoldsItIsNeverSent() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<CompletionStage<Object>> proceeded = new CompletableFuture<>();
    AtomicInteger calls = new AtomicInteger();
    // The first call's interceptor proceeds on another thread once the test has cancelled it; later calls go on.
    RpcClient client = client(Transports.TCP, chain -> calls.incrementAndGet() > 1 ? chain.proceed()
        : CompletableFuture.runAsync(() -> {
          held.countDown();
          try {
            go.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          proceeded.complete(chain.proceed());
        }).thenCompose(ignored -> proceeded.join()));
    CompletableFuture<Integer> call = client.call("add", Integer.class, 1, 2);
    assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(call.cancel(true)).isTrue();
    go.countDown();
    CompletionStage<Object> outcome = proceeded.get(5, TimeUnit.SECONDS);
    assertThatThrownBy(() -> outcome.toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class).hasMessageContaining("before it was sent");
    assertThat(client.call("add", Integer.class, 2, 2).get(5, TimeUnit.SECONDS)).isEqualTo(4);
    assertThat(runs).as("only the second call ran").hasValue(1);
  }

  @Test
  void derivedClientsShareTheInterceptors() throws Exception {
    RpcClient client = client(Transports.TCP, recording("a"));
    client.withCallTimeout(Duration.ofSeconds(2)).call("add", Integer.class, 1, 2).get(5, TimeUnit.SECONDS);
    assertThat(trace).containsExactly("a in add", "a out 3");
  }

  @Test
  void theChainSeesTheTimeoutAndTheTarget() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    RpcClient client = client(Transports.TCP, chain -> {
      seen.add(chain.timeout() + " " + chain.target());
      return chain.proceed();
    });
    client.withCallTimeout(Duration.ofMillis(1500)).call("add", Integer.class, 1, 2).get(5, TimeUnit.SECONDS);
    assertThat(seen).containsExactly("PT1.5S tcp://127.0.0.1:" + server.port());
  }
}
