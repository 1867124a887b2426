package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --observability} mode's options, targets and page section; nothing here starts a process. */
class ObservabilityOptionsTest {

  @Test
  void observabilityModeComparesMetricsAndTracingOnWithOffTakingTurns() {
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--observability", "--no-markdown"});
    assertThat(o.plan.isObservability()).isTrue();
    assertThat(o.plan.alternates()).isTrue();
    assertThat(o.plan.cells()).containsExactly(Cell.of(Workload.ADD, 16), Cell.of(Workload.ADD, 128));
    assertThat(o.plan.repetitions()).isEqualTo(Plan.cluster().repetitions());
    assertThat(o.targets).containsExactly(Target.COURIER, Target.COURIER_OBSERVED, Target.COURIER_OBSERVED_SAMPLED);
    assertThat(o.csv.getFileName()).isEqualTo(Path.of("bench-observability.csv"));
    assertThat(Target.COURIER_OBSERVED.serverArgs()).containsExactly("--observe");
    assertThat(Target.COURIER_OBSERVED.hasScaleRows()).isFalse();
    assertThat(Target.COURIER_OBSERVED.courierScheme()).isEqualTo("tcp");
  }

  @Test
  void aBaselineJarAddsTheBaselineServer(@TempDir Path dir) throws Exception {
    Path jar = Files.writeString(dir.resolve("old.jar"), "not read here");
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--observability", "--no-markdown",
        "--baseline-jar", jar.toString()});
    assertThat(o.targets).containsExactly(Target.COURIER, Target.COURIER_OBSERVED, Target.COURIER_OBSERVED_SAMPLED,
        Target.COURIER_BASELINE);
  }

  @Test
  void itsSectionIsWrittenAndTheOtherSectionsAreKept() {
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--observability", "--no-markdown"});
    Report report = new Report(o.plan, Machine.probe(), "bench --observability",
        java.time.ZonedDateTime.parse("2026-12-06T12:00:00Z"));
    String existing = "# Benchmarks\n\n" + Report.CLUSTER_BEGIN + "\n## Several servers\n\nkept\n"
        + Report.CLUSTER_END + "\n";
    String page = report.page(existing);
    assertThat(page).contains(Report.OBSERVABILITY_BEGIN).contains("## Metrics and tracing")
        .contains(Report.OBSERVABILITY_END).contains("## Several servers\n\nkept");
  }
}
