package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.protocol.Request;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;

/**
 * {@code courier notify TARGET METHOD [ARGS...]}: one notification, which the server never answers. It prints
 * nothing, and exits once the server has read it.
 */
@Command(name = "notify", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Send a notification; print nothing.",
    synopsisHeading = "usage: ", sortOptions = false,
    description = {"Sends METHOD as a notification (no reply) to the server at TARGET; prints nothing.",
        "It then calls $/ping on the same connection: its reply (a result, or \"method not found\" from a server "
            + "that is not Courier) shows that the server read the notification, so that exit status 0 means it "
            + "was delivered. A notification is never answered, so an error it caused (such as a refused token) "
            + "is not seen.",
        "",
        "  courier notify tcp://127.0.0.1:7070 notify_hello 7",
        ""},
    footer = {"", "Exit status: 0 delivered, 1 an error reply to $/ping, 2 bad usage, 3 connection failure, "
        + "4 timed out."})
final class NotifyCommand extends MethodCommand {

  /**
   * Called after the notification to learn that the server read it: a Courier server answers it (as a keepalive
   * ping), any other server answers "method not found"; either reply comes after the notification was read.
   */
  static final String CONFIRM_METHOD = Request.PING_METHOD;

  @Override
  public Integer call() throws InterruptedException {
    ParamsOptions.Params p = params.resolve(spec, args, System.in);
    return client.run(spec, target, main.err, rpc -> {
      if (p.named() == null) {
        rpc.notify(method, p.array());
      } else {
        rpc.notifyNamed(method, p.named());
      }
      return confirm(rpc, target, main);
    });
  }

  /**
   * Waits for the reply to {@link #CONFIRM_METHOD}, which arrives after the notifications sent before it were read:
   * a result or "method not found" means delivered.
   */
  static int confirm(RpcClient rpc, String target, Main main) throws InterruptedException {
    try {
      rpc.call(CONFIRM_METHOD, JsonNode.class).get();
      return Main.OK;
    } catch (ExecutionException e) {
      Throwable cause = Replies.unwrap(e);
      if (cause instanceof RpcException rpcError && rpcError.code() == RpcError.METHOD_NOT_FOUND.code()) {
        return Main.OK;
      }
      return Replies.failure(cause, target, main.err);
    }
  }
}
