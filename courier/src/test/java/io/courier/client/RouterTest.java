package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.courier.ConnectionException;
import io.courier.discovery.EndpointGroup;
import io.courier.discovery.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The router's choices without sockets: each policy's spread, consistent hashing's stability when servers join
 * and leave, zone preference, ejection and its cap, and list changes. Pools here are never connected; their
 * health is set directly.
 */
class RouterTest {

  private static final int PICKS = 60_000;

  @Test
  void roundRobinGivesEachServerTheSameShareAndStartsAtARandomServer() {
    Router router = router(LoadBalancing.roundRobin(), null, servers(3));
    Map<String, Integer> counts = count(router, PICKS, i -> null);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isEqualTo(PICKS / 3));

    Set<String> firsts = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      firsts.add(router(LoadBalancing.roundRobin(), null, servers(3)).pick(null, null, null).target().toString());
    }
    assertThat(firsts).hasSize(3);
  }

  @Test
  void weightedSpreadsInProportionToWeight() {
    List<Instance> servers = List.of(server(1).withWeight(1), server(2).withWeight(2), server(3).withWeight(3));
    Map<String, Integer> counts = count(router(LoadBalancing.weighted(), null, servers), PICKS, i -> null);
    assertThat(share(counts, 1)).isCloseTo(1 / 6.0, within(0.02));
    assertThat(share(counts, 2)).isCloseTo(2 / 6.0, within(0.02));
    assertThat(share(counts, 3)).isCloseTo(3 / 6.0, within(0.02));
  }

  @Test
  void leastPendingSpreadsEvenlyAmongEqualServersAndSkipsUnavailableOnes() {
    Router router = router(LoadBalancing.leastPending(), null, servers(3));
    Map<String, Integer> counts = count(router, PICKS, i -> null);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n / (double) PICKS).isCloseTo(1 / 3.0, within(0.02)));

    router.pools()[0].draining();
    assertThat(count(router, 3000, i -> null)).doesNotContainKey(router.pools()[0].target().toString());
  }

  @Test
  void consistentHashingSendsAKeyToOneServerAndMovesAboutOneNthOfKeysWhenServersChange() {
    LoadBalancing hash = LoadBalancing.consistentHash();
    List<Instance> four = servers(4);
    Router before = router(hash, null, four);
    Map<String, String> placed = place(before, 10_000);
    assertThat(placed.values()).containsOnly(targets(four).toArray(String[]::new));
    // A fair spread: each of four servers holds 25 % of the keys, give or take.
    Map<String, Integer> perServer = new HashMap<>();
    placed.values().forEach(t -> perServer.merge(t, 1, Integer::sum));
    assertThat(perServer.values()).allSatisfy(n -> assertThat(n / 10_000.0).isBetween(0.17, 0.33));
    assertThat(place(before, 10_000)).isEqualTo(placed); // the same key, the same server

    List<Instance> five = new ArrayList<>(four);
    five.add(server(5));
    Map<String, String> joined = place(router(hash, null, five), 10_000);
    long moved = placed.keySet().stream().filter(k -> !placed.get(k).equals(joined.get(k))).count();
    assertThat(moved / 10_000.0).isBetween(0.10, 0.30); // about 1/5, and only to the new server
    placed.keySet().stream().filter(k -> !placed.get(k).equals(joined.get(k)))
        .forEach(k -> assertThat(joined.get(k)).isEqualTo(server(5).target().toString()));

    Map<String, String> left = place(router(hash, null, four.subList(1, 4)), 10_000);
    placed.forEach((key, was) -> {
      if (!was.equals(four.get(0).target().toString())) {
        assertThat(left.get(key)).as("a key of a server that stayed").isEqualTo(was);
      }
    });
  }

  @Test
  void consistentHashingOnAParamAndWithoutAKey() {
    Router byParam = router(LoadBalancing.consistentHashOnParam(1), null, servers(3));
    String first = byParam.pick(null, new Object[] {"a", "user-7"}, null).target().toString();
    for (int i = 0; i < 100; i++) {
      assertThat(byParam.pick(null, new Object[] {"x" + i, "user-7"}, null).target().toString()).isEqualTo(first);
    }
    Router byName = router(LoadBalancing.consistentHashOnParam("user"), null, servers(3));
    String named = byName.pick(null, Map.of("user", "u1"), null).target().toString();
    assertThat(byName.pick(null, Map.of("user", "u1", "other", 2), null).target().toString()).isEqualTo(named);
    // No key: round robin.
    assertThat(count(byName, 300, i -> null).values()).containsOnly(100);
  }

  @Test
  void aKeyedCallWhoseServerIsUnavailableGoesToTheNextOnTheRingAndComesBack() {
    Router router = router(LoadBalancing.consistentHash(), null, servers(3));
    EndpointPool home = router.pick("k", null, null);
    home.draining();
    EndpointPool elsewhere = router.pick("k", null, null);
    assertThat(elsewhere).isNotSameAs(home);
    assertThat(router.pick("k", null, null)).isSameAs(elsewhere);
    home.connectionWorks(null); // a new connection answers: no longer draining
    assertThat(router.pick("k", null, null)).isSameAs(home);
  }

  @Test
  void aZoneIsPreferredWhileAnyOfItsServersIsAvailable() {
    List<Instance> servers = List.of(server(1).withZone("a"), server(2).withZone("b"), server(3).withZone("b"));
    Router router = router(LoadBalancing.roundRobin(), "a", servers);
    assertThat(count(router, 100, i -> null)).containsOnlyKeys(servers.get(0).target().toString());
    router.pools()[0].draining();
    assertThat(count(router, 100, i -> null))
        .containsOnlyKeys(servers.get(1).target().toString(), servers.get(2).target().toString());
  }

  @Test
  void aServerWhoseCallsKeepFailingIsEjectedButNeverMoreThanTheShare() {
    OutlierDetection detection = new OutlierDetection(3, Duration.ofSeconds(30), Duration.ofMinutes(1), 0.5);
    Router router = new Router("test", EndpointGroup.of(servers(4)), List.of(), LoadBalancing.roundRobin(), null,
        detection, 0, RouterTest::pool);
    EndpointPool[] pools = router.pools();
    router.failed(pools[0]);
    router.failed(pools[0]);
    assertThat(pools[0].isAvailable()).isTrue();
    router.failed(pools[0]);
    assertThat(pools[0].isEjected()).isTrue();
    assertThat(count(router, 300, i -> null)).doesNotContainKey(pools[0].target().toString());

    // An answer in between resets the count.
    router.failed(pools[1]);
    router.failed(pools[1]);
    pools[1].answered();
    router.failed(pools[1]);
    assertThat(pools[1].isEjected()).isFalse();
    router.failed(pools[1]);
    router.failed(pools[1]);
    assertThat(pools[1].isEjected()).isTrue();

    // Half of four are ejected: a third is not, however often it fails.
    for (int i = 0; i < 10; i++) {
      router.failed(pools[2]);
    }
    assertThat(pools[2].isEjected()).isFalse();
  }

  @Test
  void aLoneServerIsNeverEjectedAndIsPickedEvenWhenUnavailable() {
    Router router = router(LoadBalancing.roundRobin(), null, servers(1));
    EndpointPool only = router.pools()[0];
    for (int i = 0; i < 20; i++) {
      router.failed(only);
    }
    assertThat(only.isEjected()).isFalse();
    only.draining();
    assertThat(router.pick(null, null, null)).isSameAs(only);
    assertThat(router.hasAlternative(only)).isFalse();
  }

  @Test
  void whenNoServerIsAvailableTheRouterStillPicksOneOtherThanTheFailedOne() {
    Router router = router(LoadBalancing.roundRobin(), null, servers(2));
    EndpointPool[] pools = router.pools();
    pools[0].draining();
    pools[1].draining();
    for (int i = 0; i < 10; i++) {
      assertThat(router.pick(null, null, pools[0])).isSameAs(pools[1]);
    }
  }

  @Test
  void listChangesAddKeepAndRetireServers() {
    TestGroup group = new TestGroup(servers(2));
    Router router = new Router("test", group, List.of(), LoadBalancing.roundRobin(), null, OutlierDetection.DEFAULT,
        0, RouterTest::pool);
    EndpointPool kept = router.pools()[1];
    group.publish(List.of(server(2), server(3).withWeight(5)));
    assertThat(router.instances()).containsExactly(server(2), server(3).withWeight(5));
    assertThat(router.pools()[0]).isSameAs(kept);
    group.publish(List.of(server(2).withWeight(7)));
    assertThat(router.pools()[0]).isSameAs(kept);
    assertThat(kept.instance().weight()).isEqualTo(7);

    group.publish(List.of());
    assertThatThrownBy(() -> router.pick(null, null, null))
        .isInstanceOf(ConnectionException.class)
        .hasMessageContaining("lists none")
        .satisfies(e -> assertThat(((ConnectionException) e).wasSent()).isFalse());
  }

  @Test
  void theFallbackStandsInWhileTheGroupHasNoServer() {
    TestGroup group = new TestGroup(List.of());
    Router router = new Router("test", group, List.of(server(9)), LoadBalancing.roundRobin(), null,
        OutlierDetection.DEFAULT, 0, RouterTest::pool);
    assertThat(router.instances()).containsExactly(server(9));
    group.publish(List.of(server(1)));
    assertThat(router.instances()).containsExactly(server(1));
  }

  @Test
  void pickingAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (LoadBalancing policy : List.of(LoadBalancing.roundRobin(), LoadBalancing.leastPending(),
        LoadBalancing.weighted(), LoadBalancing.consistentHash())) {
      Router router = router(policy, "a", List.of(server(1).withZone("a"), server(2), server(3).withZone("a")));
      String key = "user-42";
      for (int i = 0; i < 20_000; i++) { // past the interpreter, so that what is measured is what runs
        router.pick(key, null, null);
      }
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 100_000; i++) {
        router.pick(key, null, null);
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      // Less than a byte per pick: one allocation per pick would be 16 bytes or more. A few hundred bytes may be
      // counted meanwhile for the JVM's own reasons (a compilation finishing, a class initialised).
      assertThat(allocated).as("bytes allocated by 100,000 picks under %s", policy).isLessThan(100_000);
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static Router router(LoadBalancing policy, String zone, List<Instance> servers) {
    return new Router("test", EndpointGroup.of(servers), List.of(), policy, zone, OutlierDetection.DEFAULT, 0,
        RouterTest::pool);
  }

  /** A pool that is never connected: the router only reads its health. */
  private static EndpointPool pool(Instance instance) {
    return new EndpointPool(instance, Target.parse(instance.target()), null, null, null, Backoff.DEFAULT, 1, false,
        new AtomicLong());
  }

  private static Instance server(int n) {
    return Instance.of("tcp://127.0.0.1:" + (7000 + n));
  }

  private static List<Instance> servers(int count) {
    List<Instance> servers = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      servers.add(server(i));
    }
    return servers;
  }

  private static List<String> targets(List<Instance> servers) {
    return servers.stream().map(s -> s.target().toString()).toList();
  }

  private static Map<String, Integer> count(Router router, int picks, java.util.function.IntFunction<Object> key) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(router.pick(key.apply(i), null, null).target().toString(), 1, Integer::sum);
    }
    return counts;
  }

  private static double share(Map<String, Integer> counts, int server) {
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    return counts.getOrDefault(server(server).target().toString(), 0) / (double) total;
  }

  private static Map<String, String> place(Router router, int keys) {
    Map<String, String> placed = new HashMap<>();
    for (int i = 0; i < keys; i++) {
      placed.put("user-" + i, router.pick("user-" + i, null, null).target().toString());
    }
    return placed;
  }

  /** A group whose list the test changes. */
  private static final class TestGroup implements EndpointGroup {

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Instance> instances;

    TestGroup(List<Instance> instances) {
      this.instances = instances;
    }

    void publish(List<Instance> next) {
      instances = next;
      listeners.forEach(l -> l.instancesChanged(next));
    }

    @Override
    public List<Instance> instances() {
      return instances;
    }

    @Override
    public CompletableFuture<List<Instance>> whenReady() {
      return CompletableFuture.completedFuture(instances);
    }

    @Override
    public void addListener(Listener listener) {
      listeners.add(listener);
    }

    @Override
    public void removeListener(Listener listener) {
      listeners.remove(listener);
    }

    @Override
    public void close() {}
  }
}
