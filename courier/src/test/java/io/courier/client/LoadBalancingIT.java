package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.ConnectionException;
import io.courier.Idempotent;
import io.courier.discovery.Instance;
import io.courier.server.RpcServer;
import io.courier.server.ServerListener;
import io.courier.testing.Ports;
import io.courier.testing.chaos.ChaosProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client of several servers over real sockets: the spread of its calls, the servers it skips, and what becomes of
 * calls when a server dies or stops under load: idempotent calls never fail, and no call runs twice.
 */
@Timeout(60)
class LoadBalancingIT {

  /** What the test servers serve; each says which server ran it. */
  public interface Nodes {
    /** The port of the server that ran the call. Not idempotent, as far as the client knows. */
    String node();

    /** The same, after {@code millis}, and safe to send twice. */
    @Idempotent
    String whoAmI(long millis);

    /** Records that the call {@code id} ran, after {@code millis}; not idempotent. */
    String record(String id, long millis);
  }

  /** How many times each {@code record} id ran, across the servers. */
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private RpcServer server(long extraMillis, ServerListener... listeners) {
    RpcServer[] self = new RpcServer[1];
    Nodes impl = new Nodes() {
      @Override
      public String node() {
        return String.valueOf(self[0].port());
      }

      @Override
      public String whoAmI(long millis) {
        sleep(millis + extraMillis);
        return node();
      }

      @Override
      public String record(String id, long millis) {
        runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        sleep(millis);
        return node();
      }
    };
    self[0] = RpcServer.builder().host("127.0.0.1").port(0).service(Nodes.class, impl).listener(listeners).build()
        .start();
    open.add(() -> self[0].stop(Duration.ZERO));
    return self[0];
  }

  private RpcServer server() {
    return server(0);
  }

  private RpcClient client(RpcClientBuilder builder) {
    RpcClient client = builder.callTimeout(Duration.ofSeconds(10)).build();
    open.add(client);
    return client;
  }

