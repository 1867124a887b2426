package io.courier.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one call does, the same for every target: {@code add(a, b)} of two ints, or {@code echo(s)} of an ASCII
 * string of a given size; or {@code stream}, one subscription to an endless stream of ints (0, 1, 2, …) read
 * with demand-driven backpressure ({@link StreamMeter}), where a "call" is an item received. Immutable and
 * thread-safe.
 *
 * @param echoBytes the size of the echoed string, or -1 for {@code add}, -2 for {@code stream}
 */
record Workload(int echoBytes) {

  private static final Map<Integer, String> PAYLOADS = new ConcurrentHashMap<>();

  static final Workload ADD = new Workload(-1);
  /** One subscription to the server's {@code ticks}; measured in items per second. */
  static final Workload STREAM = new Workload(-2);

  Workload {
    if (echoBytes < -2) {
      throw new IllegalArgumentException("echoBytes: " + echoBytes
          + " (expected: >= 0, or -1 for add, -2 for stream)");
    }
  }

  static Workload echo(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
    }
    return new Workload(bytes);
  }

  boolean isAdd() {
    return echoBytes == -1;
  }

  boolean isStream() {
    return echoBytes == -2;
  }

  /** The wire method name: {@code add}, {@code echo} or {@code ticks}. */
  String method() {
    return isStream() ? "ticks" : isAdd() ? "add" : "echo";
  }

  /**
   * The string an echo call sends: printable ASCII letters, so that JSON escapes nothing and UTF-8 is one byte
   * per char. Made once per size and shared.
   */
  String payload() {
    if (echoBytes < 0) {
      throw new IllegalStateException(spec() + " has no payload");
    }
    return PAYLOADS.computeIfAbsent(echoBytes, Workload::letters);
  }

  private static String letters(int size) {
    char[] chars = new char[size];
    for (int i = 0; i < size; i++) {
      chars[i] = (char) ('a' + (i * 7 + i / 26) % 26);
    }
    return new String(chars);
  }

  /** The form used on command lines and in the CSV: {@code add}, {@code echo65536} or {@code stream}. */
  String spec() {
    return isStream() ? "stream" : isAdd() ? "add" : "echo" + echoBytes;
  }

  /** The form used in tables: {@code add}, {@code echo 64 KiB} or {@code stream of ints}. */
  String label() {
    return isStream() ? "stream of ints" : isAdd() ? "add" : "echo " + Format.bytes(echoBytes);
  }

  static Workload parse(String spec) {
    if (spec.equals("add")) {
      return ADD;
    }
    if (spec.equals("stream")) {
      return STREAM;
    }
    if (spec.startsWith("echo")) {
      try {
        return echo(Integer.parseInt(spec.substring(4)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("workload: " + spec + " (expected: add, stream or echoBYTES, e.g. echo1024)");
  }

  @Override
  public String toString() {
    return spec();
  }
}
