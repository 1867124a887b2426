package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The stream workload's publisher ({@link Ticks}) and subscriber policy ({@link StreamMeter}), without sockets. */
class StreamsTest {

  @Test
  void ticksEmitsOnlyWhatWasRequestedInOrderWithoutRecursing() {
    List<Integer> items = new ArrayList<>();
    int[] depth = {0, 0};
    new Ticks().subscribe(new Flow.Subscriber<Integer>() {
      private Flow.Subscription subscription;

      @Override
      public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(3);
      }

      @Override
      public void onNext(Integer item) {
        depth[0]++;
        depth[1] = Math.max(depth[1], depth[0]);
        items.add(item);
        if (item == 1) {
          subscription.request(2); // served by the loop already emitting, not by a nested one
        }
        depth[0]--;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onComplete() {}
    });

    assertThat(items).containsExactly(0, 1, 2, 3, 4);
    assertThat(depth[1]).isEqualTo(1);
  }

  @Test
  void theMeterAsksForMoreEveryTopUpAndCountsWrongItemsAsErrors() throws Exception {
    StreamMeter meter = new StreamMeter();
    int topUps = 0;
    for (int i = 0; i < 3 * StreamMeter.TOP_UP; i++) {
      if (meter.item(i)) {
        topUps++;
      }
    }
    meter.item(7); // not the next int
    meter.ended();

    assertThat(topUps).isEqualTo(3);
    List<Sample> none = meter.measure("t", Cell.of(Workload.STREAM, 1), java.time.Duration.ZERO,
        java.time.Duration.ofMillis(1), 1);
    assertThat(none).hasSize(1);
    assertThat(none.get(0).calls()).isZero(); // counted before the window opened
  }
}
