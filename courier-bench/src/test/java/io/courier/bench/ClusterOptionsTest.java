package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code --cluster} mode's options and targets; nothing here starts a process. */
class ClusterOptionsTest {

  @Test
  void clusterModeComparesOneServerWithListsOfThreeAndZooKeeperAndKillsFiveTimesByDefault() {
    BenchMain.Options o = BenchMain.Options.parse(new String[] {"--cluster", "--no-markdown"});
    assertThat(o.plan.isCluster()).isTrue();
    assertThat(o.plan.cells()).containsExactly(Cell.of(Workload.ADD, 16), Cell.of(Workload.ADD, 128));
    assertThat(o.plan.repetitions()).isEqualTo(5);
    assertThat(o.plan.window()).isEqualTo(Plan.quick().window());
    assertThat(o.targets).containsExactly(Target.COURIER, Target.COURIER_LIST_KEYED, Target.COURIER_LIST_ONE,
        Target.COURIER_LIST, Target.COURIER_ZK);
    assertThat(o.kills).isEqualTo(ClusterRun.KILLS);
    assertThat(o.csv.getFileName()).isEqualTo(Path.of("bench-cluster.csv"));

    BenchMain.Options shorter = BenchMain.Options.parse(new String[] {"--cluster", "--no-markdown", "--kills", "1",
        "--reps", "1"});
    assertThat(shorter.kills).isEqualTo(1);
    assertThat(shorter.plan.repetitions()).isEqualTo(1);
  }

  @Test
  void aListTargetOutsideClusterModeOrNegativeKillsAreBadCommandLines() {
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--quick", "--targets", "courier-list"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cluster");
    assertThatThrownBy(() -> BenchMain.Options.parse(new String[] {"--cluster", "--kills", "-1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--kills");
  }

  @Test
  void theListTargetRunsThreeServersAndItsClientListsThemAll() throws Exception {
    assertThat(Target.COURIER_LIST.servers()).isEqualTo(3);
    assertThat(Target.COURIER_LIST.cluster()).isTrue();
    assertThat(Target.COURIER_LIST.hasScaleRows()).isFalse();
    assertThat(Target.COURIER.servers()).isEqualTo(1);
    assertThat(CourierTarget.uri("tcp", "127.0.0.1", List.of(7070, 7071, 7072)))
        .isEqualTo("tcp://127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072");
    assertThat(CourierTarget.uri("ws", "127.0.0.1", List.of(7070, 7071)))
        .isEqualTo("ws://127.0.0.1:7070,127.0.0.1:7071/ws");
    assertThatThrownBy(() -> Target.COURIER_LIST.client("127.0.0.1", List.of(7070), null, Cell.of(Workload.ADD, 16)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: 3");
  }
}
