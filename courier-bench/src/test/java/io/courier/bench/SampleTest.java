package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleTest {

  @Test
  void lineRoundTrips() {
    Sample s = new Sample("courier", Cell.parse("add@16x1000"), 2, 12_345, 1, 2_000_000_000L, 80_000, 300_000,
        900_000, 5_000_000);
    assertThat(Sample.parse(s.toLine())).isEqualTo(s);
  }

  @Test
  void callsPerSecondUseTheWindowsExactLength() {
    Sample s = new Sample("courier", Cell.parse("add@1"), 1, 3_000, 0, 1_500_000_000L, 0, 0, 0, 0);
    assertThat(s.callsPerSecond()).isEqualTo(2_000.0);
  }

  @Test
  void serverStatsLineRoundTrips() {
    ServerStats stats = new ServerStats(123_456_789L, 42, 10_017);
    assertThat(ServerStats.parse(stats.toLine())).isEqualTo(stats);
  }
}
