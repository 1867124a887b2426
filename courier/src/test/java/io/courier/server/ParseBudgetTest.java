package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Frames parsed within the budget, in arrival order, by the threads that end earlier ones. */
class ParseBudgetTest {

  private final ParseBudget budget = new ParseBudget(100);
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @Test
  void framesThatFitRunAtOnceOnTheCallersThread() {
    budget.run(60, () -> {
      ran.add("a on " + Thread.currentThread().getName());
      budget.run(40, () -> ran.add("b, with " + budget.inUse() + " in use"));
    });
    assertThat(ran).containsExactly("a on " + Thread.currentThread().getName(), "b, with 100 in use");
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void aFrameThatDoesNotFitWaitsAndRunsOnTheThreadThatEndsTheFrameBeforeIt() {
    budget.run(80, () -> {
      budget.run(30, () -> ran.add("second, with " + budget.inUse() + " in use"));
      budget.run(10, () -> ran.add("third: behind the second, though it would fit"));
      // Recorded, not asserted here: the budget logs what a parse throws, an AssertionError included.
      ran.add("first ends, " + ran.size() + " others run");
    });
    assertThat(ran).containsExactly("first ends, 0 others run", "second, with 30 in use",
        "third: behind the second, though it would fit");
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void aFrameLargerThanTheBudgetRunsAloneAndDoesNotStrandTheOthers() {
    budget.run(10, () -> {
      budget.run(500, () -> ran.add("large, with " + budget.inUse() + " in use"));
      ran.add("small ends");
    });
    assertThat(ran).containsExactly("small ends", "large, with 500 in use");
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void aParseThatThrowsStillFreesItsBytesForTheNext() {
    budget.run(90, () -> {
      budget.run(90, () -> ran.add("next"));
      throw new IllegalStateException("a parse that fails on its own");
    });
    assertThat(ran).containsExactly("next");
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void theBudgetIsAShareOfTheHeapAndNeverLessThanOneMessage() {
    assertThat(ParseBudget.forHeap(64L << 30, 4 << 20).budget()).isEqualTo(1L << 30);
    assertThat(ParseBudget.forHeap(128L << 20, 4 << 20).budget()).isEqualTo(4L << 20);
  }
}
