package io.courier.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link SmallHeapAttackIT} needs besides its attacks: the demo server in a small JVM of its own, the
 * {@code add} probe on a raw socket, and attack connections whose count, lifetime and failures are tracked.
 */
final class AttackHarness {

  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  static final ObjectMapper JSON = new ObjectMapper();

  /** How long a fresh client may wait for {@code add}, during an attack and after it. */
  static final Duration PROBE_LIMIT = Duration.ofSeconds(1);

  private AttackHarness() {}

  /** {@code courier serve-demo --port 0} in a JVM with a 256 MiB heap and 256 MiB of direct memory. */
  static final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on ([^\\s:]+):(\\d+)");

    final Process process;
    final Path log;
    final int port;

    private ServerProcess(Process process, Path log, int port) {
      this.process = process;
      this.log = log;
      this.port = port;
    }

    static ServerProcess start(String name) throws Exception {
      Path dir = Paths.get("target", "attack-logs");
      Files.createDirectories(dir);
      Path log = dir.resolve(name + ".log");
      List<String> command = new ArrayList<>(List.of(
          Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m",
          "-XX:MaxDirectMemorySize=256m",
          // The attacks are about memory the server means to hold; the leak detector's records would add to it.
          "-Dio.netty.leakDetection.level=disabled",
          "-cp", classPath(),
          Main.class.getName(), "serve-demo", "--port", "0"));
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      process.getOutputStream().close();
      ServerProcess server = null;
      try {
        server = new ServerProcess(process, log, awaitPort(process, log, Duration.ofSeconds(30)));
        return server;
      } finally {
        if (server == null) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }

    /**
     * Failsafe may start the test JVM on a manifest-only jar, so {@code java.class.path} alone may not name the
     * classes; surefire's own property lists the test class path in full when it is set.
     */
    private static String classPath() {
      String full = System.getProperty("surefire.test.class.path");
      String cp = full != null && !full.isBlank() ? full : System.getProperty("java.class.path");
      String modules = System.getProperty("jdk.module.path");
      if (modules != null && !modules.isBlank()) {
        cp = cp + File.pathSeparator + modules;
      }
      return cp;
    }

    private static int awaitPort(Process process, Path log, Duration limit) throws Exception {
      long deadline = System.nanoTime() + limit.toNanos();
      while (System.nanoTime() < deadline) {
        String out = Files.readString(log, UTF_8);
        Matcher m = LISTENING.matcher(out);
        if (m.find()) {
          return Integer.parseInt(m.group(2));
        }
        if (!process.isAlive()) {
          throw new AssertionError("serve-demo exited with " + process.exitValue() + " before listening: " + out);
        }
        Thread.sleep(20);
      }
      throw new AssertionError("serve-demo printed no address within " + limit + ": "
          + Files.readString(log, UTF_8));
    }

    /** The end of the server's output, for a failure message. */
    String logTail() {
      try {
        String all = Files.readString(log, UTF_8);
        return all.length() <= 3000 ? all : "..." + all.substring(all.length() - 3000);
      } catch (IOException e) {
        return "(log unreadable: " + e + ")";
      }
    }

    @Override
    public void close() {
      // No graceful stop: a server the attack has wedged could take its whole shutdown grace.
      process.destroyForcibly();
      boolean ended;
      try {
        ended = process.waitFor(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for the killed server process to end", e);
      }
      if (!ended) {
        throw new AssertionError("the server process did not end within 15 s of SIGKILL");
      }
    }
  }

  /**
   * Calls {@code add(1, 2)} on a fresh raw connection, one newline-delimited JSON-RPC message, so that no client
   * library's connection reuse, retries or timeouts stand between the server and the verdict.
   */
  static final class Prober {

    /**
     * With {@code -Dcourier.attack.allProbes=true} a failed probe does not end the test at once: every probe
     * runs and is printed, and the test fails at {@link #assertAllAnswered}, which shows whether and when the
     * server recovered. By default the first failure ends the test, which keeps a failing run short.
     */
    static final boolean ALL_PROBES = Boolean.getBoolean("courier.attack.allProbes");

    private final ServerProcess server;
    private final AtomicInteger ids = new AtomicInteger();
    private final List<String> failures = new ArrayList<>();
    private long attackStart = System.nanoTime();
    private long slowestNanos;
    private int count;
    private int answered;

    Prober(ServerProcess server) {
      this.server = server;
    }

    void attackStarts() {
      attackStart = System.nanoTime();
    }

    /**
     * Calls {@code add} until one call is answered within the probe's limit, for up to {@code limit}. A freshly
     * started JVM can take longer than that over its first calls (class loading, a cold JIT, a machine busy
     * with other builds), which says nothing about an attack.
     */
    void warmUp(Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      String failure;
      do {
        failure = attempt(ids.incrementAndGet(), System.nanoTime());
        if (failure == null) {
          return;
        }
        Thread.sleep(100);
      } while (System.nanoTime() < deadline);
      throw new AssertionError("before any attack, add was not once answered within " + PROBE_LIMIT.toMillis()
          + " ms in " + limit + "; the last try: " + failure + String.format("%nserver output (%s):%n%s",
          server.log, server.logTail()));
    }

    /** One probe; an AssertionError (unless {@link #ALL_PROBES}) if {@code add} is not answered with 3 in time. */
    void once(String phase) {
      int id = ids.incrementAndGet();
      long start = System.nanoTime();
      String failure = attempt(id, start);
      long took = System.nanoTime() - start;
      count++;
      report(id, phase, start, took, failure);
    }

    /** Why {@code add} was not answered with 3 within the limit from {@code start}, or null if it was. */
    private String attempt(int id, long start) {
      long deadline = start + PROBE_LIMIT.toNanos();
      String failure;
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(LOOPBACK, server.port), (int) PROBE_LIMIT.toMillis());
        socket.setSoTimeout(Math.max(1, remainingMillis(deadline))); // 0 would mean no timeout at all
        socket.getOutputStream().write(("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":" + id
            + "}\n").getBytes(UTF_8));
        socket.getOutputStream().flush();
        LineReader in = new LineReader(socket, 64 * 1024);
        String line = in.readLine(deadline);
        long late = System.nanoTime() - deadline;
        if (line != null && late > 0) {
          // A reply already buffered is still returned; only the clock says whether it came in time.
          failure = "answered " + TimeUnit.NANOSECONDS.toMillis(late) + " ms too late";
        } else if (line == null) {
          failure = "no reply within " + PROBE_LIMIT.toMillis() + " ms";
        } else {
          JsonNode reply = JSON.readTree(line);
          failure = reply.path("result").isNumber() && reply.path("result").asLong() == 3
              && reply.path("id").asInt() == id ? null : "a wrong reply: " + line;
        }
      } catch (IOException e) {
        failure = e.toString();
      }
      return failure;
    }

