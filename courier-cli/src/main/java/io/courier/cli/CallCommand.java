package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code courier call TARGET METHOD [ARGS...]}: one call, its result printed as JSON on stdout; an error reply
 * printed on stderr as {@code error CODE: MESSAGE} with exit status 1.
 */
@Command(name = "call", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Call a method and print its result as JSON.",
    synopsisHeading = "usage: ", sortOptions = false,
    description = {"Calls METHOD on the server at TARGET and prints its result as JSON: indented when stdout is a "
        + "terminal, on one line otherwise.",
        "",
        "  courier call tcp://127.0.0.1:7070 add 2 3",
        "  courier call http://127.0.0.1:7070/rpc subtract minuend=42 subtrahend=23",
        "  echo '[\"hi\"]' | courier call ws://127.0.0.1:7070/ws echo -d -",
        ""},
    footer = {"", "Exit status: 0 a result, 1 an error reply (error CODE: MESSAGE on stderr), 2 bad usage, "
        + "3 connection failure (unreachable, TLS, not JSON-RPC), 4 timed out."})
final class CallCommand extends MethodCommand {

  @Mixin
  Replies replies;

  @Override
  public Integer call() throws InterruptedException {
    boolean indent = replies.indent(spec);
    ParamsOptions.Params p = params.resolve(spec, args, System.in);
    return client.run(spec, target, main.err, rpc -> {
      CompletableFuture<JsonNode> result = p.named() == null
          ? rpc.call(method, JsonNode.class, p.array())
          : rpc.callNamed(method, JsonNode.class, p.named());
      JsonNode value = result.get();
      main.out.println(Replies.json(value == null ? NullNode.getInstance() : value, indent));
      return Main.OK;
    });
  }
}
