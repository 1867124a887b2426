package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

  @Test
  void logsTheFirstOccurrenceThenSuppressesUntilThePeriodEndsAndCountsWhatItSuppressed() throws Exception {
    RateLimitedLog log = new RateLimitedLog(Duration.ofMillis(200));
    assertThat(log.admit()).as("first occurrence is logged").isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(log.admit()).as("within the period").isEqualTo(-1);
    }
    Thread.sleep(250);
    assertThat(log.admit()).as("next report counts the suppressed ones").isEqualTo(5);
    assertThat(log.admit()).isEqualTo(-1);
  }
}
