package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CellTest {

  @Test
  void specsRoundTrip() {
    for (String spec : new String[] {"add@1", "add@16x1000", "echo1024@128", "echo1048576@16"}) {
      assertThat(Cell.parse(spec).spec()).isEqualTo(spec);
    }
  }

  @Test
  void parsedCellHasItsParts() {
    Cell cell = Cell.parse("echo65536@16x4");
    assertThat(cell.workload()).isEqualTo(Workload.echo(65536));
    assertThat(cell.inFlight()).isEqualTo(16);
    assertThat(cell.connections()).isEqualTo(4);
  }

  @Test
  void malformedSpecsAreRejectedWithTheExpectedForm() {
    assertThatThrownBy(() -> Cell.parse("add")).hasMessageContaining("WORKLOAD@INFLIGHT");
    assertThatThrownBy(() -> Cell.parse("add@x")).hasMessageContaining("WORKLOAD@INFLIGHT");
    assertThatThrownBy(() -> Cell.parse("mul@1")).hasMessageContaining("expected: add, stream or echoBYTES");
    assertThatThrownBy(() -> Cell.parse("add@0")).hasMessageContaining("inFlight: 0");
  }

  @Test
  void echoPayloadHasTheSizeAndIsPlainAscii() {
    String payload = Workload.echo(64 * 1024).payload();
    assertThat(payload).hasSize(64 * 1024).matches("[a-z]+");
    assertThat(Workload.echo(64 * 1024).payload()).isSameAs(payload);
    assertThat(Workload.echo(1024 * 1024).label()).isEqualTo("echo 1 MiB");
  }
}
