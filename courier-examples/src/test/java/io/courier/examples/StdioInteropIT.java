package io.courier.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.examples.stdio.ToolServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Courier stdio server launched by a peer nobody here wrote: {@code interop/vscode-stdio.js} starts
 * {@link ToolServer} as a child process and drives it with {@code vscode-jsonrpc}'s stream connection over the
 * child's standard input and output (the Language Server Protocol's framing), as an editor drives a language
 * server: calls, a call the server answers only after asking the launcher back, a subscription followed with
 * plain notifications, and an unknown method.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StdioInteropIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void vscodeJsonrpcLaunchesAStdioServerAndTheyCallEachOther() throws Exception {
    NodeScripts.requireNodeAndPackages();
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Path stderr = Files.createTempFile("courier-stdio-interop", ".err");
    Process script = new ProcessBuilder("node", "vscode-stdio.js", java, System.getProperty("java.class.path"),
            ToolServer.class.getName())
        .directory(NodeScripts.dir().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectError(stderr.toFile())
        .start();
    try {
      assertThat(script.waitFor(60, TimeUnit.SECONDS)).as("the script finished; stderr: %s", read(stderr)).isTrue();
      String line = new String(script.getInputStream().readAllBytes(), UTF_8).trim();
      assertThat(script.exitValue()).as("exit status; stderr: %s", read(stderr)).isZero();
      JsonNode out = JSON.readTree(line);

      assertThat(out.at("/cases/add/result").asInt()).isEqualTo(5);
      assertThat(out.at("/cases/shout/result").asText()).isEqualTo("HI");
      assertThat(out.path("asked")).isEqualTo(JSON.readTree("[\"shout hi?\"]"));
      assertThat(out.at("/cases/progress/result"))
          .isEqualTo(JSON.readTree("[\"step 1 of 3\", \"step 2 of 3\", \"step 3 of 3\"]"));
      assertThat(out.at("/cases/unknown/error/code").asInt()).isEqualTo(-32601);
      assertThat(out.path("log")).as("what vscode-jsonrpc complained about").isEmpty();
    } finally {
      script.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      Files.deleteIfExists(stderr);
    }
  }

  private static String read(Path file) throws java.io.IOException {
    return Files.readString(file, UTF_8);
  }
}
