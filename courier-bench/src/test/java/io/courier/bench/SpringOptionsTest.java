package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The {@code --spring} mode's options, targets and page section; nothing here starts a process. */
class SpringOptionsTest {

  @Test
  void springModeComparesTheStarterWithABareServerTakingTurns() {
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--spring", "--no-markdown"});
    assertThat(o.plan.isSpring()).isTrue();
    assertThat(o.plan.alternates()).isTrue();
    assertThat(o.plan.cells()).containsExactly(Cell.of(Workload.ADD, 16), Cell.of(Workload.ADD, 128));
    assertThat(o.targets).containsExactly(Target.COURIER, Target.COURIER_SPRING);
    assertThat(o.csv.getFileName()).isEqualTo(Path.of("bench-spring.csv"));
    assertThat(Target.COURIER_SPRING.courierScheme()).isEqualTo("tcp");
    assertThat(Target.COURIER_SPRING.hasScaleRows()).isFalse();
  }

  @Test
  void itsSectionIsWrittenAndTheOtherSectionsAreKept() {
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--spring", "--no-markdown"});
    Report report = new Report(o.plan, Machine.probe(), "bench --spring", ZonedDateTime.parse("2026-12-06T12:00:00Z"));
    String existing = "# Benchmarks\n\n" + Report.OBSERVABILITY_BEGIN + "\n## Metrics and tracing\n\nkept\n"
        + Report.OBSERVABILITY_END + "\n";
    String page = report.page(existing);
    assertThat(page).contains(Report.SPRING_BEGIN).contains("## Spring Boot").contains(Report.SPRING_END)
        .contains("## Metrics and tracing\n\nkept");
  }

  @Test
  void aFullRunKeepsTheSpringSection() {
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--quick", "--no-markdown"});
    Report report = new Report(o.plan, Machine.probe(), "bench --quick", ZonedDateTime.parse("2026-12-06T12:00:00Z"));
    String existing = "# Benchmarks\n\n" + Report.SPRING_BEGIN + "\n## Spring Boot\n\nkept\n" + Report.SPRING_END
        + "\n";
    assertThat(report.page(existing)).contains("## Spring Boot\n\nkept");
  }
}
