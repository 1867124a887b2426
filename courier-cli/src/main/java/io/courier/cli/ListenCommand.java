package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code courier listen TARGET METHOD [ARGS...]}: subscribes to a method that publishes items, and prints each
 * item as it arrives, one JSON value per line, until the server completes the subscription, {@code --max} items
 * arrived, or Ctrl-C cancels it.
 */
@Command(name = "listen", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Subscribe and print each item as it arrives.",
    synopsisHeading = "usage: ", sortOptions = false,
    description = {"Subscribes to METHOD (a method that publishes items) on the server at TARGET and prints each "
        + "item as it arrives, one JSON value per line, until the server completes it; Ctrl-C cancels it. Needs "
        + "tcp, tls, ws or wss (HTTP carries no notifications); params by position only.",
        "",
        "  courier listen tcp://127.0.0.1:7070 count 5",
        ""},
    footer = {"", "Exit status: 0 completed (or --max reached), 1 an error from the server, 2 bad usage, "
        + "3 connection failure or lost."})
final class ListenCommand extends MethodCommand {

  @Option(names = "--max", paramLabel = "N", description = "Cancel the subscription after N items.")
  long max;

  @Mixin
  Replies replies;

  @Override
  public Integer call() throws InterruptedException {
    // One value per line unless --pretty says otherwise: a stream is read by scripts more than by people.
    boolean indent = replies.pretty && replies.indent(spec);
    if (max < 0) {
      throw Main.usage(spec, "--max " + max + " (expected: > 0)");
    }
    ParamsOptions.Params p = params.resolve(spec, args, System.in);
    if (p.named() != null) {
      throw Main.usage(spec, "listen takes params by position only (a subscription's params are an array)");
    }
    return client.run(spec, target, main.err, rpc -> {
      Flow.Publisher<JsonNode> items;
      try {
        items = rpc.subscribe(method, JsonNode.class, p.array());
      } catch (UnsupportedOperationException e) {
        throw Main.usage(spec, "listen needs a tcp://, tls://, ws:// or wss:// target: " + e.getMessage());
      }
      CompletableFuture<Integer> done = new CompletableFuture<>();
      AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
      // Ctrl-C: cancel, so that the server stops publishing, rather than leaving it to notice the lost connection.
      Thread cancelOnExit = new Thread(() -> {
        Flow.Subscription s = subscription.get();
        if (s != null && !done.isDone()) {
          s.cancel();
        }
      }, "courier-listen-cancel");
      Runtime.getRuntime().addShutdownHook(cancelOnExit);
      items.subscribe(new Printer(indent, subscription, done));
      try {
        return done.get();
      } catch (ExecutionException e) {
        return Replies.failure(e, target, main.err);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(cancelOnExit);
        } catch (IllegalStateException shuttingDown) {
          // Already running: the hook does its job.
        }
      }
    });
  }

  /** Prints each item and asks for the next one, so that the server never sends more than is printed. */
  private final class Printer implements Flow.Subscriber<JsonNode> {

    private final boolean indent;
    private final AtomicReference<Flow.Subscription> subscription;
    private final CompletableFuture<Integer> done;
    private long seen;

    Printer(boolean indent, AtomicReference<Flow.Subscription> subscription, CompletableFuture<Integer> done) {
      this.indent = indent;
      this.subscription = subscription;
      this.done = done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.set(s);
      s.request(1);
    }

    @Override
    public void onNext(JsonNode item) {
      main.out.println(Replies.json(item == null ? NullNode.getInstance() : item, indent));
      main.out.flush();
      seen++;
      if (max > 0 && seen >= max) {
        subscription.get().cancel();
        done.complete(Main.OK);
      } else {
        subscription.get().request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(Main.OK);
    }
  }
}