    private void report(int id, String phase, long start, long took, String failure) {
      String outcome = String.format(Locale.ROOT, "probe %d (%s, %.1f s after the attack started) %s after %d ms%s",
          id, phase, (start - attackStart) / 1e9, failure == null ? "answered" : "failed", took / 1_000_000,
          failure == null ? "" : ": " + failure + "; server alive: " + server.process.isAlive());
      if (ALL_PROBES) {
        System.out.println(outcome);
      }
      if (failure == null) {
        answered++;
        slowestNanos = Math.max(slowestNanos, took);
        return;
      }
      failures.add(outcome);
      if (!ALL_PROBES) {
        assertAllAnswered();
      }
    }

    void assertAllAnswered() {
      if (!failures.isEmpty()) {
        throw new AssertionError(failures.size() + " of " + count + " probes failed: "
            + String.join("; ", failures.subList(0, Math.min(5, failures.size())))
            + (failures.size() > 5 ? "; ..." : "") + String.format("%nserver output (%s):%n%s", server.log,
            server.logTail()));
      }
    }

    /**
     * Probes every {@code period} until {@code done} says so or {@code window} has passed since the first probe;
     * returns whether {@code done} ended it.
     */
    boolean every(Duration period, Duration window, String phase, BooleanSupplier done)
        throws InterruptedException {
      long end = System.nanoTime() + window.toNanos();
      for (long next = System.nanoTime(); ; next += period.toNanos()) {
        once(phase);
        if (done.getAsBoolean()) {
          return true;
        }
        if (System.nanoTime() >= end) {
          return false;
        }
        long wait = next + period.toNanos() - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
    }

    String summary() {
      return answered + " of " + count + " probes answered, the slowest in " + slowestNanos / 1_000_000 + " ms";
    }
  }

  /** Reads newline-ended lines with an absolute deadline, keeping a partial line across a timeout. */
  static final class LineReader {
    private final Socket socket;
    private final InputStream in;
    private final int maxLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[8192];
    private int start;
    private int end;

    LineReader(Socket socket, int maxLine) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.maxLine = maxLine;
    }

