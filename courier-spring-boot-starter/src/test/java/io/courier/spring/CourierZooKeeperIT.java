package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.RpcClient;
import io.courier.zookeeper.ZooKeeperRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * A server that registers in ZooKeeper through a {@link ZooKeeperRegistry} bean, and a client whose target is
 * {@code zk://}: courier-zookeeper on the class path is all the starter needs. ZooKeeper runs in this JVM.
 */
class CourierZooKeeperIT {

  private TestingServer zk;

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stopZooKeeper() throws Exception {
    zk.close();
  }

  @Test
  void aZkTargetFindsTheServerARegistryBeanAnnounced() {
    ApplicationContextRunner server = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
        .withUserConfiguration(CalculatorImpl.class, Registry.class)
        .withBean("zkConnect", String.class, () -> zk.getConnectString())
        .withPropertyValues("courier.server.host=127.0.0.1", "courier.server.port=0");
    ApplicationContextRunner client = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
        .withUserConfiguration(Caller.class)
        .withPropertyValues("courier.clients.calc.target=zk://127.0.0.1:" + zk.getPort() + "/calc",
            "courier.clients.calc.connect-timeout=5s");
    server.run(serverContext -> {
      assertThat(serverContext).hasNotFailed();
      client.run(clientContext -> {
        assertThat(clientContext.getBean(Caller.class).calculator.add(2, 3)).isEqualTo(5);
        RpcClient rpcClient = clientContext.getBean(CourierClients.class).client("calc", "test");
        assertThat(rpcClient.servers()).hasSize(1);
        // The server's stop withdraws it from ZooKeeper first: the client sees it leave.
        serverContext.getSourceApplicationContext().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!rpcClient.servers().isEmpty()) {
          assertThat(System.nanoTime()).as("the server left the client's list in time").isLessThan(deadline);
          Thread.sleep(20);
        }
      });
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    ZooKeeperRegistry zooKeeperRegistry(String zkConnect) {
      return ZooKeeperRegistry.builder().connectString(zkConnect).serviceName("calc")
          .unregisterDelay(Duration.ofMillis(200)).build();
    }
  }

  @Component
  static class Caller {
    final Calculator calculator;

    Caller(@CourierClient("calc") Calculator calculator) {
      this.calculator = calculator;
    }
  }
}
