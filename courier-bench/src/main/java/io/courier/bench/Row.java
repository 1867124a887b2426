package io.courier.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One line of the results table: a target and a cell, with the median of its measured windows and their spread.
 * A row whose load did not run carries the reason instead. Immutable.
 *
 * @param target the target measured
 * @param cell the cell measured
 * @param samples one per measured window
 * @param failure why no samples were taken, or null
 */
record Row(Target target, Cell cell, List<Sample> samples, String failure) {

  Row {
    samples = List.copyOf(samples);
  }

  static Row failed(Target target, Cell cell, String failure) {
    return new Row(target, cell, List.of(), failure);
  }

  boolean measured() {
    return failure == null && !samples.isEmpty();
  }

  double callsPerSecond() {
    return median(Sample::callsPerSecond);
  }

  double minCallsPerSecond() {
    return samples.stream().mapToDouble(Sample::callsPerSecond).min().orElse(0);
  }

  double maxCallsPerSecond() {
    return samples.stream().mapToDouble(Sample::callsPerSecond).max().orElse(0);
  }

  double p50() {
    return median(Sample::p50);
  }

  double p99() {
    return median(Sample::p99);
  }

  double p999() {
    return median(Sample::p999);
  }

  long calls() {
    return samples.stream().mapToLong(Sample::calls).sum();
  }

  long errors() {
    return samples.stream().mapToLong(Sample::errors).sum();
  }

  private double median(ToDoubleFunction<Sample> figure) {
    return median(samples.stream().mapToDouble(figure).toArray());
  }

  /** The middle value, or the mean of the two middle values; 0 for none. */
  static double median(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
