package io.courier.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A target server running in its own JVM (see {@link TargetServer}): started, waited for until it prints
 * {@code READY <port>}, asked for {@link ServerStats}, and stopped, or killed. Not thread-safe.
 */
final class ServerProcess implements AutoCloseable {

  private static final long READY_TIMEOUT_MILLIS = 60_000;
  private static final long STATS_TIMEOUT_MILLIS = 60_000;

  private final Jvm jvm;
  private final int port;

  private ServerProcess(Jvm jvm, int port) {
    this.jvm = jvm;
    this.port = port;
  }

  /** @param extraArgs more arguments for the server's {@code main}, such as {@code --tls DIR} */
  static ServerProcess start(Target target, List<String> extraArgs, String classPath, List<String> jvmFlags,
      Path log) throws IOException, InterruptedException, TimeoutException {
    List<String> args = new java.util.ArrayList<>(target.serverArgs());
    args.addAll(extraArgs);
    args.addAll(List.of("--host", "127.0.0.1", "--port", "0"));
    Jvm jvm = Jvm.start(target.id() + " server", classPath, jvmFlags, target.serverMain(), args, log);
    try {
      String ready = jvm.awaitLine("READY ", READY_TIMEOUT_MILLIS);
      return new ServerProcess(jvm, Integer.parseInt(ready.substring("READY ".length()).trim()));
    } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
      jvm.close();
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** Asks the server for its heap after a full collection, its threads and its file descriptors. */
  ServerStats stats() throws IOException, InterruptedException, TimeoutException {
    jvm.send("stats");
    return ServerStats.parse(jvm.awaitLine(ServerStats.PREFIX, STATS_TIMEOUT_MILLIS));
  }

  /** Kills the server without warning; see {@link Jvm#kill()}. {@link #close()} then only reaps it. */
  void kill() {
    jvm.kill();
  }

  /** Asks the server to quit, and makes sure it has. */
  @Override
  public void close() {
    try {
      jvm.send("quit");
    } catch (IOException e) {
      // it has gone already
    }
    jvm.close();
  }
}
