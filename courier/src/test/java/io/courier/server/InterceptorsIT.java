package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.protocol.Request;
import io.courier.testing.LineSocket;
import io.courier.testing.NettyLeakCheck;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's interceptor chain: order, what it sees, and each way an interceptor can break its contract. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class InterceptorsIT {

  /** A service method, whose params are bound to Java types before it runs (handler functions bind lazily). */
  public interface Doubler {
    int twice(int x);
  }

  private final List<String> trace = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();
  private RpcServer server;
  private RpcClient client;

  private void start(ServerInterceptor... interceptors) {
    server = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .intercept(interceptors)
        .service(Doubler.class, x -> {
          runs.incrementAndGet();
          return 2 * x;
        })
        .method("double", args -> {
          runs.incrementAndGet();
          trace.add("method");
          return 2 * args.arg(0, Integer.class);
        })
        .build()
        .start();
    client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + server.port())
        .callTimeout(Duration.ofSeconds(5))
        .maxAttempts(1)
        .build();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }

  private ServerInterceptor recording(String name) {
    return chain -> {
      trace.add(name + " in");
      return chain.proceed().whenComplete((result, failure) -> trace.add(name + " out"));
    };
  }

  private Integer callDouble(Object param) throws Exception {
    return client.call("double", Integer.class, param).get(5, TimeUnit.SECONDS);
  }

  private RpcError failureOfDouble(Object param) throws Exception {
    CompletableFuture<Integer> call = client.call("double", Integer.class, param);
    try {
      call.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(RpcException.class);
      return ((RpcException) e.getCause()).error();
    }
    throw new AssertionError("the call succeeded: " + call.join());
  }

  @Test
  void interceptorsRunInTheOrderAddedTheFirstOutermost() throws Exception {
    start(recording("a"), recording("b"));

    assertThat(callDouble(21)).isEqualTo(42);
    assertThat(trace).containsExactly("a in", "b in", "method", "b out", "a out");
  }

  @Test
  void interceptorSeesTheParamsAsSentAndTheBindingFailureAsTheOutcome() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    start(chain -> {
      seen.add(chain.context().method() + " " + chain.params());
      return chain.proceed().whenComplete((result, failure) -> seen.add(String.valueOf(
          failure instanceof RpcException e ? e.code() : result)));
    });

    CompletableFuture<Integer> call = client.call("twice", Integer.class, "not a number");
    Throwable failure = null;
    try {
      call.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    assertThat(failure).isInstanceOf(RpcException.class);
    assertThat(((RpcException) failure).code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
    assertThat(seen).containsExactly("twice [\"not a number\"]", String.valueOf(RpcError.INVALID_PARAMS_CODE));
    assertThat(runs).as("the method never ran").hasValue(0);
  }

  @Test
  void interceptorMayReplaceTheResult() throws Exception {
    start(chain -> chain.proceed().thenApply(result -> (Integer) result + 1));

    assertThat(callDouble(2)).isEqualTo(5);
  }

  @Test
  void rpcExceptionFromAnInterceptorIsTheCallersErrorAndTheMethodDoesNotRun() throws Exception {
    start(chain -> {
      throw new RpcException(RpcError.of(4001, "closed for maintenance"));
    });

    RpcError error = failureOfDouble(1);
    assertThat(error.code()).isEqualTo(4001);
    assertThat(error.message()).isEqualTo("closed for maintenance");
    assertThat(runs).hasValue(0);
  }

  @Test
  void otherExceptionFromAnInterceptorIsAnInternalErrorNamingOnlyItsType() throws Exception {
    start(chain -> {
      throw new IllegalArgumentException("secret detail");
    });

    RpcError error = failureOfDouble(1);
    assertThat(error.code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
    assertThat(error.data().get("type").asText()).isEqualTo("IllegalArgumentException");
    assertThat(error.toString()).doesNotContain("secret detail");
  }

  @Test
  void proceedingTwiceIsRefusedAndTheMethodRunsOnce() throws Exception {
    start(chain -> {
      chain.proceed();
      return chain.proceed();
    });

    RpcError error = failureOfDouble(1);
    assertThat(error.code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
    assertThat(error.data().get("type").asText()).isEqualTo("IllegalStateException");
    assertThat(runs).hasValue(1);
  }

  @Test
  void interceptorReturningNullIsAnInternalError() throws Exception {
    start(chain -> null);

    RpcError error = failureOfDouble(1);
    assertThat(error.code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
    assertThat(error.data().get("type").asText()).isEqualTo("IllegalStateException");
    assertThat(runs).hasValue(0);
  }

  @Test
  void authenticateWithoutAStringTokenIsInvalidParamsAndWithOneIsAcknowledged() throws Exception {
    List<String> tokens = new CopyOnWriteArrayList<>();
    start(chain -> {
      // Give the later $/authenticate time to be read first: the call must still see the token it came with.
      Thread.sleep(100);
      tokens.add(chain.context().bearerToken().orElse("none"));
      return chain.proceed();
    });
    ObjectMapper json = new ObjectMapper();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out.write(("{\"jsonrpc\":\"2.0\",\"method\":\"$/authenticate\",\"params\":{\"token\":7},\"id\":1}\n"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"double\",\"params\":[1],\"id\":2}\n"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"$/authenticate\",\"params\":{\"token\":\"t-1\"},\"id\":3}\n")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      // Replies come as calls complete, not in order: match them by id.
      Map<Integer, JsonNode> byId = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        JsonNode reply = json.readTree(in.readLine());
        byId.put(reply.path("id").asInt(), reply);
      }
      JsonNode refused = byId.get(1);
      JsonNode first = byId.get(2);
      JsonNode accepted = byId.get(3);
      out.write("{\"jsonrpc\":\"2.0\",\"method\":\"double\",\"params\":[2],\"id\":4}\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      JsonNode second = json.readTree(in.readLine());

      assertThat(refused.path("error").path("code").asInt()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
      assertThat(first.path("result").asInt()).isEqualTo(2);
      assertThat(accepted.path("result").asBoolean()).isTrue();
      assertThat(second.path("result").asInt()).isEqualTo(4);
      assertThat(tokens).containsExactly("none", "t-1");
    }
  }

  @Test
  void aTokenLongerThanAnAuthorizationHeaderMayBeIsInvalidParamsAndNotKept() throws Exception {
    List<String> tokens = new CopyOnWriteArrayList<>();
    start(chain -> {
      tokens.add(chain.context().bearerToken().map(t -> "length " + t.length()).orElse("none"));
      return chain.proceed();
    });
    ObjectMapper json = new ObjectMapper();
    try (LineSocket socket = new LineSocket(server.port())) {
      for (int[] attempt : new int[][] {{Request.MAX_TOKEN_CHARS + 1, 1}, {Request.MAX_TOKEN_CHARS, 3}}) {
        JsonNode answer = json.readTree(socket.call("{\"jsonrpc\":\"2.0\",\"method\":\"$/authenticate\","
            + "\"params\":{\"token\":\"" + "t".repeat(attempt[0]) + "\"},\"id\":" + attempt[1] + "}"));
        JsonNode call = json.readTree(socket.call("{\"jsonrpc\":\"2.0\",\"method\":\"double\",\"params\":[1],"
            + "\"id\":" + (attempt[1] + 1) + "}"));
        assertThat(call.path("result").asInt()).isEqualTo(2);
        if (attempt[0] > Request.MAX_TOKEN_CHARS) {
          assertThat(answer.path("error").path("code").asInt()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
          assertThat(answer.path("error").path("message").asText()).contains("at most " + Request.MAX_TOKEN_CHARS);
        } else {
          assertThat(answer.path("result").asBoolean()).as("%s", answer).isTrue();
        }
      }
      assertThat(tokens).containsExactly("none", "length " + Request.MAX_TOKEN_CHARS);
    }
  }
}
