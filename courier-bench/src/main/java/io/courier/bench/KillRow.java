package io.courier.bench;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One line of the kill-to-avoid table: the trials of one target of several servers, calling {@code add} one way
 * ({@link Failover.Variant}), each killing one of its servers under load. A row whose trials did not run carries
 * the reason instead. Immutable.
 *
 * @param target the target measured, one of several servers
 * @param variant how {@code add} was declared to the client
 * @param trials one per kill
 * @param failure why not every trial ran, or null
 */
record KillRow(Target target, Failover.Variant variant, List<Failover.Trial> trials, String failure) {

  KillRow {
    trials = List.copyOf(trials);
  }

  boolean measured() {
    return failure == null && !trials.isEmpty();
  }

  double median(ToDoubleFunction<Failover.Trial> figure) {
    return Row.median(trials.stream().mapToDouble(figure).toArray());
  }

  double max(ToDoubleFunction<Failover.Trial> figure) {
    return trials.stream().mapToDouble(figure).max().orElse(0);
  }

  /** Failed calls over all trials. */
  int failed() {
    return trials.stream().mapToInt(Failover.Trial::failed).sum();
  }

  /** Failed calls over all trials that may have run on the killed server. */
  int failedSent() {
    return trials.stream().mapToInt(Failover.Trial::failedSent).sum();
  }

  /** Whether a trial had no call started after the kill answered. */
  boolean anyUnanswered() {
    return trials.stream().anyMatch(t -> t.firstAnswer() < 0);
  }
}
