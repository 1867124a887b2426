package io.courier.examples.stdio;

import io.courier.RpcContext;
import io.courier.RpcService;
import io.courier.server.RpcServer;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

/**
 * A tool server that an editor or an agent host launches and talks to over its standard input and output, in
 * either framing (the Language Server Protocol's {@code Content-Length} headers, or newline-delimited JSON): it
 * serves {@code tools.add}, {@code tools.shout}, which asks the host for a confirmation before it answers, and
 * {@code tools.progress}, a subscription. Run it with {@link ToolClient}, or from any JSON-RPC peer that
 * launches programs ({@code vscode-jsonrpc}'s stream connection, say).
 */
public final class ToolServer {

  /** The tools. */
  @RpcService("tools")
  public interface Tools {
    /** Adds two numbers. */
    long add(long a, long b);

    /** Upper-cases {@code text}, once the host answers {@code host.confirm(text)} with true. */
    String shout(String text);

    /** Publishes {@code steps} progress reports, as fast as the host asks for them. */
    Flow.Publisher<String> progress(int steps);
  }

  /** What the host serves back: asked by {@link Tools#shout}. */
  @RpcService("host")
  public interface Host {
    boolean confirm(String question);
  }

  private ToolServer() {}

  public static void main(String[] args) {
    RpcServer.builder()
        .service(Tools.class, new Tools() {
          @Override
          public long add(long a, long b) {
            return a + b;
          }

          @Override
          public String shout(String text) {
            Host host = RpcContext.current().peer().create(Host.class);
            return host.confirm("shout " + text + "?") ? text.toUpperCase() : text;
          }

          @Override
          public Flow.Publisher<String> progress(int steps) {
            // Each subscriber gets its own run. SubmissionPublisher holds what the subscriber has not asked for,
            // up to its capacity, and blocks the producer past it: a bounded producer, paced by the demand.
            return subscriber -> {
              SubmissionPublisher<String> publisher = new SubmissionPublisher<>();
              publisher.subscribe(subscriber);
              Thread producer = new Thread(() -> {
                try (publisher) {
                  for (int i = 1; i <= steps; i++) {
                    publisher.submit("step " + i + " of " + steps);
                  }
                }
              }, "progress");
              producer.setDaemon(true);
              producer.start();
            };
          }
        })
        .build()
        .serveStdio();
  }
}
