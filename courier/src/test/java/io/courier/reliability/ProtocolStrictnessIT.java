package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.reliability.Wire.Framing;
import io.courier.server.RpcServer;
import io.courier.testing.Canary;
import io.courier.testing.FakeJsonRpcServer;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Spec conformance and hostile content: T09, T10, T12, T13, T14, T15. */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class ProtocolStrictnessIT {

  /** The spec's example service: subtract, sum, update, get_data, notify_hello, plus a thrower. */
  public interface Spec {
    int subtract(int minuend, int subtrahend);

    int sum(int a, int b, int c);

    void update(int a, int b, int c, int d, int e);

    List<Object> get_data();

    void notify_hello(int x);

    void notify_sum(int a, int b, int c);

    String fail(String secret);
  }

  static final class SpecImpl implements Spec {
    @Override
    public int subtract(int minuend, int subtrahend) {
      return minuend - subtrahend;
    }

    @Override
    public int sum(int a, int b, int c) {
      return a + b + c;
    }

    @Override
    public void update(int a, int b, int c, int d, int e) {}

    @Override
    public List<Object> get_data() {
      return List.of("hello", 5);
    }

    @Override
    public void notify_hello(int x) {}

    @Override
    public void notify_sum(int a, int b, int c) {}

    @Override
    public String fail(String secret) {
      String s = null;
      if (secret != null) {
        throw new NullPointerException("secret=" + secret);
      }
      return s;
    }
  }

  private RpcServer server;

  @BeforeEach
  void start() {
    // Discovery off: this battery (T09, T14) holds that nothing but what the user registered is callable, and
    // rpc.discover, on by default since OpenRPC, is the one built-in method (OpenRpcIT covers it being on).
    server = RpcServer.builder().host("127.0.0.1").port(0)
        .service(Spec.class, new SpecImpl())
        .service(Api.class, new Api.Impl())
        .openRpc(false)
        .build().start();
  }

  @AfterEach
  void stop() {
    server.stop(Duration.ofMillis(500));
  }

  // ------------------------------------------------------------------------------------------------ T09

  /** Request, and the exact reply (null: no reply); "error" replies are compared by code and id. */
  private static final String[][] SPEC_TABLE = {
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":1}", "{\"result\":19,\"id\":1}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[23,42],\"id\":2}", "{\"result\":-19,\"id\":2}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":{\"subtrahend\":23,\"minuend\":42},\"id\":3}",
          "{\"result\":19,\"id\":3}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"update\",\"params\":[1,2,3,4,5]}", null},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"foobar\"}", null},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"foobar\",\"id\":\"1\"}", "{\"error\":-32601,\"id\":\"1\"}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"foobar, \"params\":\"bar\",\"baz]", "{\"error\":-32700,\"id\":null}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":1,\"params\":\"bar\"}", "{\"error\":-32600,\"id\":null}"},
      {"[{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2,4],\"id\":\"1\"},{\"jsonrpc\":\"2.0\",\"method\"]",
          "{\"error\":-32700,\"id\":null}"},
      {"[]", "{\"error\":-32600,\"id\":null}"},
      {"[1]", "[{\"error\":-32600,\"id\":null}]"},
      {"[1,2,3]", "[{\"error\":-32600,\"id\":null},{\"error\":-32600,\"id\":null},{\"error\":-32600,\"id\":null}]"},
      {"[{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2,4],\"id\":\"1\"},"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"notify_hello\",\"params\":[7]},"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":\"2\"},"
          + "{\"foo\":\"boo\"},"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"foo.get\",\"params\":{\"name\":\"myself\"},\"id\":\"5\"},"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"get_data\",\"id\":\"9\"}]",
          "[{\"result\":7,\"id\":\"1\"},{\"result\":19,\"id\":\"2\"},{\"error\":-32600,\"id\":null},"
              + "{\"error\":-32601,\"id\":\"5\"},{\"result\":[\"hello\",5],\"id\":\"9\"}]"},
      {"[{\"jsonrpc\":\"2.0\",\"method\":\"notify_sum\",\"params\":[1,2,4]},"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"notify_hello\",\"params\":[7]}]", null},
      // Beyond the spec's own examples.
      {"{\"method\":\"subtract\",\"params\":[1,1],\"id\":10}", "{\"error\":-32600,\"id\":10}"},
      {"{\"jsonrpc\":\"1.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":11}", "{\"error\":-32600,\"id\":11}"},
      {"{\"jsonrpc\":2.0,\"method\":\"subtract\",\"params\":[1,1],\"id\":12}", "{\"error\":-32600,\"id\":12}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":\"1,1\",\"id\":13}", "{\"error\":-32600,\"id\":13}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":{\"a\":1}}",
          "{\"error\":-32600,\"id\":null}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":[1]}", "{\"error\":-32600,\"id\":null}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":null}", "{\"result\":0,\"id\":null}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":\"abc\"}", "{\"result\":4,\"id\":\"abc\"}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":14}", "{\"error\":-32601,\"id\":14}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"rpc.foo\",\"params\":[],\"id\":15}", "{\"error\":-32601,\"id\":15}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1],\"id\":16}", "{\"error\":-32602,\"id\":16}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[\"a\",1],\"id\":17}", "{\"error\":-32602,\"id\":17}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":null,\"id\":18}", "{\"error\":-32600,\"id\":18}"},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":19,\"extra\":{\"x\":[1]}}",
          "{\"result\":0,\"id\":19}"},
      {"\"just a string\"", "{\"error\":-32600,\"id\":null}"},
      {"42", "{\"error\":-32600,\"id\":null}"},
      {"{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":20}", null},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,\"x\"]}", null},
      {"{\"jsonrpc\":\"2.0\",\"method\":\"no_such_thing\",\"params\":[]}", null},
  };

  @ParameterizedTest
  @EnumSource(Framing.class)
  void t09_specTable(Framing framing) throws Exception {
    try (Wire w = new Wire(server.port(), framing)) {
      w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":0}"); // warm up
      int sentinel = 1000;
      long worst = 0;
      Latencies lat = new Latencies();
      for (String[] c : SPEC_TABLE) {
        long start = System.nanoTime();
        // Concatenated framing needs a delimiter after a bare token; the spec's broken JSON needs its line end.
        w.send(framing == Framing.CONCATENATED ? c[0] + "\n" : c[0]);
        // A sentinel call after every case: if the case was answered, its reply comes first.
        String sentinelCall = "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":" + sentinel + "}";
        w.send(sentinelCall);
        // Replies come as calls complete, in any order: read until the sentinel's reply and the case's (if any).
        JsonNode caseReply = null;
        boolean sentinelSeen = false;
        while (!sentinelSeen || (c[1] != null && caseReply == null)) {
          JsonNode r = w.read();
          if (r.isObject() && r.path("id").isInt() && r.path("id").asInt() == sentinel) {
            sentinelSeen = true;
          } else {
            assertThat(caseReply).as("one reply to %s, got another: %s", c[0], r).isNull();
            caseReply = r;
          }
        }
        long ms = Probe.ms(start);
        worst = Math.max(worst, ms);
        if (c[1] == null) {
          assertThat(caseReply).as("no reply to %s", c[0]).isNull();
        } else {
          assertMatches(caseReply, Wire.JSON.readTree(c[1]), c[0]);
        }
        lat.add(ms);
        sentinel++;
      }
      // Nothing was answered late: the next reply is for the next call.
      w.send("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":\"last\"}");
      Thread.sleep(100);
      assertThat(w.read().path("id").asText()).isEqualTo("last");
      System.out.printf("T09 %s: %d cases, %s%n", framing, SPEC_TABLE.length, lat.summary());
      lat.assertWithin(50, "T09 case + sentinel");
    }
  }

  private static void assertMatches(JsonNode actual, JsonNode expected, String request) {
    if (expected.isArray()) {
      assertThat(actual.isArray()).as("array reply to %s: %s", request, actual).isTrue();
      assertThat(actual.size()).as("reply size to %s: %s", request, actual).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertMatches(actual.get(i), expected.get(i), request);
      }
      return;
    }
    assertThat(actual.isObject()).as("object reply to %s: %s", request, actual).isTrue();
    assertThat(actual.path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(actual.get("id")).as("id in reply to %s: %s", request, actual).isEqualTo(expected.get("id"));
    if (expected.has("error")) {
      assertThat(actual.has("result")).as("no result with an error: %s", actual).isFalse();
      assertThat(actual.path("error").path("code").asInt()).as("code for %s: %s", request, actual)
          .isEqualTo(expected.get("error").asInt());
      assertThat(actual.path("error").path("message").isTextual()).isTrue();
    } else {
      assertThat(actual.has("error")).as("no error for %s: %s", request, actual).isFalse();
      assertThat(actual.get("result")).as("result for %s", request).isEqualTo(expected.get("result"));
    }
  }

  /**
   * The specification's two "invalid JSON" examples leave a bracket open; a peer that concatenates its messages
   * sends no newline after them. Each must still be answered at once, and the stream must be in step afterwards.
   */
  @Test
  void t09_specsInvalidJsonIsAnsweredAtOnceOnAConcatenatedStream() throws Exception {
    String[] invalid = {
        "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]",
        "[ {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
            + "{\"jsonrpc\": \"2.0\", \"method\" ]",
    };
    try (Wire w = new Wire(server.port(), Framing.CONCATENATED)) {
      // Never a newline on this connection: it is a purely concatenated stream.
      assertThat(w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":0}").path("result")
          .asInt()).isZero();
      w.soTimeout(1000);
      for (String broken : invalid) {
        long start = System.nanoTime();
        JsonNode r = w.call(broken);
        long ms = Probe.ms(start);
        assertThat(r.path("error").path("code").asInt()).as("%s -> %s", broken, r).isEqualTo(-32700);
        assertThat(r.get("id")).as("%s -> %s", broken, r).isEqualTo(Wire.JSON.nullNode());
        assertThat(ms).as("answered within 1 s").isLessThan(1000);
        // The next reply is the next call's: the broken value's leftovers were not answered as well.
        JsonNode next = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":\"next\"}");
        assertThat(next.path("result").asInt()).as("%s", next).isEqualTo(19);
        assertThat(next.path("id").asText()).isEqualTo("next");
      }
    }
  }

  /** Whitespace tells nothing about the protocol, so it does not stop the protocol-detection timer. */
  @Test
  void t09_aConnectionSendingOnlyWhitespaceIsClosedAtTheDetectionTimeout() throws Exception {
    RpcServer quick = RpcServer.builder().host("127.0.0.1").port(0)
        .protocolDetectionTimeout(Duration.ofMillis(500))
        .service(Spec.class, new SpecImpl()).build().start();
    try (Wire w = new Wire(quick.port(), Framing.NEWLINE)) {
      long start = System.nanoTime();
      w.raw(" \r\n\t\n");
      long closed = w.awaitClose(3000);
      long ms = Probe.ms(start);
      System.out.printf("T09 whitespace only: closed after %d ms (detection timeout 500 ms)%n", ms);
      assertThat(closed).as("closed").isGreaterThanOrEqualTo(0);
      assertThat(ms).as("at the detection timeout, not the partial-message or idle one").isBetween(400L, 1500L);
    } finally {
      quick.stop(Duration.ofMillis(200));
    }
  }

  // ------------------------------------------------------------------------------------------------ T10

  @ParameterizedTest
  @EnumSource(Framing.class)
  void t10_duplicateKeysAndTrailingData(Framing framing) throws Exception {
    try (Wire w = new Wire(server.port(), framing)) {
      w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":0}");
      String[] duplicates = {
          "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"method\":\"sum\",\"params\":[5,1],\"id\":1}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"params\":[9,1],\"id\":2}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":3,\"id\":4}",
          "{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":5}",
      };
      Latencies lat = new Latencies();
      for (String d : duplicates) {
        long start = System.nanoTime();
        JsonNode r = w.call(d);
        long ms = Probe.ms(start);
        assertThat(r.path("error").path("code").asInt()).as("duplicate key in %s -> %s", d, r).isEqualTo(-32600);
        assertThat(r.has("result")).as("never last-key-wins").isFalse();
        lat.add(ms);
      }
      lat.assertWithin(50, "T10");
      // Duplicate keys inside params bind to nothing either.
      JsonNode inParams = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":{\"minuend\":5,"
          + "\"minuend\":9,\"subtrahend\":1},\"id\":6}");
      assertThat(inParams.path("error").path("code").asInt()).as("%s", inParams).isIn(-32600, -32602, -32700);
    }
  }

  @Test
  void t10_trailingDataInsideOneFrameIsAParseError() throws Exception {
    try (Wire w = new Wire(server.port(), Framing.CONTENT_LENGTH)) {
      long start = System.nanoTime();
      JsonNode r = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":1}xyz");
      assertThat(r.path("error").path("code").asInt()).as("%s", r).isEqualTo(-32700);
      JsonNode r2 = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":2}"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[9,1],\"id\":3}");
      assertThat(r2.path("error").path("code").asInt()).as("two values in one body: %s", r2).isEqualTo(-32700);
      assertThat(Probe.ms(start)).isLessThanOrEqualTo(100);
    }
    // On a JSON stream, the tail is the next value: it is answered on its own, never merged into the first.
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.send("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":1}xyz");
      List<JsonNode> two = List.of(w.read(), w.read());
      assertThat(two).anyMatch(r -> r.path("result").asInt() == 4 && r.path("id").asInt() == 1);
      assertThat(two).anyMatch(r -> r.path("error").path("code").asInt() == -32700);
    }
  }

  @Test
  void anIdTooLongToEchoIsAnInvalidRequestAnsweredWithANullIdAndTheConnectionServesOn() throws Exception {
    // An id near the message limit made a reply larger than the reply limit, whose fallback echoed it again.
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      JsonNode r = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":\""
          + "i".repeat(200_000) + "\"}");
      assertThat(r.path("error").path("code").asInt()).as("%s", r).isEqualTo(-32600);
      assertThat(r.get("id").isNull()).isTrue();
      JsonNode next = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":2}");
      assertThat(next.path("result").asInt()).isEqualTo(4);
    }
  }

  @Test
  void errorsTiedToNoCallAreLoggedOnceASecondShortAndOnOneLine() throws Exception {
    try (LogCapture log = new LogCapture(); Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      StringBuilder flood = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        flood.append("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"forged\\nERROR ")
            .append("x".repeat(300)).append("\"},\"id\":null}\n");
      }
      w.raw(flood.toString());
      // Answered after the flood: the connection read all of it and serves on.
      assertThat(w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[5,1],\"id\":1}")
          .path("result").asInt()).isEqualTo(4);
      // One line, and one more for each second the flood lasts (a count of the others): not one per error.
      assertThat(log.lines("could not tie to a call")).as(log.text()).isBetween(1L, 3L);
      assertThat(log.text()).doesNotContain("\nERROR x").doesNotContain("x".repeat(101));
    }
  }

  // ------------------------------------------------------------------------------------------------ T12

  @Test
  void t12_noClassFromInput() throws Exception {
    String[] payloads = {
        "[\"" + Canary.NAME + "\",{\"message\":\"x\"}]",
        "{\"@class\":\"" + Canary.NAME + "\",\"message\":\"x\"}",
        "{\"@type\":\"" + Canary.NAME + "\",\"message\":\"x\"}",
        "{\"@c\":\"" + Canary.NAME + "\"}",
        "[\"java.util.ArrayList\",[[\"" + Canary.NAME + "\",{}]]]",
    };
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      int id = 1;
      for (String p : payloads) {
        for (String method : List.of("any", "map")) {
          JsonNode r = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":[" + p + "],\"id\":"
              + id++ + "}");
          if (r.has("result")) {
            assertThat(r.get("result")).as("bound as plain data").isEqualTo(Wire.JSON.readTree(p));
          } else {
            assertThat(r.path("error").path("code").asInt()).as("%s", r).isEqualTo(-32602);
          }
        }
      }
    }
    assertThat(Canary.Flag.isSet()).as("canary initialised").isFalse();
    // An interface-typed param cannot be registered at all: nothing could choose its implementation.
    assertThatThrownBy(() -> RpcServer.builder().service(WithInterfaceParam.class, s -> "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  public interface WithInterfaceParam {
    String describe(Runnable r);
  }

  // ------------------------------------------------------------------------------------------------ T13

  public interface Remote {
    String op() throws java.io.IOException;
  }

  @Test
  void t13_clientNeverRebuildsAnErrorFromAClassNameItWasSent() throws Exception {
    String[] data = {
        "{\"type\":\"" + Canary.NAME + "\",\"message\":\"boom\"}",
        "{\"type\":\"java.lang.ProcessBuilder\",\"message\":\"calc\"}",
        "{\"exception\":\"" + Canary.NAME + "\",\"@class\":\"" + Canary.NAME + "\"}",
        "{\"type\":\"Canary\"}",
    };
    for (String d : data) {
      try (FakeJsonRpcServer fake = new FakeJsonRpcServer(req -> FakeJsonRpcServer.errorReply(req,
              "{\"code\":-32010,\"message\":\"boom\",\"data\":" + d + "}"));
          RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + fake.port())
              .callTimeout(Duration.ofSeconds(5)).build()) {
        Throwable thrown = catchThrowable(() -> client.create(Remote.class).op());
        assertThat(thrown).as("data %s", d).isInstanceOfAny(RpcException.class, java.io.IOException.class);
        assertThat(thrown.getClass().getName()).isNotEqualTo(Canary.NAME);
        assertThat(thrown.getClass().getName()).doesNotContain("ProcessBuilder");
        Throwable async = catchThrowable(() -> client.call("op", String.class).get());
        assertThat(async.getCause()).isInstanceOf(RpcException.class);
      }
    }
    assertThat(Canary.Flag.isSet()).as("canary initialised").isFalse();
  }

  // ------------------------------------------------------------------------------------------------ T14

  @Test
  void t14_onlyRegisteredMethodsAreCallable() throws Exception {
    String[] methods = {"getClass", "wait", "hashCode", "toString", "notify", "equals", "clone", "finalize",
        "java.lang.Runtime.exec", "Runtime.exec", "exec", "rpc.discover", "Spec.subtract",
        "io.courier.reliability.ProtocolStrictnessIT$SpecImpl.subtract", "SUBTRACT", "subtract "};
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[1,1],\"id\":0}");
      int id = 1;
      Latencies lat = new Latencies();
      for (String m : methods) {
        for (String params : List.of("[]", "[\"calc\"]", "[1,2]")) {
          long start = System.nanoTime();
          JsonNode r = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"" + m + "\",\"params\":" + params + ",\"id\":"
              + id++ + "}");
          assertThat(r.path("error").path("code").asInt()).as("%s%s -> %s", m, params, r).isEqualTo(-32601);
          lat.add(Probe.ms(start));
        }
      }
      System.out.println("T14 " + lat.summary());
      lat.assertWithin(50, "T14");
      // An overload that was never registered: subtract(String, String) / subtract with 3 params. With a single
      // registered overload Courier binds and answers -32602 (invalid params); see the report.
      for (String params : List.of("[\"a\",\"b\"]", "[1,2,3]")) {
        JsonNode r = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":" + params + ",\"id\":" + id++
            + "}");
        assertThat(r.path("error").path("code").asInt()).as("unregistered overload %s -> %s", params, r)
            .isIn(-32601, -32602);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ T15

  @Test
  void t15_internalErrorsCarryNoDetails() throws Exception {
    String secret = "hunter2-s3cr3t";
    try (LogCapture log = new LogCapture(); Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      String text;
      w.send("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":[\"" + secret + "\"],\"id\":4242}");
      text = w.readText();
      Thread.sleep(100);
      System.out.println("T15 reply: " + text);
      JsonNode r = Wire.JSON.readTree(text);
      assertThat(r.path("error").path("code").asInt()).isEqualTo(-32603);
      assertThat(r.path("error").path("message").asText()).isEqualTo("Internal error");
      assertThat(text).as("no secret").doesNotContain(secret);
      assertThat(text).as("no stack").doesNotContain("at io.courier").doesNotContain("stackTrace");
      // The core issue asks for the exception's simple type name in data (a category, not a class path);
      // the full name, the service's classes, the message and the trace stay out.
      assertThat(text).as("no class path").doesNotContain("java.lang").doesNotContain("SpecImpl");
      assertThat(text).as("only the simple type name").contains("\"data\":{\"type\":\"NullPointerException\"}");
      String logged = log.text();
      assertThat(logged).as("server log has the trace").contains("java.lang.NullPointerException")
          .contains("at io.courier.reliability.ProtocolStrictnessIT$SpecImpl.fail");
      assertThat(logged).as("server log has the call id").contains("4242");
    }
  }

  @Test
  void t15_developmentModeShowsDetails() throws Exception {
    RpcServer dev = RpcServer.builder().host("127.0.0.1").port(0).developmentMode(true)
        .service(Spec.class, new SpecImpl()).build().start();
    try (Wire w = new Wire(dev.port(), Framing.NEWLINE)) {
      String text;
      w.send("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":[\"dev\"],\"id\":1}");
      text = w.readText();
      assertThat(text).contains("NullPointerException").contains("secret=dev");
    } finally {
      dev.stop(Duration.ofMillis(200));
    }
    assertThat(Map.of()).isEmpty();
  }
}
