package io.courier.examples.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link AddLoadLoop}'s command line as picocli reads it; nothing here starts a server or connects. */
class AddLoadLoopTest {

  @Test
  void withoutOptionsItRunsFiveSecondsAtOneSixteenAndOneHundredTwentyEightAgainstItsOwnServer() {
    AddLoadLoop.Options o = AddLoadLoop.Options.parse(new String[0]);
    assertThat(o.seconds).isEqualTo(5);
    assertThat(o.inFlight).containsExactly(1, 16, 128);
    assertThat(o.target).isNull();
    assertThat(o.echoBytes).isZero();
  }

  @Test
  void theDocumentedCommandLinesAndEqualsSignsAreAccepted() {
    AddLoadLoop.Options readme = AddLoadLoop.Options.parse(new String[] {"--seconds", "5"});
    assertThat(readme.seconds).isEqualTo(5);
    AddLoadLoop.Options echo = AddLoadLoop.Options.parse(new String[] {"--echo", "65536"});
    assertThat(echo.echoBytes).isEqualTo(65536);
    AddLoadLoop.Options o = AddLoadLoop.Options.parse(new String[] {"--seconds=2", "--inflight=16,64",
        "--target=tcp://127.0.0.1:7070"});
    assertThat(o.seconds).isEqualTo(2);
    assertThat(o.inFlight).as("the given levels replace the default ones").containsExactly(16, 64);
    assertThat(o.target).isEqualTo("tcp://127.0.0.1:7070");
  }

  @Test
  void anUnknownOptionOrABadValueIsABadCommandLineThatNamesIt() {
    assertThatThrownBy(() -> AddLoadLoop.Options.parse(new String[] {"--secs", "5"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--secs");
    assertThatThrownBy(() -> AddLoadLoop.Options.parse(new String[] {"--seconds"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--seconds");
    assertThatThrownBy(() -> AddLoadLoop.Options.parse(new String[] {"--inflight", "1,x"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--inflight").hasMessageContaining("x");
    assertThatThrownBy(() -> AddLoadLoop.Options.parse(new String[] {"--inflight", "0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--inflight: 0 (expected: >= 1)");
    assertThatThrownBy(() -> AddLoadLoop.Options.parse(new String[] {"--seconds", "0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--seconds: 0 (expected: >= 1)");
    assertThatThrownBy(() -> AddLoadLoop.Options.parse(new String[] {"--target", "nope://127.0.0.1:1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--target");
  }

  @Test
  void helpAndVersionAreAnswered() {
    assertThat(AddLoadLoop.Options.parse(new String[] {"--help"}).help).isTrue();
    assertThat(AddLoadLoop.Options.parse(new String[] {"-h", "--seconds", "0"}).help).isTrue();
    assertThat(AddLoadLoop.Options.parse(new String[] {"--version"}).version).isTrue();
    String usage = AddLoadLoop.Options.usage();
    assertThat(usage).startsWith("usage: java -cp courier-cli/target/courier-cli.jar "
        + "io.courier.examples.load.AddLoadLoop");
    assertThat(usage).contains("--seconds").contains("--target").contains("--inflight").contains("--echo")
        .contains("--help").contains("--version").contains("(default 5)").contains("(default 1,16,128)");
  }
}
