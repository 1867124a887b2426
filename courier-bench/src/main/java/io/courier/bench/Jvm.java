package io.courier.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM started from the bench's own class path, whose stdout is read as protocol lines and whose stderr
 * goes to a log file. Every target server and load client is one. Lines are read on a thread of their own, so
 * the child never blocks on a full pipe. Thread-safe for one reader and one writer.
 */
final class Jvm implements AutoCloseable {

  /** What {@link #nextLine} returns once the child's stdout has ended. */
  static final String END = "\u0000end";

  private final String name;
  private final Process process;
  private final Path log;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private Jvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readLines, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code java <jvmFlags> -cp <classPath> <main> <args>}, its stderr written to {@code log}.
   *
   * @param name what progress messages call it
   */
  static Jvm start(String name, String classPath, List<String> jvmFlags, Class<?> main, List<String> args,
      Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(classPath);
    command.add(main.getName());
    command.addAll(args);
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
        .start();
    return new Jvm(name, process, log);
  }

  private void readLines() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // the child is gone
    } finally {
      lines.add(END);
    }
  }

  /** The next stdout line, {@link #END} when stdout has ended, or null after {@code timeoutMillis}. */
  String nextLine(long timeoutMillis) throws InterruptedException {
    return lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Waits for the first line that starts with {@code prefix}, skipping others.
   *
   * @throws IOException when the child ends first
   * @throws TimeoutException when it does not come within {@code timeoutMillis}
   */
  String awaitLine(String prefix, long timeoutMillis) throws IOException, InterruptedException, TimeoutException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      String line = nextLine(Math.max(1, deadline - System.currentTimeMillis()));
      if (line == null) {
        throw new TimeoutException(name + " printed no '" + prefix.trim() + "' line within " + timeoutMillis
            + " ms; see " + log);
      }
      if (line.equals(END)) {
        throw new IOException(name + " ended before printing '" + prefix.trim() + "'; see " + log);
      }
      if (line.startsWith(prefix)) {
        return line;
      }
      if (line.startsWith("FAILED")) {
        throw new IOException(name + ": " + line + "; see " + log);
      }
    }
  }

  /** Writes one line to the child's stdin. */
  void send(String line) throws IOException {
    stdin.write(line);
    stdin.write('\n');
    stdin.flush();
  }

  boolean waitFor(long timeoutMillis) throws InterruptedException {
    return process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  int exitValue() {
    return process.exitValue();
  }

  Path log() {
    return log;
  }

  /**
   * Kills the child at once ({@link Process#destroyForcibly()}: SIGKILL on Linux), as a crash would: it gets no
   * chance to close its connections or say goodbye. Returns without waiting for it to be gone.
   */
  void kill() {
    process.destroyForcibly();
  }

  /** Closes stdin (a target server then stops by itself), waits briefly, then kills what is left. */
  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
