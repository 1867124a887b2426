package io.courier.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The shell every target server's {@code main} runs in, so that the launcher drives them all alike. It reads
 * {@code --host H} (default 127.0.0.1) and {@code --port P} (default 0, an ephemeral port), starts the server,
 * prints {@code READY <port>} on stdout, then answers commands read from stdin, one a line: {@code stats}
 * prints a {@link ServerStats} line; {@code quit}, or the end of stdin (the launcher has gone), stops the
 * server and exits. Nothing else is printed on stdout; logs go to stderr.
 */
final class TargetServer {

  /** Starts one kind of server. */
  @FunctionalInterface
  interface Starter {
    /** Starts listening on {@code host}:{@code port} and returns the running server. */
    Running start(String host, int port) throws Exception;
  }

  /**
   * Removes a target's own option {@code name} and the value after it from {@code args}, before the rest go to
   * {@link #serve}, and returns the value, or {@code otherwise} when the option is absent.
   */
  static String takeOption(List<String> args, String name, String otherwise) {
    int i = args.indexOf(name);
    if (i < 0) {
      return otherwise;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    String value = args.get(i + 1);
    args.subList(i, i + 2).clear();
    return value;
  }

  /** A started server: the port it listens on and how to stop it. */
  record Running(int port, Stopper stopper) {}

  /** Stops a started server. */
  @FunctionalInterface
  interface Stopper {
    void stop() throws Exception;
  }

  private TargetServer() {}

  static void serve(String[] args, Starter starter) throws Exception {
    String host = "127.0.0.1";
    int port = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option: " + args[i]
            + " (expected: --host H, --port P)");
      }
    }
    Running server = starter.start(host, port);
    System.out.println("READY " + server.port());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String command = line.trim();
      if (command.equals("stats")) {
        System.out.println(ServerStats.probe().toLine());
        System.out.flush();
      } else if (command.equals("quit")) {
        break;
      } else if (!command.isEmpty()) {
        System.err.println("unknown command: " + command + " (expected: stats or quit)");
      }
    }
    try {
      server.stopper().stop();
    } finally {
      System.exit(0);
    }
  }
}
