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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ZooKeeperRegistryIT {

  private TestingServer zk;

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stopZooKeeper() throws Exception {
    zk.close();
  }

  private String target() {
    return "zk://127.0.0.1:" + zk.getPort() + "/calc";
  }

  private CuratorFramework curator() {
    CuratorFramework client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
    client.start();
    return client;
  }

  @Test
  void clientSeesARegisteredServerWithinOneSecondAndLosesItAtGracefulStop() throws Exception {
    RpcServer first = Fixtures.server(Fixtures.registry(zk.getConnectString()).build());
    try (RpcClient client = Fixtures.client(target())) {
      assertThat(node(client)).isEqualTo("127.0.0.1:" + first.port());

      long added = System.nanoTime();
      RpcServer second = Fixtures.server(Fixtures.registry(zk.getConnectString()).build());
      await("the client calls the second server", Duration.ofSeconds(1),
          () -> node(client).equals("127.0.0.1:" + second.port()));
      assertThat(Duration.ofNanos(System.nanoTime() - added)).isLessThan(Duration.ofSeconds(1));

      second.stop(Duration.ofSeconds(1));
      try (CuratorFramework reader = curator()) {
        assertThat(reader.getChildren().forPath("/courier/services/calc")).hasSize(1);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(node(client)).isEqualTo("127.0.0.1:" + first.port());
      }
    } finally {
      first.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void nodeHoldsCuratorsLayoutWithACourierPayload() throws Exception {
    ZooKeeperRegistry registry = Fixtures.registry(zk.getConnectString())
        .serviceName("calc", "math")
        .weight(7)
        .zone("zone-a")
        .version("1.2.3")
        .metadata("team", "payments")
        .build();
    RpcServer server = Fixtures.server(registry);
    try (CuratorFramework reader = curator()) {
      assertThat(registry.paths()).hasSize(2);
      for (String path : registry.paths()) {
        assertThat(path).matches("/courier/services/(calc|math)/[0-9a-f-]{36}");
        Stat stat = reader.checkExists().forPath(path);
        assertThat(stat.getEphemeralOwner()).isNotZero();
      }
      String node = registry.paths().get(0).substring("/courier/services/calc/".length());
      Instance read = new InstanceReader("calc", null).read(node,
          reader.getData().forPath(registry.paths().get(0)));
      assertThat(read.target().toString()).isEqualTo("tcp://127.0.0.1:" + server.port());
      assertThat(read.weight()).isEqualTo(7);
      assertThat(read.zone()).isEqualTo("zone-a");
      assertThat(read.metadata()).containsEntry("version", "1.2.3").containsEntry("team", "payments");
      Instance ws = new InstanceReader("calc", "ws").read(node, reader.getData().forPath(registry.paths().get(0)));
      assertThat(ws.target().toString()).isEqualTo("ws://127.0.0.1:" + server.port() + "/ws");
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  @SuppressWarnings({"rawtypes", "unchecked"}) // Curator takes the payload class, Map.class, which is raw
  void plainCuratorServiceDiscoveryListsCourierInstancesUnchanged() throws Exception {
    RpcServer server = Fixtures.server(Fixtures.registry(zk.getConnectString()).zone("z1").build());
    try (CuratorFramework reader = curator();
        ServiceDiscovery<Map> discovery = ServiceDiscoveryBuilder.builder(Map.class)
            .client(reader)
            .basePath("/courier/services")
            .serializer(new JsonInstanceSerializer<>(Map.class))
            .build()) {
      discovery.start();
      assertThat(discovery.queryForNames()).containsExactly("calc");
      Collection<ServiceInstance<Map>> instances = discovery.queryForInstances("calc");
      assertThat(instances).hasSize(1);
      ServiceInstance<Map> instance = instances.iterator().next();
      assertThat(instance.getName()).isEqualTo("calc");
      assertThat(instance.getAddress()).isEqualTo("127.0.0.1");
      assertThat(instance.getPort()).isEqualTo(server.port());
      Map<?, ?> payload = instance.getPayload();
      assertThat((List<Object>) payload.get("targets")).contains("tcp://127.0.0.1:" + server.port());
      assertThat(payload.get("tls")).isEqualTo(false);
      assertThat(payload.get("weight")).isEqualTo(1);
      assertThat(payload.get("zone")).isEqualTo("z1");
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void sessionExpiryIsFollowedByReRegistration() throws Exception {
    ZooKeeperRegistry registry = Fixtures.registry(zk.getConnectString()).build();
    RpcServer server = Fixtures.server(registry);
    try (CuratorFramework reader = curator(); RpcClient client = Fixtures.client(target())) {
      String path = registry.paths().get(0);
      long before = reader.checkExists().forPath(path).getEphemeralOwner();
      assertThat(node(client)).isEqualTo("127.0.0.1:" + server.port());

      registry.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

      await("the node is registered again by a new session", Duration.ofSeconds(10), () -> {
        try {
          Stat stat = reader.checkExists().forPath(path);
          return stat != null && stat.getEphemeralOwner() != before;
        } catch (Exception e) {
          return false;
        }
      });
      await("the client calls the server again", Duration.ofSeconds(5), () -> {
        try {
          return node(client).equals("127.0.0.1:" + server.port());
        } catch (RuntimeException e) {
          return false;
        }
      });
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void reconnectWithinTheSessionKeepsTheSameNode() throws Exception {
    ZooKeeperRegistry registry = Fixtures.registry(zk.getConnectString()).sessionTimeout(Duration.ofSeconds(30))
        .build();
    RpcServer server = Fixtures.server(registry);
    try (CuratorFramework reader = curator()) {
      String path = registry.paths().get(0);
      Stat before = reader.checkExists().forPath(path);
      // Restarting the ZooKeeper server drops every connection; sessions survive, as after a network blip.
      zk.restart();
      await("the registry reconnects", Duration.ofSeconds(10),
          () -> registry.curator().getZookeeperClient().isConnected());
      await("the reader reconnects", Duration.ofSeconds(10), () -> reader.getZookeeperClient().isConnected());
      Stat after = reader.checkExists().forPath(path);
      assertThat(after).isNotNull();
      // Not deleted and created again: clients never saw the server leave.
      assertThat(after.getCzxid()).isEqualTo(before.getCzxid());
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void serverStartsWithinTheConnectionTimeoutWhenZooKeeperIsDownAndRegistersWhenItComesUp() throws Exception {
    int port = zk.getPort();
    zk.stop();
    ZooKeeperRegistry registry = Fixtures.registry("127.0.0.1:" + port)
        .connectionTimeout(Duration.ofMillis(500))
        .build();
    long start = System.nanoTime();
    RpcServer server = Fixtures.server(registry);
    try {
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      zk.restart();
      try (CuratorFramework reader = curator()) {
        await("the server is registered once ZooKeeper is up", Duration.ofSeconds(10), () -> {
          try {
            return reader.checkExists().forPath(registry.paths().get(0)) != null;
          } catch (Exception e) {
            return false;
          }
        });
      }
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void digestAclLetsAnyoneReadButNoOtherClientChangeOrDeleteTheNodes() throws Exception {
    ZooKeeperRegistry registry = Fixtures.registry(zk.getConnectString()).digest("courier:s3cret").build();
    RpcServer server = Fixtures.server(registry);
    try (CuratorFramework stranger = curator();
        CuratorFramework intruder = CuratorFrameworkFactory.builder()
            .connectString(zk.getConnectString())
            .retryPolicy(new RetryOneTime(100))
            .authorization("digest", "mallory:guess".getBytes(StandardCharsets.UTF_8))
            .build()) {
      intruder.start();
      String path = registry.paths().get(0);
      List<ACL> acl = stranger.getACL().forPath(path);
      assertThat(acl).extracting(a -> a.getId().getScheme()).containsExactlyInAnyOrder("digest", "world");
      assertThat(acl).filteredOn(a -> a.getId().getScheme().equals("world"))
          .extracting(ACL::getPerms).containsExactly(ZooDefs.Perms.READ);

      assertThat(stranger.getData().forPath(path)).isNotEmpty();
      for (CuratorFramework other : List.of(stranger, intruder)) {
        assertThatThrownBy(() -> other.delete().forPath(path)).isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> other.setData().forPath(path, "{}".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> other.delete().forPath("/courier/services/calc"))
            .isInstanceOf(KeeperException.class);
      }
      // The client reads the protected nodes without credentials: they are world-readable.
      try (RpcClient client = Fixtures.client(target())) {
        assertThat(node(client)).isEqualTo("127.0.0.1:" + server.port());
      }
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
    try (CuratorFramework reader = curator()) {
      assertThat(reader.getChildren().forPath("/courier/services/calc")).isEmpty();
    }
  }

  @Test
  void givenCuratorClientIsUsedAndLeftOpen() throws Exception {
    try (CuratorFramework own = curator()) {
      ZooKeeperRegistry registry = ZooKeeperRegistry.builder().curator(own).serviceName("calc").build();
      RpcServer server = Fixtures.server(registry);
      assertThat(registry.curator()).isSameAs(own);
      assertThat(own.checkExists().forPath(registry.paths().get(0))).isNotNull();
      server.stop(Duration.ofSeconds(1));
      assertThat(own.getZookeeperClient().isConnected()).isTrue();
      assertThat(own.checkExists().forPath(registry.paths().get(0))).isNull();
    }
  }

  @Test
  void builderRefusesWhatCannotWork() {
    assertThatThrownBy(() -> ZooKeeperRegistry.builder().serviceName("calc").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("connectString");
    assertThatThrownBy(() -> ZooKeeperRegistry.builder().connectString("127.0.0.1:1").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("serviceName");
    assertThatThrownBy(() -> ZooKeeperRegistry.builder().serviceName("a/b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/b");
    assertThatThrownBy(() -> ZooKeeperRegistry.builder().weight(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-1000");
    assertThatThrownBy(() -> ZooKeeperRegistry.builder().basePath("relative"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relative");
    assertThatThrownBy(() -> ZooKeeperRegistry.builder().digest("nopassword"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user:password");
    assertThatThrownBy(() -> ZooKeeperRegistry.builder().connectString("host:notaport"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:notaport");
  }
}
