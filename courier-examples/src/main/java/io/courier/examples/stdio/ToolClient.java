package io.courier.examples.stdio;

import io.courier.Framing;
import io.courier.client.RpcClient;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;

/**
 * Launches {@link ToolServer} as a child process and talks to it over its standard input and output with the
 * Language Server Protocol's framing: calls a tool, answers the tool's question back, and follows a
 * subscription. Run it with {@code java -cp courier-cli/target/courier-cli.jar
 * io.courier.examples.stdio.ToolClient}.
 */
public final class ToolClient {

  private ToolClient() {}

  public static void main(String[] args) throws InterruptedException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    try (RpcClient client = RpcClient.builder()
        .command(java, "-cp", System.getProperty("java.class.path"), ToolServer.class.getName())
        .framing(Framing.CONTENT_LENGTH)
        .service(ToolServer.Host.class, question -> true)   // the server asks; this client answers
        .build()) {
      ToolServer.Tools tools = client.create(ToolServer.Tools.class);
      System.out.println("add: " + tools.add(2, 3));
      System.out.println("shout: " + tools.shout("hello"));
      CountDownLatch done = new CountDownLatch(1);
      tools.progress(3).subscribe(new Flow.Subscriber<>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
          subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String item) {
          System.out.println("progress: " + item);
        }

        @Override
        public void onError(Throwable failure) {
          System.out.println("progress failed: " + failure);
          done.countDown();
        }

        @Override
        public void onComplete() {
          System.out.println("progress: done");
          done.countDown();
        }
      });
      done.await();
    }
  }
}