  private static String list(String scheme, String path, int... ports) {
    StringBuilder list = new StringBuilder(scheme + "://");
    for (int i = 0; i < ports.length; i++) {
      list.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports[i]);
    }
    return list.append(path).toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "http", "ws"})
  void aListSpreadsCallsEvenlyOverItsServers(String scheme) {
    RpcServer a = server();
    RpcServer b = server();
    RpcServer c = server();
    String path = scheme.equals("http") ? "/rpc" : scheme.equals("ws") ? "/ws" : "";
    RpcClient client = client(RpcClient.builder().target(list(scheme, path, a.port(), b.port(), c.port())));
    assertThat(client.servers()).extracting(Instance::target).extracting(Object::toString)
        .containsExactly(scheme + "://127.0.0.1:" + a.port() + path, scheme + "://127.0.0.1:" + b.port() + path,
            scheme + "://127.0.0.1:" + c.port() + path);
    Nodes nodes = client.create(Nodes.class);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      counts.merge(nodes.node(), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys(String.valueOf(a.port()), String.valueOf(b.port()), String.valueOf(c.port()));
    assertThat(counts.values()).containsOnly(100);
  }

  @Test
  void aListedServerThatIsDownIsSkippedAndNoCallFails() throws Exception {
    RpcServer a = server();
    RpcServer b = server();
    int down = Ports.closedPort();
    RpcClient client = client(RpcClient.builder().target(list("tcp", "", down, a.port(), b.port())));
    Nodes nodes = client.create(Nodes.class);
    Set<String> served = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      served.add(nodes.node()); // not idempotent: only failed over because it was never sent
    }
    assertThat(served).containsOnly(String.valueOf(a.port()), String.valueOf(b.port()));
    long retriesAfterFirstRound = client.retries();
    assertThat(retriesAfterFirstRound).isBetween(1L, 2L); // the first call that met the closed port, no more
    for (int i = 0; i < 60; i++) {
      nodes.node();
    }
    assertThat(client.retries()).isEqualTo(retriesAfterFirstRound); // the down server is no longer picked
  }

  @Test
  void whenEveryListedServerIsDownACallFailsAtOnceUnsent() throws Exception {
    RpcClient client = client(RpcClient.builder()
        .target(list("tcp", "", Ports.closedPort(), Ports.closedPort()))
        .connectTimeout(Duration.ofSeconds(2)));
    assertThatThrownBy(() -> client.create(Nodes.class).node())
        .isInstanceOf(ConnectionException.class)
        .satisfies(e -> assertThat(((ConnectionException) e).wasSent()).isFalse());
  }

  @Test
  void aServerKilledUnderLoadCostsNoIdempotentCallAndRunsNoCallTwice() throws Exception {
    RpcServer a = server();
    RpcServer b = server();
    RpcServer c = server();
    ChaosProxy pa = ChaosProxy.start(a.port());
    ChaosProxy pb = ChaosProxy.start(b.port());
    ChaosProxy pc = ChaosProxy.start(c.port());
    open.add(pb);
    open.add(pc);
    RpcClient client = client(RpcClient.builder().target(list("tcp", "", pa.port(), pb.port(), pc.port())));
    Nodes nodes = client.create(Nodes.class);

    Load load = new Load(8, i -> {
      if (i % 2 == 0) {
        nodes.whoAmI(5);
        return Outcome.IDEMPOTENT_OK;
      }
      String id = "call-" + i;
      try {
        nodes.record(id, 5);
        return Outcome.OK;
      } catch (ConnectionException lost) {
        // It may have run: it must say so, and never have been sent again.
        assertThat(lost.wasSent()).isTrue();
        assertThat(lost.getMessage()).contains("may have run");
        return Outcome.MAY_HAVE_RUN;
      }
    });
    load.start();
    load.awaitCalls(200);
    pa.resetPeer(); // the server dies: connections reset, and nothing listens any more
    pa.close();
    long atKill = load.calls();
    load.awaitCalls(atKill + 400);
    load.stop();

    assertThat(load.failures).isEmpty(); // no idempotent call failed, and no other failure than "may have run"
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1)); // none ran twice
    assertThat(load.count(Outcome.MAY_HAVE_RUN)).isLessThanOrEqualTo(8); // at most the ones in flight at the kill
    // Calls were in flight at the killed server: non-idempotent ones said so, idempotent ones went elsewhere.
    assertThat(load.count(Outcome.MAY_HAVE_RUN) + client.retries()).isPositive();
  }

  @Test
  void aServerStoppedGracefullyUnderLoadCostsNoCallOfAnyKind() throws Exception {
    RpcServer a = server();
    RpcServer b = server();
    RpcServer c = server();
    RpcClient client = client(RpcClient.builder().target(list("tcp", "", a.port(), b.port(), c.port())));
    Nodes nodes = client.create(Nodes.class);
    Load load = new Load(8, i -> {
      nodes.record("call-" + i, 5);
      return Outcome.OK;
    });
    load.start();
    load.awaitCalls(200);
    a.stop(Duration.ofSeconds(5));
    long atStop = load.calls();
    load.awaitCalls(atStop + 400);
    load.stop();

    assertThat(load.failures).isEmpty();
    assertThat(load.count(Outcome.OK)).isEqualTo(load.calls());
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void aServerThatStopsAnsweringPingsGetsNoCallsUntilItAnswersAgain() throws Exception {
    RpcServer a = server();
    RpcServer b = server();
    ChaosProxy pa = ChaosProxy.start(a.port());
    open.add(pa);
    RpcClient client = client(RpcClient.builder()
        .target(list("tcp", "", pa.port(), b.port()))
        .keepAlive(Duration.ofMillis(200), Duration.ofMillis(200))
        .reconnectBackoff(new Backoff(Duration.ofMillis(100), 1.6, 0.2, Duration.ofMillis(500))));
    Nodes nodes = client.create(Nodes.class);
    Set<String> both = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      both.add(nodes.whoAmI(0));
    }
    assertThat(both).hasSize(2);

    pa.blackHole(); // the server's connection stays open, but nothing comes back: a hung machine
    String bPort = String.valueOf(b.port());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long retriesBefore;
    do { // idempotent calls sent to the silent server go to the other once its connection is given up
      assertThat(nodes.whoAmI(0)).isEqualTo(bPort);
      retriesBefore = client.retries();
      Thread.sleep(20);
    } while (client.retries() == 0 && System.nanoTime() < deadline);
    assertThat(client.retries()).as("an idempotent call was moved off the silent server").isPositive();
    Thread.sleep(600); // past the keepalive timeout: the silent server is out of the rotation
    retriesBefore = client.retries();
    for (int i = 0; i < 50; i++) {
      assertThat(nodes.whoAmI(0)).isEqualTo(bPort);
    }
    assertThat(client.retries()).as("no call was sent to the silent server").isEqualTo(retriesBefore);

    pa.heal(); // it answers again: a background ping finds out, and calls come back
    String aPort = String.valueOf(a.port());
    Set<String> answered = new HashSet<>();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!answered.contains(aPort) && System.nanoTime() < deadline) {
      answered.add(nodes.whoAmI(0));
      Thread.sleep(10);
    }
    assertThat(answered).contains(aPort);
  }

  @Test
  void leastPendingSendsFewerCallsToASlowServer() throws Exception {
    RpcServer slow = server(50);
    RpcServer b = server();
    RpcServer c = server();
    RpcClient client = client(RpcClient.builder()
        .target(list("tcp", "", slow.port(), b.port(), c.port()))
        .loadBalancing(LoadBalancing.leastPending()));
    Nodes nodes = client.create(Nodes.class);
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    Load load = new Load(12, i -> {
      counts.computeIfAbsent(nodes.whoAmI(1), k -> new AtomicInteger()).incrementAndGet();
      return Outcome.OK;
    });
    load.start();
    load.awaitCalls(1500);
    load.stop();
    assertThat(load.failures).isEmpty();
    double slowShare = counts.getOrDefault(String.valueOf(slow.port()), new AtomicInteger()).get()
        / (double) load.calls();
    assertThat(slowShare).isLessThan(0.15); // round robin would give it a third
  }

  @Test
  void aRoutingKeyKeepsItsCallsOnOneServer() {
    RpcServer a = server();
    RpcServer b = server();
    RpcServer c = server();
    RpcClient client = client(RpcClient.builder()
        .target(list("tcp", "", a.port(), b.port(), c.port()))
        .loadBalancing(LoadBalancing.consistentHash()));
    Set<String> homes = new HashSet<>();
    for (int user = 0; user < 30; user++) {
      Nodes forUser = client.withRoutingKey("user-" + user).create(Nodes.class);
      String home = forUser.node();
      for (int i = 0; i < 10; i++) {
        assertThat(forUser.node()).isEqualTo(home);
      }
      homes.add(home);
    }
    assertThat(homes).hasSizeGreaterThan(1);
  }

  @Test
  void badListsAndUnknownSchemesAreRefusedSayingWhy() {
    assertThatThrownBy(() -> RpcClient.builder().target("tcp://127.0.0.1:1,,127.0.0.1:2"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty address");
    assertThatThrownBy(() -> RpcClient.builder().target("tcp://127.0.0.1:1,127.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("with a port");
    assertThatThrownBy(() -> RpcClient.builder().target("zk://127.0.0.1:2181/calculator"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("io.courier:courier-zookeeper");
    assertThatThrownBy(() -> RpcClient.builder().target("consul://127.0.0.1:8500/calculator"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("none provides consul://");
    assertThatThrownBy(() -> RpcClient.builder().fallback("127.0.0.1:1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme://host:port");
    assertThatThrownBy(() -> RpcClient.builder().target("tcp://127.0.0.1:1,127.0.0.1:2").build().endpoint())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("tcp://127.0.0.1:1,127.0.0.1:2");
  }

  @Test
  void aServerListenerIsToldOfStartAndStopAndTheServerStillServesWhileItIsStopping() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicReference<String> servedWhileStopping = new AtomicReference<>();
    ServerListener listener = new ServerListener() {
      @Override
      public void started(RpcServer server) {
        events.add("started " + server.port());
      }

      @Override
      public void stopping(RpcServer server) {
        events.add("stopping");
        try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build()) {
          servedWhileStopping.set(client.create(Nodes.class).node());
        }
      }

      @Override
      public void stopped(RpcServer server) {
        events.add("stopped");
      }
    };
    ServerListener broken = new ServerListener() {
      @Override
      public void started(RpcServer server) {
        throw new IllegalStateException("a broken registry");
      }
    };
    RpcServer server = server(0, broken, listener);
    int port = server.port();
    assertThat(server.targets("127.0.0.7")).extracting(Object::toString).containsExactly(
        "tcp://127.0.0.7:" + port, "http://127.0.0.7:" + port + "/rpc", "ws://127.0.0.7:" + port + "/ws");
    server.stop(Duration.ofSeconds(1));
    assertThat(events).containsExactly("started " + port, "stopping", "stopped");
    assertThat(servedWhileStopping.get()).isEqualTo(String.valueOf(port));
  }

  // ----------------------------------------------------------------------------------------------- helpers

  private enum Outcome { OK, IDEMPOTENT_OK, MAY_HAVE_RUN }

  @FunctionalInterface
  private interface Call {
    Outcome make(long index) throws Exception;
  }

  /** Threads that make calls in a loop until stopped, recording each call's outcome or unexpected failure. */
  private static final class Load {

    private final ExecutorService threads;
    private final int concurrency;
    private final Call call;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong index = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final Map<Outcome, AtomicLong> outcomes = new ConcurrentHashMap<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final CountDownLatch finished;

    Load(int concurrency, Call call) {
      this.concurrency = concurrency;
      this.call = call;
      this.threads = Executors.newFixedThreadPool(concurrency);
      this.finished = new CountDownLatch(concurrency);
    }

    void start() {
      for (int t = 0; t < concurrency; t++) {
        threads.execute(() -> {
          try {
            while (running.get()) {
              long i = index.getAndIncrement();
              try {
                outcomes.computeIfAbsent(call.make(i), k -> new AtomicLong()).incrementAndGet();
              } catch (Throwable e) {
                failures.add(e);
              }
              done.incrementAndGet();
            }
          } finally {
            finished.countDown();
          }
        });
      }
    }

    long calls() {
      return done.get();
    }

    long count(Outcome outcome) {
      AtomicLong n = outcomes.get(outcome);
      return n == null ? 0 : n.get();
    }

    void awaitCalls(long calls) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (done.get() < calls && failures.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(done.get()).as("calls made (failures: %s)", failures).isGreaterThanOrEqualTo(calls);
    }

    void stop() throws InterruptedException {
      running.set(false);
      assertThat(finished.await(20, TimeUnit.SECONDS)).isTrue();
      threads.shutdown();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
