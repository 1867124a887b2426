package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetServerTest {

  @Test
  void takeOptionRemovesTheOptionAndItsValueAndLeavesTheRest() {
    List<String> args = new ArrayList<>(List.of("--codec", "json", "--executor", "default", "--port", "0"));
    assertThat(TargetServer.takeOption(args, "--executor", "direct")).isEqualTo("default");
    assertThat(args).containsExactly("--codec", "json", "--port", "0");
  }

  @Test
  void takeOptionGivesTheFallbackWhenTheOptionIsAbsent() {
    List<String> args = new ArrayList<>(List.of("--port", "0"));
    assertThat(TargetServer.takeOption(args, "--tls", null)).isNull();
    assertThat(args).containsExactly("--port", "0");
  }

  @Test
  void takeOptionRefusesAnOptionWithoutItsValue() {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--executor"));
    assertThatThrownBy(() -> TargetServer.takeOption(args, "--executor", "direct"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--executor needs a value");
  }
}
