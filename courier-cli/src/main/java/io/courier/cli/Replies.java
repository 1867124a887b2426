package io.courier.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.courier.CallTimeoutException;
import io.courier.ConnectionException;
import io.courier.Endpoint;
import io.courier.RpcError;
import io.courier.RpcException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How the client commands print results and failures: results as JSON on stdout, failures on stderr with the
 * exit status that tells them apart. Each command holds one (a picocli mixin, for {@code --pretty} and
 * {@code --compact}). Not thread-safe; used once per run.
 */
final class Replies {

  private static final Pattern EXCEPTION_NAME =
      Pattern.compile("(?:[A-Za-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ");

  @Option(names = "--pretty", description = "Indent the JSON printed (default when stdout is a terminal).")
  boolean pretty;

  @Option(names = "--compact", description = "Print the JSON on one line (default when stdout is not a terminal).")
  boolean compact;

  /** Whether to indent: as asked, else when a person is likely reading (stdout is a terminal). */
  boolean indent(CommandSpec spec) {
    if (pretty && compact) {
      throw Main.usage(spec, "--pretty and --compact exclude each other");
    }
    return pretty || (!compact && System.console() != null);
  }

  static String json(JsonNode value, boolean indent) {
    try {
      return indent
          ? ParamsOptions.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value)
          : ParamsOptions.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A JSON tree that cannot be written: " + e.getMessage(), e);
    }
  }

  /** {@code error CODE: MESSAGE}, and the data on a line of its own when there is any. */
  static String error(RpcError error) {
    return "error " + error.code() + ": " + error.message()
        + (error.data() == null || error.data().isNull() ? "" : "\ndata: " + json(error.data(), false));
  }

  /** Prints what went wrong with a call to {@code target} and returns the exit status that says which kind. */
  static int failure(Throwable thrown, String target, PrintStream err) {
    Throwable t = unwrap(thrown);
    if (t instanceof CallTimeoutException timeout) {
      String garbage = notJsonRpc(target);
      if (garbage != null) {
        err.println("courier: " + target + ": the server does not speak JSON-RPC: to a request it answered "
            + garbage);
        return Main.CONNECTION;
      }
      err.println("courier: timed out: " + timeout.error().message() + " (--timeout sets the limit)");
      return Main.TIMEOUT;
    }
    if (t instanceof ConnectionException connection) {
      // Lost after the call was written: perhaps a server of another protocol that closes on what it cannot read.
      String garbage = connection.wasSent() ? notJsonRpc(target) : null;
      err.println("courier: " + target + ": " + (garbage != null
          ? "the server does not speak JSON-RPC: to a request it answered " + garbage
          : connectionProblem(connection)));
      return Main.CONNECTION;
    }
    if (t instanceof ClientOptions.ConnectFailure connect) {
      err.println("courier: " + connect.getMessage());
      return Main.CONNECTION;
    }
    if (t instanceof RpcException rpc) {
      err.println(error(rpc.error()));
      return Main.ERROR;
    }
    err.println("courier: " + (t.getMessage() != null ? t.getMessage() : t.toString()));
    return Main.ERROR;
  }

  /**
   * After a timeout on a raw TCP target, looks at what the server sends back to a {@code $/ping}: the client drops
   * bytes that are not JSON-RPC (as a peer must), so a server of another protocol only shows as a timeout. Returns
   * the start of what it answered, quoted, when that cannot be JSON-RPC; else null.
   */
  private static String notJsonRpc(String target) {
    String address = target.regionMatches(true, 0, "tcp://", 0, 6) ? target.substring(6) : target;
    if (address.contains("://") || address.contains(",") || address.contains("/")) {
      return null;
    }
    try (Socket socket = new Socket()) {
      Endpoint server = Endpoint.parse(address);
      socket.connect(new InetSocketAddress(server.host(), server.port()), 2000);
      socket.setSoTimeout(2000);
      socket.getOutputStream().write("{\"jsonrpc\": \"2.0\", \"method\": \"$/ping\", \"id\": \"courier-probe\"}\n"
          .getBytes(StandardCharsets.UTF_8));
      byte[] buffer = new byte[200];
      int n = socket.getInputStream().read(buffer);
      if (n <= 0) {
        return null;
      }
      String answer = new String(buffer, 0, n, StandardCharsets.UTF_8).strip();
      boolean json = answer.startsWith("{") || answer.startsWith("[")
          || answer.regionMatches(true, 0, "Content-Length", 0, 14);
      return json || answer.isEmpty() ? null : ParamsOptions.JSON.getNodeFactory().textNode(answer).toString();
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Says in words what a connection failure was: the error's message, the root cause, and a hint for TLS. */
  private static String connectionProblem(ConnectionException e) {
    StringBuilder text = new StringBuilder(e.error().message());
    Throwable root = e;
    boolean tls = false;
    for (Throwable c = e.getCause(); c != null && c != root; c = c.getCause()) {
      root = c;
      tls |= c instanceof SSLException;
    }
    if (root != e && root.getMessage() != null && !text.toString().contains(root.getMessage())) {
      text.append(" (").append(root.getMessage()).append(")");
    }
    // Class names ("...NativeIoException: ") say nothing to a shell user; the words after them do.
    String words = EXCEPTION_NAME.matcher(text).replaceAll("");
    text.setLength(0);
    text.append(words);
    String lower = words.toLowerCase(Locale.ROOT);
    if (tls || lower.contains("certificate") || lower.contains("pkix") || lower.contains("handshake")) {
      text.append("; TLS failed: trust the server's CA with --cacert FILE (or, in development only, --insecure)");
    }
    return text.toString();
  }
}
