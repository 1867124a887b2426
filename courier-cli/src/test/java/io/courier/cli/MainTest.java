package io.courier.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
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
      assertThat(out()).as(help).startsWith("usage: courier")
          .contains("call", "notify", "batch", "listen", "serve-demo", "cluster-demo", "generate-completion");
      assertThat(err()).as(help).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0} --help")
  @CsvSource({"call,--timeout", "notify,--params", "batch,--data", "listen,--max", "demo,usage: courier demo",
      "serve-demo,--tls", "cluster-demo,--phase-seconds", "generate-completion,completion"})
  void everyCommandHasHelpOnStdoutWithExitStatus0(String command, String expected) {
    assertThat(run(command, "--help")).isEqualTo(0);
    assertThat(out()).containsIgnoringCase("usage: courier " + command).contains(expected);
    assertThat(err()).isEmpty();
  }

  @ParameterizedTest(name = "{0} --version")
  @CsvSource({"''", "call", "notify", "batch", "listen", "demo", "serve-demo", "cluster-demo"})
  void everyCommandPrintsTheProjectVersion(String command) {
    String[] args = command.isEmpty() ? new String[] {"--version"} : new String[] {command, "--version"};
    assertThat(run(args)).isEqualTo(0);
    assertThat(out()).matches("courier \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
  }

  @Test
  void optionsTakeTheirValueAfterAnEqualsSignToo() {
    assertThat(run("cluster-demo", "--phase-seconds=0")).isEqualTo(2);
    assertThat(err()).contains("--phase-seconds 0 (expected: 1-600)");
  }

  @ParameterizedTest(name = "call {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "tcp://127.0.0.1:1 echo {bad|'{bad': not valid JSON",
      "tcp://127.0.0.1:1 echo [1,|'[1,': not valid JSON",
      "tcp://127.0.0.1:1 add --params 3|params are a JSON array or object, not 3",
      "tcp://127.0.0.1:1 add --params [1|--params: not valid JSON",
      "tcp://127.0.0.1:1 add a=1 2|all name=value or all by position",
      "tcp://127.0.0.1:1 add 1 --params [1]|give params one way",
      "tcp://127.0.0.1:1 add -d file|expected: @FILE or - for standard input",
      "tcp://127.0.0.1:1 add --bogus|Unknown option: '--bogus'",
      "tcp://127.0.0.1:1 add --timeout soon|expected a duration such as 500ms, 5s, 2m",
      "tcp://127.0.0.1:1 add --framing lines|expected: newline or content-length",
      "tcp://127.0.0.1:1 add --cert c.pem|--cert and --key go together",
      "tcp://127.0.0.1:1 add --token t|--allow-plaintext-token",
      "foo://127.0.0.1:1 add|none provides foo://",
      "tcp://127.0.0.1 add|with a port",
      "tcp://127.0.0.1:1|Missing required parameter: 'METHOD'"})
  void callRefusesABadCommandLineWithExitStatus2AndNoStackTrace(String options, String message) {
    assertThat(run(("call " + options).split(" "))).isEqualTo(2);
    assertThat(err()).contains(message).contains("usage: courier call").doesNotContain("\tat ", "Exception");
    assertThat(out()).isEmpty();
  }

  @Test
  void aWordThatIsNotJsonIsAString() {
    ParamsOptions options = new ParamsOptions();
    ParamsOptions.Params p = options.resolve(null, List.of("hello", "2", "true", "null", "1.10",
        "{\"a\": 1}", "two words"), System.in);
    assertThat(p.positional()).extracting(Object::toString)
        .containsExactly("\"hello\"", "2", "true", "null", "1.10", "{\"a\":1}", "\"two words\"");
    assertThat(p.named()).isNull();
  }

  @Test
  void nameValueWordsAreParamsByName() {
    ParamsOptions.Params p = new ParamsOptions().resolve(null, List.of("minuend=42", "name=x=y",
        "list=[1,2]"), System.in);
    assertThat(p.positional()).isNull();
    assertThat(p.named()).containsOnlyKeys("minuend", "name", "list");
    assertThat(p.named().get("name").textValue()).isEqualTo("x=y");
    assertThat(p.named().get("list").isArray()).isTrue();
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    ClientOptions.DurationConverter converter = new ClientOptions.DurationConverter();
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(converter.convert("PT1H")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void serveDemoWithoutPortIsAUsageError() {
    assertThat(run("serve-demo")).isEqualTo(2);
    assertThat(err()).contains("--port is required").contains("usage: courier");
    assertThat(run("serve-demo", "--host", "127.0.0.1")).isEqualTo(2);
  }

  @ParameterizedTest(name = "serve-demo {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "--port|Missing required parameter for option '--port'",
      "--port abc|expected: 0-65535",
      "--port 65536|expected: 0-65535",
      "--port -1|expected: 0-65535",
      "--port 99999999999|expected: 0-65535",
      "--port 1 --host|Missing required parameter for option '--host'",
      "--bogus|Unknown option: '--bogus'",
      "--port 1 extra|Unmatched argument at index 3: 'extra'",
      "--port 1 --tls cert.pem|--tls"})
  void serveDemoWithBadOptionsIsAUsageError(String options, String message) {
    String[] args = ("serve-demo " + options).split(" ");
    assertThat(run(args)).isEqualTo(2);
    assertThat(err()).contains(message).contains("usage: courier");
    assertThat(out()).isEmpty();
  }

  @Test
  void demoTakesNoArguments() {
    assertThat(run("demo", "extra")).isEqualTo(2);
    assertThat(err()).contains("Unmatched argument at index 1: 'extra'").contains("usage: courier demo");
    assertThat(out()).isEmpty();
  }
}