    /**
     * The next line without its newline, or null if none ended by {@code deadline}; an IOException if the
     * connection ended first or the line grew past {@code maxLine} bytes (which a test must not hold whole).
     */
    String readLine(long deadlineNanos) throws IOException {
      for (;;) {
        for (int i = start; i < end; i++) {
          if (buffer[i] == '\n') {
            line.write(buffer, start, i - start);
            start = i + 1;
            String text = line.toString(UTF_8);
            line.reset();
            return text;
          }
        }
        line.write(buffer, start, end - start);
        start = end = 0;
        if (line.size() > maxLine) {
          throw new LineTooLongException("a line of more than " + maxLine + " bytes, starting "
              + line.toString(UTF_8).substring(0, 200));
        }
        int wait = remainingMillis(deadlineNanos);
        if (wait <= 0) {
          return null;
        }
        socket.setSoTimeout(wait);
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException e) {
          return null;
        }
        if (n < 0) {
          throw new IOException("connection closed by the server" + (line.size() > 0 ? " mid-line" : ""));
        }
        end = n;
      }
    }
  }

  static final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(String message) {
      super(message);
    }
  }

  /** Work an attack connection does; an IOException from it is counted, never thrown at the test. */
  @FunctionalInterface
  interface AttackTask {
    void run(int index) throws IOException, InterruptedException;
  }

  /**
   * The attack's connections and threads. The server may close attack connections (that is a defence, not a
   * test failure), so a failed write is counted and the test goes on probing.
   */
  static final class Attack implements AutoCloseable {
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile boolean closed;

    /** Opens an attack connection, which {@link #close} closes. */
    Socket open(int port) throws IOException {
      Socket socket = new Socket();
      synchronized (sockets) {
        if (closed) {
          throw new IOException("the attack is over");
        }
        sockets.add(socket);
      }
      socket.connect(new InetSocketAddress(LOOPBACK, port), 5_000);
      return socket;
    }

    void write(Socket socket, byte[] bytes, int offset, int length) throws IOException {
      socket.getOutputStream().write(bytes, offset, length);
      bytesWritten.addAndGet(length);
    }

    /** Runs {@code tasks} tasks on {@code threadCount} daemon threads, each task given its index. */
    void start(String name, int threadCount, int tasks, AttackTask task) {
      AtomicInteger next = new AtomicInteger();
      int started = threadCount;
      for (int t = 0; t < started; t++) {
        Thread thread = new Thread(() -> {
          for (int i = next.getAndIncrement(); i < tasks && !closed; i = next.getAndIncrement()) {
            try {
              task.run(i);
            } catch (IOException e) {
              failures.incrementAndGet();
              firstFailure.compareAndSet(null, name + " " + i + ": " + e);
            } catch (InterruptedException e) {
              return;
            } finally {
              finished.incrementAndGet();
            }
          }
        }, name + "-" + t);
        thread.setDaemon(true);
        synchronized (threads) {
          threads.add(thread);
        }
        thread.start();
      }
    }

    /** Whether every thread started so far has run out of tasks. */
    boolean done() {
      synchronized (threads) {
        return threads.stream().noneMatch(Thread::isAlive);
      }
    }

    boolean isClosed() {
      return closed;
    }

    /** How many attack connections the server has closed (seen as a read of end-of-stream, without blocking). */
    int connectionsClosedByServer() {
      int count = 0;
      List<Socket> copy;
      synchronized (sockets) {
        copy = new ArrayList<>(sockets);
      }
      for (Socket s : copy) {
        try {
          if (s.isConnected() && !s.isClosed() && s.getInputStream().available() == 0) {
            s.setSoTimeout(1);
            try {
              if (s.getInputStream().read() < 0) {
                count++;
              }
            } catch (SocketTimeoutException e) {
              // still open
            }
          }
        } catch (IOException e) {
          count++; // a reset
        }
      }
      return count;
    }

    String summary() {
      return String.format(Locale.ROOT, "%d connections, %d MiB written, %d tasks finished, %d failed%s",
          sockets.size(), bytesWritten.get() >> 20, finished.get(), failures.get(),
          firstFailure.get() == null ? "" : " (first: " + firstFailure.get() + ")");
    }

    @Override
    public void close() {
      List<Socket> toClose;
      synchronized (sockets) {
        closed = true;
        toClose = new ArrayList<>(sockets);
      }
      for (Socket s : toClose) {
        try {
          s.close(); // also ends a write the server's back-pressure holds
        } catch (IOException e) {
          // nothing left to do for it
        }
      }
      List<Thread> toJoin;
      synchronized (threads) {
        toJoin = new ArrayList<>(threads);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      try {
        for (Thread t : toJoin) {
          t.interrupt();
          t.join(Math.max(1, remainingMillis(deadline)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the attack's threads were all told to stop; the test ends anyway
      }
    }
  }

  static int remainingMillis(long deadlineNanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ms));
  }
}
