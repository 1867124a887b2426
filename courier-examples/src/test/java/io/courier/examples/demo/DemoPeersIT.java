package io.courier.examples.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.server.RpcServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo server's peer methods as a black box, driven by nothing but a socket and a JSON library, as a script
 * in any language would: {@code callback} calls the script back and returns its answer (or its error), and
 * {@code count} is a subscription the script follows with {@code $/demand}.
 */
@Timeout(30)
class DemoPeersIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static RpcServer server;

  @BeforeAll
  static void start() {
    server = DemoServer.builder().host("127.0.0.1").port(0).build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One line-delimited JSON connection. */
  private static final class Script implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final BufferedReader in;

    Script() throws Exception {
      socket = new Socket("127.0.0.1", server.port());
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    void send(String json) throws Exception {
      out.write((json + "\n").getBytes(UTF_8));
      out.flush();
    }

    JsonNode read() throws Exception {
      return JSON.readTree(in.readLine());
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void callbackCallsTheScriptBackAndReturnsItsAnswer() throws Exception {
    try (Script script = new Script()) {
      script.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"callback\",\"params\":[\"greet\",{\"name\":\"ann\"}]}");

      JsonNode asked = script.read();
      assertThat(asked.get("method").asText()).isEqualTo("greet");
      assertThat(asked.get("params")).isEqualTo(JSON.readTree("{\"name\":\"ann\"}"));
      script.send("{\"jsonrpc\":\"2.0\",\"id\":" + asked.get("id") + ",\"result\":\"hello ann\"}");

      JsonNode answer = script.read();
      assertThat(answer.get("id").asInt()).isEqualTo(1);
      assertThat(answer.get("result").asText()).isEqualTo("hello ann");
    }
  }

  @Test
  void theScriptsErrorBecomesTheCallbacksError() throws Exception {
    try (Script script = new Script()) {
      script.send("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"callback\",\"params\":[\"nope\",[1,2]]}");

      JsonNode asked = script.read();
      assertThat(asked.get("params")).isEqualTo(JSON.readTree("[1,2]"));
      script.send("{\"jsonrpc\":\"2.0\",\"id\":" + asked.get("id")
          + ",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");

      JsonNode answer = script.read();
      assertThat(answer.get("id").asText()).isEqualTo("c");
      assertThat(answer.at("/error/code").asInt()).isEqualTo(-32601);
      assertThat(answer.at("/error/message").asText()).isEqualTo("Method not found");
    }
  }

  @Test
  void countIsASubscriptionTheScriptPacesWithDemand() throws Exception {
    try (Script script = new Script()) {
      script.send("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"count\",\"params\":[5]}");
      script.send("{\"jsonrpc\":\"2.0\",\"method\":\"$/demand\",\"params\":{\"id\":9,\"n\":2}}");
      List<Long> items = new ArrayList<>();
      long asked = 2;
      JsonNode message;
      while ((message = script.read()).has("method")) {
        assertThat(message.get("method").asText()).isEqualTo("$/items");
        message.at("/params/items").forEach(item -> items.add(item.asLong()));
        assertThat((long) items.size()).as("never more than asked for").isLessThanOrEqualTo(asked);
        if (items.size() == asked) {
          script.send("{\"jsonrpc\":\"2.0\",\"method\":\"$/demand\",\"params\":{\"id\":9,\"n\":2}}");
          asked += 2;
        }
      }
      assertThat(items).containsExactly(0L, 1L, 2L, 3L, 4L);
      assertThat(message.get("id").asInt()).isEqualTo(9);
      assertThat(message.get("result").isNull()).isTrue();
    }
  }
}
