package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GrpcTargetTest {

  /** A mistyped executor must not quietly measure gRPC's direct executor under the thread-pool row's name. */
  @Test
  void anUnknownExecutorIsRefusedBeforeTheServerStarts() {
    assertThatThrownBy(() -> GrpcTarget.main(new String[] {"--codec", "json", "--executor", "pool", "--port", "0"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--executor: pool (expected: direct or default)");
  }
}
