package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baseline targets, which run the Courier server of another build in the same run. */
class BaselineOptionsTest {

  @Test
  void baselineTargetsRunTheServerOfTheGivenJarAndAreCalledLikeTheirCounterparts(@TempDir Path dir)
      throws Exception {
    Path jar = Files.createFile(dir.resolve("courier-bench.jar"));
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--quick", "--no-markdown", "--targets",
        "courier,courier-baseline,courier-io,courier-io-baseline", "--baseline-jar", jar.toString()});
    assertThat(o.targets).containsExactly(Target.COURIER, Target.COURIER_BASELINE, Target.COURIER_IO,
        Target.COURIER_IO_BASELINE);
    assertThat(o.baselineJar).isEqualTo(jar.toAbsolutePath());
    assertThat(o.targets.stream().filter(Target::baseline).toList())
        .containsExactly(Target.COURIER_BASELINE, Target.COURIER_IO_BASELINE);
    assertThat(Target.COURIER_IO_BASELINE.serverArgs()).isEqualTo(Target.COURIER_IO.serverArgs());
    assertThat(Target.COURIER_BASELINE.courierScheme()).isEqualTo("tcp");
    assertThat(Target.COURIER_BASELINE.hasScaleRows()).isTrue();
    assertThat(List.of(Target.COURIER, Target.GRPC_JSON)).noneMatch(Target::baseline);
  }

  @Test
  void aBaselineTargetWithoutAJarOrWithAMissingOneIsABadCommandLine(@TempDir Path dir) {
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--quick", "--targets", "courier-baseline"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--baseline-jar");
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--quick", "--targets", "courier-baseline",
        "--baseline-jar", dir.resolve("missing.jar").toString()}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such file");
  }
}
