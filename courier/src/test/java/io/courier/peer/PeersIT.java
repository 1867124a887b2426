package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.CallTimeoutException;
import io.courier.ConnectionException;
import io.courier.NonBlocking;
import io.courier.Peer;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both ends of a connection are peers: a client serves methods too, a running server method calls its caller
 * back through {@link RpcContext#peer()}, with the timeouts, cancellation, typed errors and limits of client
 * calls, and chains of such calls cannot deadlock, even with every server worker busy.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class PeersIT {

  /** Thrown by a client method and declared, so that the server's proxy rebuilds it. */
  public static class OutOfStock extends Exception {
    public OutOfStock(String message) {
      super(message);
    }
  }

  /** What clients serve to the server in these tests. */
  public interface Callbacks {
    String greet(String name);

    int reserve(int items) throws OutOfStock;

    String slow(int millis) throws InterruptedException;

    /** Calls the server's {@code inner} and returns its answer: the third link of a chain. */
    String viaServer(String tag);
  }

  /** What the server serves. */
  public interface Front {
    String askGreeting(String name);

    String askReserve(int items);

    String askSlow(int millis);

    String chain(String tag);

    String inner(String tag);

    @NonBlocking
    String blockingOnIoThread();
  }

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final BlockingQueue<String> clientEvents = new LinkedBlockingQueue<>();
  private final AtomicBoolean slowCancelled = new AtomicBoolean();
  private final CountDownLatch slowEnded = new CountDownLatch(1);

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private static Callbacks callbacks() {
    return RpcContext.current().peer().create(Callbacks.class);
  }

  private final class FrontImpl implements Front {
    @Override
    public String askGreeting(String name) {
      return "client said: " + callbacks().greet(name);
    }

    @Override
    public String askReserve(int items) {
      try {
        return "reserved " + callbacks().reserve(items);
      } catch (OutOfStock e) {
        return "out of stock: " + e.getMessage();
      }
    }

    @Override
    public String askSlow(int millis) {
      try {
        return callbacks().slow(millis);
      } catch (CallTimeoutException e) {
        return "timed out";
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String chain(String tag) {
      return "server(" + callbacks().viaServer(tag) + ")";
    }

    @Override
    public String inner(String tag) {
      return "inner " + tag;
    }

    @Override
    public String blockingOnIoThread() {
      try {
        return callbacks().greet("io");
      } catch (IllegalStateException e) {
        return "refused: " + e.getMessage();
      }
    }
  }

  /** The client side of {@link Callbacks}; {@code viaServer} calls back through the peer it was called by. */
  private final class CallbacksImpl implements Callbacks {
    @Override
    public String greet(String name) {
      return "hello " + name;
    }

    @Override
    public int reserve(int items) throws OutOfStock {
      if (items > 3) {
        throw new OutOfStock("only 3 left");
      }
      return items;
    }

    @Override
    public String slow(int millis) throws InterruptedException {
      try {
        Thread.sleep(millis);
        return "done";
      } catch (InterruptedException e) {
        slowCancelled.set(RpcContext.current().isCancelled());
        throw e;
      } finally {
        slowEnded.countDown();
      }
    }

    @Override
    public String viaServer(String tag) {
      Front server = RpcContext.current().peer().create(Front.class);
      return "client(" + server.inner(tag) + ")";
    }
  }

  private RpcServer server(int workers, Duration peerCallTimeout) {
    RpcServer server = Transports.serve(RpcServer.builder()
            .host("127.0.0.1")
            .workerThreads(workers)
            .peerCallTimeout(peerCallTimeout)
            .service(Front.class, new FrontImpl())
            .method("tell", args -> {
              RpcContext.current().peer().notify("event", List.of(args.arg(0, String.class)));
              return "told";
            })
            .method("askByName", args -> RpcContext.current().peer()
                .callNamed("greet", String.class, Map.of("name", args.arg(0, String.class))).join())
            .method("askUnknown", args -> {
              try {
                return RpcContext.current().peer().call("nothing.here", String.class).join();
              } catch (java.util.concurrent.CompletionException e) {
                return "error " + ((RpcException) e.getCause()).code();
              }
            }))
        .build()
        .start();
    closing.add(server);
    return server;
  }

  private RpcClient client(Transports transport, RpcServer server, boolean serves) {
    RpcClientBuilder builder = transport.target(RpcClient.builder(), server.port())
        .callTimeout(Duration.ofSeconds(20));
    if (serves) {
      builder.service(Callbacks.class, new CallbacksImpl())
          .method("event", args -> clientEvents.add(args.arg(0, String.class)));
    }
    RpcClient client = builder.build();
    closing.add(client);
    return client;
  }

  @ParameterizedTest
  @EnumSource(value = Transports.class, names = {"TCP", "WS", "TLS", "WSS"})
  void theServerCallsTheClientBackThroughAProxy(Transports transport) {
    RpcServer server = server(4, Duration.ofSeconds(10));
    Front front = client(transport, server, true).create(Front.class);

    assertThat(front.askGreeting("ann")).isEqualTo("client said: hello ann");
  }

  @Test
  void theServerCallsByNameAndNotifiesAndTheClientsFunctionsRun() throws Exception {
    RpcServer server = server(4, Duration.ofSeconds(10));
    RpcClient client = client(Transports.TCP, server, true);

    assertThat(client.call("askByName", String.class, "bo").get(10, TimeUnit.SECONDS)).isEqualTo("hello bo");
    assertThat(client.call("tell", String.class, "ping").get(10, TimeUnit.SECONDS)).isEqualTo("told");
    assertThat(clientEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("ping");
  }

  @Test
  void aDeclaredExceptionOfTheClientIsRebuiltOnTheServer() {
    RpcServer server = server(4, Duration.ofSeconds(10));
    Front front = client(Transports.TCP, server, true).create(Front.class);

    assertThat(front.askReserve(2)).isEqualTo("reserved 2");
    assertThat(front.askReserve(5)).isEqualTo("out of stock: only 3 left");
  }

  @Test
  void aClientThatServesNothingAnswersMethodNotFound() throws Exception {
    RpcServer server = server(4, Duration.ofSeconds(10));
    RpcClient client = client(Transports.WS, server, false);

    assertThat(client.call("askUnknown", String.class).get(10, TimeUnit.SECONDS))
        .isEqualTo("error " + RpcError.METHOD_NOT_FOUND_CODE);
  }

  @Test
  void aCallToTheClientTimesOutOnTheServerAndIsCancelledOnTheClient() throws Exception {
    RpcServer server = server(4, Duration.ofMillis(300));
    Front front = client(Transports.TCP, server, true).create(Front.class);

    assertThat(front.askSlow(20_000)).isEqualTo("timed out");
    assertThat(slowEnded.await(10, TimeUnit.SECONDS)).as("the client's method was interrupted").isTrue();
    assertThat(slowCancelled.get()).as("the client's context was cancelled").isTrue();
  }

  @Test
  void aChainOfDepthThreeCompletes() {
    RpcServer server = server(4, Duration.ofSeconds(10));
    Front front = client(Transports.TCP, server, true).create(Front.class);

    assertThat(front.chain("a")).isEqualTo("server(client(inner a))");
  }

  @Test
  void aChainOfDepthThreeCompletesWithEveryServerWorkerWaitingOnTheClient() throws Exception {
    // Two workers, both taken by calls that wait for the client, whose callbacks need the server again: a
    // worker that waits runs the nested call, or none could.
    RpcServer server = server(2, Duration.ofSeconds(20));
    RpcClient client = client(Transports.TCP, server, true);
    Front front = client.create(Front.class);
    List<CompletableFuture<String>> chains = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String tag = "t" + i;
      chains.add(CompletableFuture.supplyAsync(() -> front.chain(tag)));
    }

    for (int i = 0; i < 2; i++) {
      assertThat(chains.get(i).get(15, TimeUnit.SECONDS)).isEqualTo("server(client(inner t" + i + "))");
    }
  }

  @Test
  void waitingForThePeerOnAnIoThreadIsRefusedNotADeadlock() {
    RpcServer server = server(4, Duration.ofSeconds(10));
    Front front = client(Transports.TCP, server, true).create(Front.class);

    assertThat(front.blockingOnIoThread()).startsWith("refused: ");
  }

  @Test
  void aPeerKeptAfterItsConnectionClosedFailsAtOnce() throws Exception {
    AtomicReference<Peer> kept = new AtomicReference<>();
    RpcServer server = RpcServer.builder().host("127.0.0.1")
        .method("keep", args -> {
          kept.set(RpcContext.current().peer());
          return "kept";
        })
        .build()
        .start();
    closing.add(server);
    RpcClient client = client(Transports.TCP, server, true);
    assertThat(client.call("keep", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("kept");
    Peer peer = kept.get();
    assertThat(peer.isOpen()).isTrue();
    assertThat(peer.call("greet", String.class, "x").get(10, TimeUnit.SECONDS)).isEqualTo("hello x");

    client.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (peer.isOpen() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    assertThat(peer.isOpen()).isFalse();
    CompletableFuture<String> late = peer.call("greet", String.class, "y");
    // At once: well before the call's 10-second timeout, and without a connection to wait for.
    assertThatThrownBy(() -> late.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(ConnectionException.class);
    assertThatThrownBy(() -> peer.notify("event", List.of("z"))).isInstanceOf(ConnectionException.class);
  }

  @Test
  void aCallToTheClientInFlightWhenItClosesGetsExactlyOneConnectionError() throws Exception {
    AtomicReference<CompletableFuture<String>> pending = new AtomicReference<>();
    CountDownLatch sent = new CountDownLatch(1);
    RpcServer server = RpcServer.builder().host("127.0.0.1")
        .method("startSlow", args -> {
          pending.set(RpcContext.current().peer().call("slow", String.class, 20_000));
          sent.countDown();
          return "started";
        })
        .build()
        .start();
    closing.add(server);
    RpcClient client = client(Transports.TCP, server, true);
    assertThat(client.call("startSlow", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("started");
    assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();

    client.close();

    assertThatThrownBy(() -> pending.get().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ConnectionException.class);
  }

  @Test
  void theServerListsItsPeersAndCanBroadcastToThem() throws Exception {
    RpcServer server = server(4, Duration.ofSeconds(10));
    RpcClient first = client(Transports.TCP, server, true);
    RpcClient second = client(Transports.WS, server, true);
    first.call("inner", String.class, "1").get(10, TimeUnit.SECONDS);
    second.call("inner", String.class, "2").get(10, TimeUnit.SECONDS);

    List<Peer> peers = server.peers();
    assertThat(peers).hasSize(2);
    peers.forEach(peer -> peer.notify("event", List.of("all")));

    assertThat(clientEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("all");
    assertThat(clientEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("all");
  }

  @Test
  void anHttpPeerCannotBeCalled() throws Exception {
    AtomicReference<String> refusal = new AtomicReference<>();
    RpcServer server = RpcServer.builder().host("127.0.0.1")
        .method("try", args -> {
          Peer peer = RpcContext.current().peer();
          try {
            peer.call("greet", String.class, "x");
          } catch (IllegalStateException e) {
            refusal.set(e.getMessage());
          }
          return peer.canNotify();
        })
        .build()
        .start();
    closing.add(server);
    RpcClient client = client(Transports.HTTP, server, false);

    assertThat(client.call("try", Boolean.class).get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(refusal.get()).contains("http");
  }

  @Test
  void callsFromTheServerPastTheClientsCapAreAnsweredBusy() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RpcServer server = RpcServer.builder().host("127.0.0.1")
        .method("flood", args -> {
          Peer peer = RpcContext.current().peer();
          List<CompletableFuture<String>> calls = new ArrayList<>();
          for (int i = 0; i < 300; i++) {
            calls.add(peer.call("hold", String.class));
          }
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (busy(calls) < 300 - 256 && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
          long busy = busy(calls);
          release.countDown();
          long held = 0;
          for (CompletableFuture<String> call : calls) {
            if (!call.isCompletedExceptionally() && "held".equals(call.get(10, TimeUnit.SECONDS))) {
              held++;
            }
          }
          return busy + " busy, " + held + " held";
        })
        .build()
        .start();
    closing.add(server);
    RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port())
        .method("hold", args -> {
          release.await(20, TimeUnit.SECONDS);
          return "held";
        })
        .build();
    closing.add(client);

    assertThat(client.call("flood", String.class).get(40, TimeUnit.SECONDS)).isEqualTo("44 busy, 256 held");
  }

  private static long busy(List<CompletableFuture<String>> calls) {
    return calls.stream().filter(call -> call.isCompletedExceptionally()
        && call.handle((v, e) -> e instanceof RpcException r && r.code() == RpcError.SERVER_BUSY_CODE).join())
        .count();
  }
}
