package io.courier.examples.load;

import io.courier.client.RpcClient;
import io.courier.examples.demo.DemoServer;
import io.courier.server.RpcServer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * A simple closed-loop load of {@code add(a, b)} calls (or, with {@code --echo BYTES}, {@code echo} of a
 * string that long) on one connection, with a fixed number of calls in
 * flight: each completed call starts the next. It prints calls per second for each concurrency level. This is a
 * quick look, not the benchmark module: the server runs in the same JVM unless {@code --target} names one.
 *
 * <pre>
 * java -cp courier-cli/target/courier-cli.jar io.courier.examples.load.AddLoadLoop [--seconds 5]
 *     [--target tcp://host:port] [--inflight 1,16,128] [--echo BYTES] [--help] [--version]
 * </pre>
 */
public final class AddLoadLoop {

  private AddLoadLoop() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("AddLoadLoop: " + e.getMessage());
      System.err.print(Options.usage());
      System.exit(2);
      return;
    }
    if (options.help) {
      System.out.print(Options.usage());
      return;
    }
    if (options.version) {
      new CommandLine(new Options()).printVersionHelp(System.out);
      return;
    }
    int seconds = options.seconds;
    String target = options.target;
    int echoBytes = options.echoBytes;
    RpcServer server = null;
    if (target == null) {
      server = DemoServer.builder().host("127.0.0.1").port(0).build().start();
      target = "tcp://127.0.0.1:" + server.port();
    }
    try (RpcClient client = RpcClient.builder().target(target).build()) {
      String payload = echoBytes > 0 ? "x".repeat(echoBytes) : null;
      run(client, 16, 2, payload); // JIT warm-up, not reported
      System.out.println("in_flight,calls,seconds,calls_per_second,errors");
      for (int level : options.inFlight) {
        Result r = run(client, level, seconds, payload);
        System.out.printf("%d,%d,%.2f,%.0f,%d%n", level, r.calls, r.seconds, r.calls / r.seconds, r.errors);
      }
    } finally {
      if (server != null) {
        server.stop(Duration.ofSeconds(1));
      }
    }
  }

  private record Result(long calls, double seconds, long errors) {}

  /** The command line, parsed by picocli. Not thread-safe; made once per run. */
  @Command(name = "java -cp courier-cli/target/courier-cli.jar io.courier.examples.load.AddLoadLoop",
      mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false, usageHelpWidth = 100,
      synopsisHeading = "usage: ",
      description = {"", "A closed loop of add(a, b) calls (or echo of a string, with --echo) on one connection, "
          + "a fixed number in flight: prints calls per second at each level, as CSV. A quick look, not the "
          + "benchmark module: the server runs in this JVM unless --target names one.", ""},
      optionListHeading = "Options:%n",
      footer = {"", "Exit status: 0 done, 2 bad usage."})
  static final class Options {
    boolean help;
    boolean version;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "5",
        description = "The measured window at each level, in seconds (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--target", paramLabel = "URI",
        description = "The server to call, tcp://HOST:PORT or any other target (default: the demo server, "
            + "started in this JVM on 127.0.0.1)")
    String target;

    @Option(names = "--inflight", paramLabel = "N", split = ",", defaultValue = "1,16,128",
        description = "The calls in flight, one level after the other (default ${DEFAULT-VALUE})")
    List<Integer> inFlight;

    @Option(names = "--echo", paramLabel = "BYTES", defaultValue = "0",
        description = "Call echo with a string of this many characters instead of add (default: add)")
    int echoBytes;

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException for a command line that cannot be run as given, with what is wrong
     */
    static Options parse(String[] args) {
      Options o = new Options();
      CommandLine commandLine = new CommandLine(o)
          // As the hand-written parser had it: an option given twice takes its last value.
          .setOverwrittenOptionsAllowed(true);
      try {
        commandLine.parseArgs(args);
      } catch (ParameterException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      o.help = commandLine.isUsageHelpRequested();
      o.version = commandLine.isVersionHelpRequested();
      if (o.help || o.version) {
        return o;
      }
      if (o.seconds < 1) {
        throw new IllegalArgumentException("--seconds: " + o.seconds + " (expected: >= 1)");
      }
      for (int level : o.inFlight) {
        if (level < 1) {
          throw new IllegalArgumentException("--inflight: " + level + " (expected: >= 1)");
        }
      }
      if (o.echoBytes < 0) {
        throw new IllegalArgumentException("--echo: " + o.echoBytes + " (expected: >= 0)");
      }
      if (o.target != null) {
        try {
          // Only read here, not connected to: a target that cannot be read is bad usage, not a failed run.
          RpcClient.builder().target(o.target);
        } catch (IllegalArgumentException e) {
          String message = e.getMessage();
          throw new IllegalArgumentException(message.startsWith("target: ") ? "--" + message
              : "--target " + o.target + ": " + message, e);
        }
      }
      return o;
    }

    /** The help, as {@code --help} prints it. */
    static String usage() {
      return new CommandLine(new Options()).getUsageMessage();
    }
  }

  /** The build's version, written into {@code version.properties} by Maven's resource filtering. */
  static final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = AddLoadLoop.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"courier-examples " + properties.getProperty("version", "(unknown version)")};
    }
  }

  private static Result run(RpcClient client, int inFlight, int seconds, String payload)
      throws InterruptedException {
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(inFlight);
    for (int i = 0; i < inFlight; i++) {
      next(client, i, end, calls, errors, done, payload);
    }
    done.await();
    return new Result(calls.get(), (System.nanoTime() - start) / 1e9, errors.get());
  }

  /** Starts one call; its completion starts the next until the window ends. */
  private static void next(RpcClient client, long a, long end, AtomicLong calls, AtomicLong errors,
      CountDownLatch done, String payload) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    CompletableFuture<?> f = payload == null
        ? client.call("add", Long.class, a, 1).thenApply(sum -> sum == a + 1 ? sum : null)
        : client.call("echo", String.class, payload).thenApply(s -> payload.equals(s) ? s : null);
    f.whenComplete((result, failure) -> {
      if (failure != null || result == null) {
        errors.incrementAndGet();
      }
      calls.incrementAndGet();
      next(client, a, end, calls, errors, done, payload);
    });
  }
}
