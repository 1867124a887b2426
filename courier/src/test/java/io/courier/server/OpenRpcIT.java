package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.courier.RpcError;
import io.courier.RpcMethod;
import io.courier.RpcService;
import io.courier.client.RpcClient;
import io.courier.peer.OpenRpcMetaSchema;
import io.courier.testing.NettyLeakCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code rpc.discover} over a real socket on 127.0.0.1: the document, turned off, and types it cannot describe. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class OpenRpcIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RpcService(value = "calc", description = "Arithmetic.")
  interface Calculator {
    @RpcMethod(description = "Adds two integers.")
    int add(int a, int b);
  }

  /** Written by a serializer Courier knows nothing about, so its schema cannot be described. */
  @JsonSerialize(using = OpaqueSerializer.class)
  static final class Opaque {}

  static final class OpaqueSerializer extends StdSerializer<Opaque> {
    OpaqueSerializer() {
      super(Opaque.class);
    }

    @Override
    public void serialize(Opaque value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString("opaque");
    }
  }

  interface Mystery {
    Opaque mystery(Opaque in);
  }

  private RpcServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  private RpcServer start(RpcServerBuilder builder) {
    server = builder.host("127.0.0.1").build().start();
    return server;
  }

  /** Sends one line of JSON over raw TCP and returns the line that answers it. */
  private JsonNode callOverTcp(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      return JSON.readTree(in.readLine());
    }
  }

  @Test
  void discoverAnswersWithTheServersOpenRpcDocument() throws IOException {
    start(RpcServer.builder()
        .service(Calculator.class, (a, b) -> a + b)
        .method("test", args -> "called")
        .openRpcInfo("Calculator API", "2.1.0"));

    JsonNode reply = callOverTcp("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":1}");

    JsonNode document = reply.get("result");
    assertThat(reply.get("id").asInt()).isEqualTo(1);
    assertThat(OpenRpcMetaSchema.problems(document)).isEmpty();
    assertThat(document.get("info").get("title").asText()).isEqualTo("Calculator API");
    assertThat(document.get("info").get("version").asText()).isEqualTo("2.1.0");
    assertThat(document.get("methods")).extracting(m -> m.get("name").asText()).containsExactly("calc.add", "test");
    assertThat(document.get("methods").get(0).get("description").asText()).isEqualTo("Adds two integers.");
  }

  @Test
  void theJavaClientGetsTheSameDocumentAsEveryOtherCall() {
    start(RpcServer.builder().service(Calculator.class, (a, b) -> a + b));

    try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build()) {
      JsonNode first = client.call("rpc.discover", JsonNode.class).join();
      JsonNode second = client.call("rpc.discover", JsonNode.class).join();

      assertThat(first).isEqualTo(second);
      assertThat(first.get("openrpc").asText()).isEqualTo("1.3.2");
      assertThat(client.call("calc.add", Integer.class, 2, 3).join()).isEqualTo(5);
    }
  }

  @Test
  void turnedOffDiscoverIsAnUnknownMethod() throws IOException {
    start(RpcServer.builder().service(Calculator.class, (a, b) -> a + b).openRpc(false));

    JsonNode reply = callOverTcp("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":7}");

    assertThat(reply.get("error").get("code").asInt()).isEqualTo(RpcError.METHOD_NOT_FOUND_CODE);
    assertThat(server.methods()).containsExactly("calc.add");
  }

  @Test
  void aMethodWhoseTypesCannotBeDescribedStillGetsADocument() throws IOException {
    start(RpcServer.builder().service(Mystery.class, in -> in));

    JsonNode reply = callOverTcp("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":2}");

    assertThat(reply.has("error")).isFalse();
    JsonNode document = reply.get("result");
    assertThat(OpenRpcMetaSchema.problems(document)).isEmpty();
    assertThat(document.get("components").get("schemas").get("Opaque").get("description").asText())
        .startsWith("Not described:");
  }

  @Test
  void discoverPassesThroughTheInterceptorsAndTakesNoParams() throws IOException {
    List<String> seen = new CopyOnWriteArrayList<>();
    start(RpcServer.builder()
        .service(Calculator.class, (a, b) -> a + b)
        .intercept(chain -> {
          seen.add(chain.context().method());
          return chain.proceed();
        }));

    JsonNode withParams = callOverTcp("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"params\":[1],\"id\":3}");
    callOverTcp("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":4}");

    assertThat(withParams.get("error").get("code").asInt()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
    assertThat(seen).contains("rpc.discover");
  }
}
