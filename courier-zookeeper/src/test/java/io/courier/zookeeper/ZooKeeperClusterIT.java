package io.courier.zookeeper;

import static io.courier.zookeeper.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ZooKeeperClusterIT {

  @Test
  void callsKeepSucceedingWhileOneOfThreeZooKeeperNodesIsStopped() throws Exception {
    try (TestingCluster cluster = new TestingCluster(3)) {
      cluster.start();
      calls(cluster);
    }
  }

  private static void calls(TestingCluster cluster) throws Exception {
    List<RpcServer> servers = new ArrayList<>();
    try {
      String connect = cluster.getConnectString();
      servers.add(Fixtures.server(Fixtures.registry(connect).connectionTimeout(Duration.ofSeconds(10)).build()));
      servers.add(Fixtures.server(Fixtures.registry(connect).connectionTimeout(Duration.ofSeconds(10)).build()));
      String target = "zk://" + connect + "/calc";
      try (RpcClient client = RpcClient.builder().target(target).connectTimeout(Duration.ofSeconds(10))
          .callTimeout(Duration.ofSeconds(2)).build()) {
        await("both servers are listed", Duration.ofSeconds(5), () -> {
          Set<String> answered = new HashSet<>();
          for (int i = 0; i < 20; i++) {
            answered.add(Fixtures.node(client));
          }
          return answered.size() == 2;
        });
        try (Fixtures.Load load = new Fixtures.Load(client, 4)) {
          await("calls flow", Duration.ofSeconds(2), () -> load.total() > 200);
          InstanceSpec stopped = cluster.getInstances().iterator().next();
          assertThat(cluster.killServer(stopped)).isTrue();
          long before = load.total();
          await("calls go on with a ZooKeeper node down", Duration.ofSeconds(10),
              () -> load.total() > before + 2000);
          load.stop();
          assertThat(load.failed).as("failed calls").isEmpty();
          for (RpcServer server : servers) {
            assertThat(load.answersFrom("127.0.0.1:" + server.port())).isPositive();
          }
        }
      }
    } finally {
      // While ZooKeeper still runs, so that they unregister at once.
      for (RpcServer server : servers) {
        server.stop(Duration.ZERO);
      }
    }
  }
}
