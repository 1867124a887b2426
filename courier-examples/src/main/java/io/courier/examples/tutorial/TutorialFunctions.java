package io.courier.examples.tutorial;

import io.courier.Arguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tutorial's server-side function, {@code def test(*args, **kwargs)}, in Java. */
public final class TutorialFunctions {

  private static final Logger log = LoggerFactory.getLogger(TutorialFunctions.class);

  /** What the tutorial's {@code test} returns. */
  public static final String TEST_RESULT = "the test function has been called";

  private TutorialFunctions() {}

  /** Logs its arguments, as the tutorial's server prints them, and returns {@value #TEST_RESULT}. */
  public static String test(Arguments arguments) {
    log.info("test called: args = {}, kwargs = {}", arguments.args(), arguments.kwargs());
    return TEST_RESULT;
  }
}
