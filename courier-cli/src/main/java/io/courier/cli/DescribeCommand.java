package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.client.RpcClient;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code courier list TARGET} and {@code courier describe TARGET [METHOD]}: what a server offers, read from its
 * OpenRPC document ({@code rpc.discover}, which Courier servers answer and other servers may).
 */
final class DescribeCommand {

  private DescribeCommand() {}

  /** Asks {@code target} for its OpenRPC document; a server without {@code rpc.discover} is an error reply. */
  private static JsonNode discover(RpcClient rpc) throws ExecutionException, InterruptedException {
    return rpc.call("rpc.discover", JsonNode.class).get();
  }

  /** {@code courier list TARGET}: each method's name and the first line of its description. */
  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      header = "List the methods a server offers.",
      synopsisHeading = "usage: ", sortOptions = false,
      description = {"Prints the name of each method the server at TARGET describes in its OpenRPC document "
          + "(rpc.discover), one per line, with its summary or description when it has one.",
          "",
          "  courier list tcp://127.0.0.1:7070",
          ""},
      footer = {"", "Exit status: 0 listed, 1 an error reply (a server without rpc.discover answers -32601), "
          + "2 bad usage, 3 connection failure, 4 timed out."})
  static final class ListCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = ClientOptions.TARGET_HELP)
    String target;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws InterruptedException {
      return client.run(spec, target, main.err, rpc -> {
        for (JsonNode method : discover(rpc).path("methods")) {
          String summary = method.path("summary").asText(method.path("description").asText(""));
          int newline = summary.indexOf('\n');
          String line = newline < 0 ? summary : summary.substring(0, newline);
          main.out.println(line.isEmpty() ? method.path("name").asText()
              : method.path("name").asText() + "  " + line);
        }
        return Main.OK;
      });
    }
  }

  /** {@code courier describe TARGET [METHOD]}: the whole document, or one method's entry, as JSON. */
  @Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      header = "Print a server's OpenRPC document, or one method's part of it.",
      synopsisHeading = "usage: ", sortOptions = false,
      description = {"Prints the OpenRPC document of the server at TARGET (rpc.discover) as JSON; with METHOD, "
          + "only that method's entry, its params' and result's schemas, and the shared schemas they refer to.",
          "",
          "  courier describe tcp://127.0.0.1:7070 add",
          ""},
      footer = {"", "Exit status: 0 described, 1 an error reply or no such method, 2 bad usage, 3 connection "
          + "failure, 4 timed out."})
  static final class Describe implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TARGET", description = ClientOptions.TARGET_HELP)
    String target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "METHOD", description = "One method's name.")
    String method;

    @Mixin
    ClientOptions client;

    @Mixin
    Replies replies;

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws InterruptedException {
      boolean indent = replies.indent(spec);
      return client.run(spec, target, main.err, rpc -> {
        JsonNode document = discover(rpc);
        if (method == null) {
          main.out.println(Replies.json(document, indent));
          return Main.OK;
        }
        for (JsonNode entry : document.path("methods")) {
          if (method.equals(entry.path("name").asText())) {
            ObjectNode one = ParamsOptions.JSON.createObjectNode();
            one.set("method", entry);
            JsonNode schemas = document.path("components").path("schemas");
            if (!schemas.isMissingNode()) {
              one.set("schemas", schemas);
            }
            main.out.println(Replies.json(one, indent));
            return Main.OK;
          }
        }
        main.err.println("courier: " + target + " describes no method " + method);
        return Main.ERROR;
      });
    }
  }
}
