package io.courier.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code courier} command. Picocli parses the command line; each subcommand is a class of its own, and this
 * one only holds the streams they print to and turns what they return or throw into an exit status:
 * {@value #OK} for success, {@value #ERROR} for a failure or an error reply, {@value #USAGE} for a command line
 * that cannot be run as given, {@value #CONNECTION} when the server could not be reached or spoke no JSON-RPC,
 * {@value #TIMEOUT} when a call ran out of time.
 *
 * <pre>
 * courier call tcp://127.0.0.1:7070 add 2 3       call a method, print its result as JSON
 * courier serve-demo --port 7070                   serve the demo methods until stopped
 * </pre>
 */
@Command(name = "courier", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    synopsisHeading = "usage: ", synopsisSubcommandLabel = "<command>",
    description = "Calls JSON-RPC 2.0 servers from the shell, and runs Courier's demos.",
    commandListHeading = "%ncommands:%n",
    footer = {"", "Exit status: 0 success, 1 an error reply or failure, 2 bad usage, 3 connection failure "
        + "(unreachable, TLS, not JSON-RPC), 4 timed out.",
        "Run 'courier <command> --help' for a command's options."},
    subcommands = {CallCommand.class, NotifyCommand.class, BatchCommand.class, ListenCommand.class,
        DescribeCommand.ListCommand.class, DescribeCommand.Describe.class,
        DemoCommand.class, ServeDemoCommand.class, ClusterDemoCommand.class,
        AutoComplete.GenerateCompletion.class, HelpCommand.class})
public final class Main implements Callable<Integer> {

  static final int OK = 0;
  static final int ERROR = 1;
  static final int USAGE = 2;
  static final int CONNECTION = 3;
  static final int TIMEOUT = 4;

  /** Where commands print their output; the usage and help texts go through picocli's writers of the same. */
  final PrintStream out;
  final PrintStream err;

  private Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    quietLoggingForClientCommands(args);
    System.exit(run(args, System.out, System.err));
  }

  /**
   * The client commands print what went wrong themselves, once and without a stack trace; the library's own log
   * lines (a failed connection, a TLS alert) would only repeat it, so they are off unless asked for with
   * {@code COURIER_JAVA_OPTS=-Dorg.slf4j.simpleLogger.defaultLogLevel=debug}.
   */
  private static void quietLoggingForClientCommands(String[] args) {
    if (args.length > 0 && List.of("call", "notify", "batch", "listen").contains(args[0])
        && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
    }
  }

  /** Runs a command and returns its exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine commandLine = new CommandLine(new Main(out, err))
        // -d @file names a file of params, not picocli's file of arguments.
        .setExpandAtFiles(false)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .setParameterExceptionHandler(Main::usageError)
        .setExecutionExceptionHandler((e, cl, parsed) -> {
          // A command's failure: say what went wrong, without a stack trace.
          cl.getErr().println("courier: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return ERROR;
        });
    return commandLine.execute(args);
  }

  /** No command: the usage, on stderr since it is not what was asked for. */
  @Override
  public Integer call() {
    err.print(new CommandLine(this).getUsageMessage());
    return USAGE;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    boolean top = cl.getCommandSpec().parent() == null;
    if (top && e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()
        && !unmatched.getUnmatched().get(0).startsWith("-")) {
      err.println("courier: unknown command: " + unmatched.getUnmatched().get(0));
    } else {
      err.println("courier: " + (top ? "" : cl.getCommandName() + ": ") + e.getMessage());
    }
    UnmatchedArgumentException.printSuggestions(e, err);
    if (top) {
      err.print(cl.getUsageMessage());
    } else {
      // A subcommand's full help is long enough to push the message off screen: the synopsis and a pointer.
      CommandLine.Help help = cl.getHelp();
      err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeading().length()));
      err.println("Run 'courier " + cl.getCommandName() + " --help' for more.");
    }
    err.flush();
    return USAGE;
  }

  /** Thrown by a command to say its command line cannot be run as given: exit status {@value #USAGE}. */
  static ParameterException usage(CommandLine.Model.CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** The project's version, written into {@code version.properties} by Maven's resource filtering. */
  static final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"courier " + properties.getProperty("version", "(unknown version)")};
    }
  }
}
