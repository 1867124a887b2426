package io.courier.bench;

import java.util.Locale;

/**
 * One measured window of one cell against one target: successful calls, errors, the window's exact length and
 * latency percentiles of the successful calls. A load client prints each as a {@code SAMPLE} line, which the
 * launcher parses back. Immutable.
 *
 * @param target the target's id
 * @param cell the cell measured
 * @param repetition 1-based index of the window
 * @param calls calls that ended with the right result
 * @param errors calls that failed or returned a wrong result
 * @param nanos the window's length
 * @param p50 median latency, nanoseconds
 * @param p99 99th percentile, nanoseconds
 * @param p999 99.9th percentile, nanoseconds
 * @param max slowest call, nanoseconds
 */
record Sample(String target, Cell cell, int repetition, long calls, long errors, long nanos, long p50, long p99,
    long p999, long max) {

  static final String PREFIX = "SAMPLE ";

  double callsPerSecond() {
    return nanos == 0 ? 0 : calls * 1e9 / nanos;
  }

  String toLine() {
    return PREFIX + String.join(" ", target, cell.spec(), Integer.toString(repetition), Long.toString(calls),
        Long.toString(errors), Long.toString(nanos), Long.toString(p50), Long.toString(p99),
        Long.toString(p999), Long.toString(max));
  }

  static Sample parse(String line) {
    if (!line.startsWith(PREFIX)) {
      throw new IllegalArgumentException("sample: " + line + " (expected: a line starting with " + PREFIX + ")");
    }
    String[] f = line.substring(PREFIX.length()).trim().split(" ");
    if (f.length != 10) {
      throw new IllegalArgumentException("sample: " + line + " (expected: 10 fields, got " + f.length + ")");
    }
    return new Sample(f[0], Cell.parse(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
        Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
        Long.parseLong(f[9]));
  }

  /** A one-line summary for progress output. */
  String describe() {
    if (cell.workload().isStream()) {
      return String.format(Locale.ROOT, "%-13s %-16s rep %d: %12s items/s  errors %d", target, cell.spec(),
          repetition, Format.count(callsPerSecond()), errors);
    }
    return String.format(Locale.ROOT, "%-13s %-16s rep %d: %12s calls/s  p50 %9s  p99 %9s  errors %d", target,
        cell.spec(), repetition, Format.count(callsPerSecond()), Format.latency(p50), Format.latency(p99), errors);
  }
}
