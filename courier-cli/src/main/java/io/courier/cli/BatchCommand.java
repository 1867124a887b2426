package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.courier.CallTimeoutException;
import io.courier.ConnectionException;
import io.courier.RpcException;
import io.courier.client.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code courier batch TARGET -d @file}: sends the calls and notifications of a JSON array as one JSON-RPC
 * batch and prints one line per entry, in the file's order.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Send the calls of a JSON file as one batch; one line per entry.",
    synopsisHeading = "usage: ", sortOptions = false,
    description = {"Sends a JSON-RPC batch to the server at TARGET: a JSON array of {\"method\": ..., \"params\": "
        + "[...] or {...}} entries, with \"notify\": true for notifications (whose params are by position). "
        + "Prints one line per entry, in order: the result as JSON, error CODE: MESSAGE, or notified.",
        "",
        "  echo '[{\"method\": \"add\", \"params\": [1, 2]}, {\"method\": \"notify_hello\", \"params\": [7], "
            + "\"notify\": true}]' | courier batch tcp://127.0.0.1:7070 -d -",
        ""},
    footer = {"", "Exit status: 0 every call had a result, 1 some had an error, 2 bad usage, 3 connection "
        + "failure, 4 timed out."})
final class BatchCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "TARGET", description = ClientOptions.TARGET_HELP)
  String target;

  @Option(names = {"-d", "--data"}, paramLabel = "@FILE|-", required = true,
      description = "The batch: a JSON array in a file (@FILE) or on standard input (-).")
  String data;

  @Mixin
  ClientOptions client;

  @Spec
  CommandSpec spec;

  @ParentCommand
  Main main;

  /** One entry of the file: a call ({@code notification} false) with params by position or by name. */
  private record Entry(String method, List<JsonNode> positional, Map<String, JsonNode> named, boolean notification) {}

  @Override
  public Integer call() throws InterruptedException {
    List<Entry> entries = entries(ParamsOptions.parse(spec, ParamsOptions.read(spec, data, System.in), "-d " + data));
    return client.run(spec, target, main.err, rpc -> {
      Batch batch = rpc.batch();
      List<CompletableFuture<JsonNode>> results = new ArrayList<>();
      for (Entry entry : entries) {
        if (entry.notification()) {
          batch.notify(entry.method(), entry.positional().toArray());
          results.add(null);
        } else {
          results.add(entry.named() == null
              ? batch.call(entry.method(), JsonNode.class, entry.positional().toArray())
              : batch.callNamed(entry.method(), JsonNode.class, entry.named()));
        }
      }
      batch.send().get();
      if (results.stream().allMatch(r -> r == null)) {
        return NotifyCommand.confirm(rpc, target, main);
      }
      return print(results);
    });
  }

  /** One line per entry; a failure of the whole batch (connection, timeout) is told once, on stderr. */
  private int print(List<CompletableFuture<JsonNode>> results) throws InterruptedException {
    for (CompletableFuture<JsonNode> result : results) {
      if (result != null && result.isCompletedExceptionally()) {
        Throwable failure = failure(result);
        if (failure instanceof ConnectionException || failure instanceof CallTimeoutException) {
          return Replies.failure(failure, target, main.err);
        }
      }
    }
    int status = Main.OK;
    for (CompletableFuture<JsonNode> result : results) {
      if (result == null) {
        main.out.println("notified");
        continue;
      }
      try {
        JsonNode value = result.get();
        main.out.println(Replies.json(value == null ? NullNode.getInstance() : value, false));
      } catch (ExecutionException e) {
        Throwable failure = Replies.unwrap(e);
        main.out.println(failure instanceof RpcException rpc
            ? Replies.error(rpc.error()).replace("\ndata: ", " data: ")
            : "error: " + failure.getMessage());
        status = Main.ERROR;
      }
    }
    return status;
  }

  private static Throwable failure(CompletableFuture<JsonNode> result) throws InterruptedException {
    try {
      result.get();
      return null;
    } catch (ExecutionException e) {
      return Replies.unwrap(e);
    }
  }

  private List<Entry> entries(JsonNode root) {
    if (!root.isArray() || root.isEmpty()) {
      throw Main.usage(spec, "-d " + data + ": expected a non-empty JSON array of {\"method\": ..., "
          + "\"params\": ...} entries");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode node = root.get(i);
      String where = "-d " + data + ": entry " + i;
      if (!node.isObject() || !node.path("method").isTextual()) {
        throw Main.usage(spec, where + ": expected an object with a \"method\" string, got " + node);
      }
      boolean notify = node.path("notify").asBoolean(false);
      JsonNode params = node.path("params");
      List<JsonNode> positional = new ArrayList<>();
      Map<String, JsonNode> named = null;
      if (params.isArray()) {
        params.forEach(positional::add);
      } else if (params.isObject()) {
        if (notify) {
          // The client's Batch sends notifications with params by position only.
          throw Main.usage(spec, where + ": a notification in a batch takes params by position (an array)");
        }
        named = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : params.properties()) {
          named.put(field.getKey(), field.getValue());
        }
      } else if (!params.isMissingNode() && !params.isNull()) {
        throw Main.usage(spec, where + ": params are a JSON array or object, not " + params);
      }
      entries.add(new Entry(node.get("method").asText(), positional, named, notify));
    }
    return entries;
  }
}
