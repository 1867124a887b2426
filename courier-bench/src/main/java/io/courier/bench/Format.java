package io.courier.bench;

import java.util.Locale;

/** Number formats shared by the progress lines and the report. Stateless. */
final class Format {

  private Format() {}

  /** {@code 1 KiB}, {@code 64 KiB}, {@code 1 MiB}, or bytes below 1 KiB. */
  static String bytes(long bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " B";
  }

  /** A latency in nanoseconds, in the unit that keeps it readable: {@code 87 µs}, {@code 1.23 ms}. */
  static String latency(double nanos) {
    if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%.0f µs", nanos / 1_000);
    }
    if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.2f ms", nanos / 1_000_000);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1_000_000_000);
  }

  /** A count with thousands separators: {@code 123,456}. */
  static String count(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  /** A ratio: {@code 1.23×}. */
  static String ratio(double value) {
    return String.format(Locale.ROOT, "%.2f×", value);
  }
}
