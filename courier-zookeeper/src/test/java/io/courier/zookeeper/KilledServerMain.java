package io.courier.zookeeper;

import io.courier.server.RpcServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server in a process of its own, registered in the ZooKeeper named by its argument with a 2-second session, for
 * a test to kill without warning: nothing unregisters it, ZooKeeper removes it when its session expires. Prints
 * {@code PORT n} once registered.
 */
public final class KilledServerMain {

  private KilledServerMain() {}

  public static void main(String[] args) throws Exception {
    AtomicInteger port = new AtomicInteger();
    RpcServer server = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .method("node", arguments -> "127.0.0.1:" + port.get())
        .listener(Fixtures.registry(args[0]).sessionTimeout(Duration.ofSeconds(2)).build())
        .build();
    server.start();
    port.set(server.port());
    System.out.println("PORT " + server.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
