package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Per-case latencies of one test. On the 2-core CI machine with the paranoid leak detector a single case can
 * catch a GC pause or a JIT compilation, so "each case within B" is asserted as: the 95th percentile within B,
 * and no case beyond {@link #OUTLIER_FACTOR} times B.
 */
final class Latencies {

  static final int OUTLIER_FACTOR = 6;

  private final List<Long> ms = new ArrayList<>();

  void add(long millis) {
    ms.add(millis);
  }

  long percentile(double p) {
    List<Long> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  long max() {
    return ms.stream().mapToLong(Long::longValue).max().orElse(0);
  }

  int count() {
    return ms.size();
  }

  String summary() {
    return String.format("n=%d p50=%d p95=%d p99=%d max=%d ms", ms.size(), percentile(50), percentile(95),
        percentile(99), max());
  }

  void assertWithin(long boundMs, String what) {
    assertThat(percentile(95)).as("%s p95 <= %d ms (%s)", what, boundMs, summary()).isLessThanOrEqualTo(boundMs);
    assertThat(max()).as("%s max <= %d ms (%s)", what, OUTLIER_FACTOR * boundMs, summary())
        .isLessThanOrEqualTo(OUTLIER_FACTOR * boundMs);
  }
}
