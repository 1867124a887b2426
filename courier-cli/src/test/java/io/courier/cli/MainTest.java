package io.courier.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line's parsing and usage errors, without running any server. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MainTest {

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) {
    try (PrintStream out = new PrintStream(outBytes, true, UTF_8);
        PrintStream err = new PrintStream(errBytes, true, UTF_8)) {
      return Main.run(args, out, err);
    }
  }

  private String out() {
    return outBytes.toString(UTF_8);
  }

  private String err() {
    return errBytes.toString(UTF_8);
  }

  @Test
  void noCommandPrintsUsageOnStderrAndExitsWith2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("usage: courier").contains("serve-demo").contains("demo");
    assertThat(out()).isEmpty();
  }

  @Test
  void anUnknownCommandIsNamedOnStderrWithUsageAndExitsWith2() {
    assertThat(run("nonsense")).isEqualTo(2);
    assertThat(err()).contains("unknown command: nonsense").contains("usage: courier");
    assertThat(out()).isEmpty();
  }

  @Test
  void helpPrintsUsageOnStdoutAndExitsWith0() {
    for (String help : new String[] {"help", "--help", "-h"}) {
      outBytes.reset();
      errBytes.reset();
      assertThat(run(help)).as(help).isEqualTo(0);
      assertThat(out()).as(help).startsWith("usage: courier").contains("serve-demo --port P");
      assertThat(err()).as(help).isEmpty();
    }
  }

  @Test
  void serveDemoWithoutPortIsAUsageError() {
    assertThat(run("serve-demo")).isEqualTo(2);
    assertThat(err()).contains("--port is required").contains("usage: courier");
    assertThat(run("serve-demo", "--host", "127.0.0.1")).isEqualTo(2);
  }

  @ParameterizedTest(name = "serve-demo {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "--port|--port needs a value",
      "--port abc|expected: 0-65535",
      "--port 65536|expected: 0-65535",
      "--port -1|expected: 0-65535",
      "--port 99999999999|expected: 0-65535",
      "--port 1 --host|--host needs a value",
      "--bogus|unknown option --bogus",
      "--port 1 extra|unknown option extra"})
  void serveDemoWithBadOptionsIsAUsageError(String options, String message) {
    String[] args = ("serve-demo " + options).split(" ");
    assertThat(run(args)).isEqualTo(2);
    assertThat(err()).contains(message).contains("usage: courier");
    assertThat(out()).isEmpty();
  }

  @Test
  void demoTakesNoArguments() {
    assertThat(run("demo", "extra")).isEqualTo(2);
    assertThat(err()).contains("demo takes no arguments").contains("usage: courier");
    assertThat(out()).isEmpty();
  }
}
