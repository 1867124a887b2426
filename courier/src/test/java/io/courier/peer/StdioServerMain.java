package io.courier.peer;

import io.courier.Peer;
import io.courier.RpcContext;
import io.courier.server.RpcServer;
import java.util.concurrent.Flow;

/**
 * A Courier server over its standard input and output, launched as a child process by {@link StdioIT}: what a
 * tool server an agent host starts looks like.
 */
public final class StdioServerMain {

  /** What the child serves. */
  public interface Tools {
    int add(int a, int b);

    /** Asks the launching client (a peer) for a greeting. */
    String askParent(String name);

    /** Prints to standard output, which serving stdio sends to standard error instead. */
    String noisy();

    /** Publishes 0 to n-1 on demand. */
    Flow.Publisher<Integer> count(int n);

    /** Ends the process at once, without answering. */
    void exit();
  }

  private StdioServerMain() {}

  public static void main(String[] args) {
    RpcServer.builder()
        .service(Tools.class, new Tools() {
          @Override
          public int add(int a, int b) {
            return a + b;
          }

          @Override
          public String askParent(String name) {
            Peer parent = RpcContext.current().peer();
            return parent.protocol() + ": " + parent.call("greet", String.class, name).join();
          }

          @Override
          public String noisy() {
            System.out.println("this line must not reach the protocol stream");
            return "quiet";
          }

          @Override
          public Flow.Publisher<Integer> count(int n) {
            return new SubscriptionsIT.CountingRange(n);
          }

          @Override
          public void exit() {
            Runtime.getRuntime().halt(3);
          }
        })
        .build()
        .serveStdio();
  }
}
