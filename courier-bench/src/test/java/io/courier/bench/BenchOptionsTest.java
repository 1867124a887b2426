package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The launcher's command line as picocli reads it: help, version, bad usage; nothing here starts a process. */
class BenchOptionsTest {

  @Test
  void anUnknownOptionIsABadCommandLineThatNamesItAndGuessesTheMeant() {
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--quik"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown option: '--quik'")
        .hasMessageContaining("--quick");
  }

  @Test
  void aMissingOrMalformedValueIsABadCommandLineThatNamesTheOption() {
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--quick", "--csv"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--csv");
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--reps", "many"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--reps").hasMessageContaining("many");
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--quick", "--targets", "courier,nope"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
  }

  @Test
  void twoModesExcludeEachOther() {
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--quick", "--full"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--quick and --full exclude each other (one mode at most)");
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--cluster", "--peers", "--cluster"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exclude each other");
  }

  @Test
  void withoutAModeTheRunIsFullAndWritesThePage() {
    BenchMain.Options o = BenchMain.Options.parse(new String[0]);
    assertThat(o.plan.mode()).isEqualTo("full");
    assertThat(o.targets).isEqualTo(Target.FULL);
    assertThat(o.markdown.getFileName()).isEqualTo(Path.of("benchmarks.md"));
    assertThat(o.csv.getFileName()).isEqualTo(Path.of("bench-results.csv"));
  }

  @Test
  void valuesMayFollowAnEqualsSignAndTheLastOfARepeatedOptionCounts() {
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--smoke", "--reps=2", "--window-ms=300",
        "--targets=courier", "--targets", "courier,netty-echo", "--scale", "--no-scale", "--csv=out.csv"});
    assertThat(o.plan.mode()).isEqualTo("smoke");
    assertThat(o.plan.repetitions()).isEqualTo(2);
    assertThat(o.plan.window().toMillis()).isEqualTo(300);
    assertThat(o.targets).containsExactly(Target.COURIER, Target.NETTY_ECHO);
    assertThat(o.plan.manyConnections()).isZero();
    assertThat(o.plan.idleConnections()).isZero();
    assertThat(o.csv).isEqualTo(Path.of("out.csv"));
    assertThat(o.markdown).as("--smoke writes no page").isNull();

    assertThat(BenchMain.Options.parse(new String[] {"--quick", "--quick"}).plan.mode()).isEqualTo("quick");

    BenchMain.Options scaled = BenchMain.Options.parse(new String[] {"--quick", "--no-scale", "--scale"});
    assertThat(scaled.plan.manyConnections()).isEqualTo(Plan.full().manyConnections());
  }

  @Test
  void helpAndVersionAreAnsweredWithoutTheChecks() {
    BenchMain.Options help = BenchMain.Options.parse(new String[] {"--help", "--kills", "-1"});
    assertThat(help.help).isTrue();
    BenchMain.Options shortHelp = BenchMain.Options.parse(new String[] {"-h"});
    assertThat(shortHelp.help).isTrue();
    BenchMain.Options version = BenchMain.Options.parse(new String[] {"--version"});
    assertThat(version.version).isTrue();
  }

  @Test
  void theHelpDescribesEveryModeAndOption() {
    String usage = BenchMain.Options.usage();
    assertThat(usage).startsWith("usage: " + BenchMain.JAR_COMMAND).contains("[--quick | --full | --smoke");
    assertThat(usage.indexOf("--quick  ")).as("each option once").isEqualTo(usage.lastIndexOf("--quick  "));
    for (String option : new String[] {"--quick", "--full", "--smoke", "--transports", "--peers", "--cluster",
        "--observability", "--kills", "--scale", "--no-scale", "--targets", "--baseline-jar", "--jit-ms",
        "--warmup-ms", "--window-ms", "--reps", "--markdown", "--no-markdown", "--csv", "--help", "--version"}) {
      assertThat(usage).contains(option);
    }
    assertThat(usage).contains("Modes (one at most)").contains("(default " + ClusterRun.KILLS + ")")
        .contains("writes only the Several servers section").contains("courier-io-baseline");
    // The modes come before the other options, as in the hand-written usage.
    assertThat(usage.indexOf("Modes (one at most)")).isLessThan(usage.indexOf("Options:"));
  }
}
