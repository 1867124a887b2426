package io.courier.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code courier} command. Each subcommand is a class of its own; this one only picks it.
 *
 * <pre>
 * courier demo                              the tutorial's scenario: a server and a client in one process
 * courier serve-demo --port P [--host H] [--zk HOST:PORT --service NAME]
 *                                           serve the demo methods until stopped (SIGTERM stops gracefully)
 * courier cluster-demo                      three servers found through an in-process ZooKeeper, balanced
 * </pre>
 */
public final class Main {

  static final String USAGE = String.join("\n",
      "usage: courier <command> [options]",
      "",
      "commands:",
      "  demo                              play the tutorial's scenario: a server with test registered and a",
      "                                    client that calls test(\"测试项\", kw1=\"1\")",
      "  serve-demo --port P [--host H] [--zk HOST:PORT --service NAME]",
      "                                    serve the demo methods (default host 127.0.0.1) until stopped;",
      "                                    with --zk, registered in that ZooKeeper as NAME (default demo)",
      "  cluster-demo [--phase-seconds N]  an in-process ZooKeeper, three demo servers registered in it and a",
      "                                    client of zk://.../demo; one server stops and comes back",
      "  help                              print this help");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command and returns its exit status: 0 for success, 2 for a usage error, 1 for a failure. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println(USAGE);
      return 2;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      return switch (args[0]) {
        case "demo" -> DemoCommand.run(rest, out);
        case "serve-demo" -> ServeDemoCommand.fromArgs(rest).run(out);
        case "cluster-demo" -> ClusterDemoCommand.fromArgs(rest).run(out);
        case "help", "--help", "-h" -> {
          out.println(USAGE);
          yield 0;
        }
        default -> throw new UsageException("unknown command: " + args[0]);
      };
    } catch (UsageException e) {
      err.println("courier: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (Exception e) { // a command's failure: say what went wrong, without a stack trace
      err.println("courier: " + e.getMessage());
      return 1;
    }
  }

  /** A command line that cannot be run as given. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
