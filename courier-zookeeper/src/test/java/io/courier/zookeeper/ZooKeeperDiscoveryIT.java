package io.courier.zookeeper;

import static io.courier.zookeeper.Fixtures.await;
import static io.courier.zookeeper.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.client.RpcClient;
import io.courier.discovery.Instance;
import io.courier.server.RpcServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ZooKeeperDiscoveryIT {

  private TestingServer zk;
  private final List<RpcServer> servers = new ArrayList<>();

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (RpcServer server : servers) {
      server.stop(Duration.ZERO);
    }
    zk.close();
  }

  private String target() {
    return "zk://127.0.0.1:" + zk.getPort() + "/calc";
  }

  private RpcServer server() {
    RpcServer server = Fixtures.server(Fixtures.registry(zk.getConnectString()).build());
    servers.add(server);
    return server;
  }

  private static String address(RpcServer server) {
    return "127.0.0.1:" + server.port();
  }

  @Test
  void clientFailsWithinItsConnectTimeoutWithAClearMessageWhenZooKeeperIsDown() {
    int port = InstanceSpec.getRandomPort(); // nothing listens there
    long start = System.nanoTime();
    assertThatThrownBy(() -> RpcClient.builder()
        .target("zk://127.0.0.1:" + port + "/calc")
        .connectTimeout(Duration.ofMillis(1000))
        .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot reach ZooKeeper at 127.0.0.1:" + port + " within 1000 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
  }

  @Test
  void clientWithAFallbackCallsItWhileZooKeeperIsDown() {
    RpcServer fallback = Fixtures.server();
    servers.add(fallback);
    int port = InstanceSpec.getRandomPort();
    try (RpcClient client = RpcClient.builder()
        .target("zk://127.0.0.1:" + port + "/calc")
        .fallback("tcp://" + address(fallback))
        .connectTimeout(Duration.ofMillis(500))
        .build()) {
      assertThat(node(client)).isEqualTo(address(fallback));
    }
  }

  @Test
  void zooKeeperGoingDownKeepsTheLastListAndCallsGoOn() throws Exception {
    RpcServer server = server();
    try (RpcClient client = Fixtures.client(target())) {
      assertThat(node(client)).isEqualTo(address(server));
      zk.stop();
      for (int i = 0; i < 50; i++) {
        assertThat(node(client)).isEqualTo(address(server));
      }
      // Past the moment Curator gives the connection up as suspended: the list must still be there.
      try (ZooKeeperEndpointGroup group = ZooKeeperEndpointGroup.of(target(), Duration.ofMillis(300))) {
        assertThatThrownBy(() -> group.whenReady().join()).hasMessageContaining("Cannot reach ZooKeeper");
      }
      assertThat(node(client)).isEqualTo(address(server));
    }
  }

  @Test
  void malformedAndForeignNodesAreIgnored() throws Exception {
    try (CuratorFramework writer = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
      writer.start();
      String base = "/courier/services/calc/";
      writer.create().creatingParentsIfNeeded().forPath(base + "not-json", bytes("<script>alert(1)</script>"));
      writer.create().forPath(base + "yaml", bytes("!!javax.script.ScriptEngineManager [!!java.net.URL [\"x\"]]"));
      writer.create().forPath(base + "empty");
      writer.create().forPath(base + "no-payload", bytes("{\"name\":\"calc\",\"id\":\"no-payload\"}"));
      writer.create().forPath(base + "foreign",
          bytes("{\"name\":\"calc\",\"payload\":{\"@class\":\"com.example.Other\",\"url\":\"http://x\"}}"));
      writer.create().forPath(base + "only-http",
          bytes("{\"payload\":{\"targets\":[\"http://127.0.0.1:1/rpc\"]}}"));
      writer.create().forPath(base + "not-a-host",
          bytes("{\"payload\":{\"targets\":[\"tcp://exa mple:1\"]}}"));
      writer.create().forPath(base + "huge", new byte[200_000]);
      writer.create().creatingParentsIfNeeded().forPath(base + "deep/child", bytes("{}"));

      RpcServer server = server();
      try (ZooKeeperEndpointGroup group = ZooKeeperEndpointGroup.of(target(), Duration.ofSeconds(2))) {
        List<Instance> first = group.whenReady().get();
        assertThat(first).extracting(i -> i.target().toString()).containsExactly("tcp://" + address(server));
      }
      try (RpcClient client = Fixtures.client(target())) {
        for (int i = 0; i < 10; i++) {
          assertThat(node(client)).isEqualTo(address(server));
        }
        // One more bad node while the client follows the list: still no crash, still the one server.
        writer.create().withMode(CreateMode.EPHEMERAL).forPath(base + "later", bytes("[1,2,3]"));
        assertThat(node(client)).isEqualTo(address(server));
      }
    }
  }

  @Test
  void listenersGetTheWholeListOnEachChange() throws Exception {
    try (ZooKeeperEndpointGroup group = ZooKeeperEndpointGroup.of(target(), Duration.ofSeconds(2))) {
      assertThat(group.whenReady().get()).isEmpty();
      List<List<Instance>> seen = new CopyOnWriteArrayList<>();
      group.addListener(seen::add);
      RpcServer a = server();
      await("one instance", Duration.ofSeconds(1), () -> !seen.isEmpty() && seen.get(seen.size() - 1).size() == 1);
      RpcServer b = server();
      await("two instances", Duration.ofSeconds(1), () -> seen.get(seen.size() - 1).size() == 2);
      assertThat(seen.get(seen.size() - 1)).extracting(i -> i.target().getPort())
          .containsExactlyInAnyOrder(a.port(), b.port());
      assertThat(group.instances()).hasSize(2);
    }
  }

  @Test
  void aServerAddedUnderLoadGetsCallsWithinOneSecond() throws Exception {
    RpcServer first = server();
    try (RpcClient client = Fixtures.client(target()); Fixtures.Load load = new Fixtures.Load(client, 4)) {
      await("calls flow", Duration.ofSeconds(2), () -> load.total() > 100);
      long added = System.nanoTime();
      RpcServer second = server();
      await("the new server answers calls", Duration.ofSeconds(1), () -> load.answersFrom(address(second)) > 0);
      assertThat(Duration.ofNanos(System.nanoTime() - added)).isLessThan(Duration.ofSeconds(1));
      load.stop();
      assertThat(load.answersFrom(address(first))).isPositive();
      assertThat(load.failed).isEmpty();
    }
  }

  @Test
  void gracefulStopOfOneOfThreeServersUnderLoadFailsNoCall() throws Exception {
    RpcServer a = server();
    RpcServer b = server();
    RpcServer c = server();
    try (RpcClient client = Fixtures.client(target())) {
      await("the client knows all three", Duration.ofSeconds(2), () -> {
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 30; i++) {
          answered.add(node(client));
        }
        return answered.size() == 3;
      });
      try (Fixtures.Load load = new Fixtures.Load(client, 4)) {
        await("calls flow", Duration.ofSeconds(2), () -> load.total() > 200);
        b.stop(Duration.ofSeconds(2));
        long stoppedAt = load.total();
        await("calls go on after the stop", Duration.ofSeconds(2), () -> load.total() > stoppedAt + 500);
        long fromB = load.answersFrom(address(b));
        await("more calls", Duration.ofSeconds(2), () -> load.total() > stoppedAt + 1000);
        load.stop();
        assertThat(load.failed).as("failed calls").isEmpty();
        assertThat(load.failures.sum()).isZero();
        assertThat(load.answersFrom(address(b))).as("calls answered by the stopped server").isEqualTo(fromB);
        assertThat(load.answersFrom(address(a))).isPositive();
        assertThat(load.answersFrom(address(c))).isPositive();
      }
    }
  }

  @Test
  void readsThroughDigestCredentialsInTheTarget() throws Exception {
    RpcServer server = Fixtures.server(Fixtures.registry(zk.getConnectString()).digest("courier:s3cret").build());
    servers.add(server);
    try (RpcClient client = Fixtures.client("zk://courier:s3cret@127.0.0.1:" + zk.getPort() + "/calc")) {
      assertThat(node(client)).isEqualTo(address(server));
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
