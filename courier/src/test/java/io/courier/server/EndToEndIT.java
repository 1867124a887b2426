package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Notification;
import io.courier.Peer;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.RpcMethod;
import io.courier.RpcService;
import io.courier.client.Batch;
import io.courier.client.RpcClient;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Calls from a real client to a real server over loopback: proxies, dynamic calls, params, batches. The
 * transport conformance suite: every test runs over each client transport (raw TCP, HTTP, WebSocket, and each
 * inside TLS) against the same one-port server.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
@ParameterizedClass(name = "{0}")
@EnumSource(Transports.class)
class EndToEndIT {

  @Parameter
  Transports transport;

  record Foo(String name, int size) {}

  @RpcService("calc")
  interface Calculator {
    int add(int a, int b);

    int subtract(int minuend, int subtrahend);

    CompletableFuture<Integer> squareLater(int x, int delayMs);

    List<Foo> foos(int count);

    String greet(String name, Optional<String> title, Integer age);

    void record(String event);

    @RpcMethod("notify_hello")
    void notifyHello(String who);
  }

  /** The client's asynchronous view of the same wire methods. */
  @RpcService("calc")
  interface AsyncCalculator {
    CompletableFuture<Integer> add(int a, int b);

    CompletableFuture<Integer> squareLater(int x, int delayMs);
  }

  /** The client's blocking view of an asynchronous server method. */
  @RpcService("calc")
  interface BlockingSquare {
    int squareLater(int x, int delayMs);
  }

  interface Overloaded {
    int sum(int a, int b);

    int sum(int a, int b, int c);
  }

  static final class OverloadedImpl implements Overloaded {
    @Override
    public int sum(int a, int b) {
      return a + b;
    }

    @Override
    public int sum(int a, int b, int c) {
      return 100 + a + b + c;
    }
  }

  /** The client's view with a fire-and-forget method. */
  interface Hello {
    @RpcMethod("notify_hello")
    @Notification
    void notifyHello(String who);
  }

  static final class CalculatorImpl implements Calculator {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch recorded = new CountDownLatch(1);
    final CountDownLatch hello = new CountDownLatch(1);
    volatile String helloFrom;
    private final ScheduledExecutorService scheduler;

    CalculatorImpl(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
    }

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public int subtract(int minuend, int subtrahend) {
      return minuend - subtrahend;
    }

    @Override
    public CompletableFuture<Integer> squareLater(int x, int delayMs) {
      CompletableFuture<Integer> result = new CompletableFuture<>();
      scheduler.schedule(() -> result.complete(x * x), delayMs, TimeUnit.MILLISECONDS);
      return result;
    }

    @Override
    public List<Foo> foos(int count) {
      List<Foo> foos = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        foos.add(new Foo("foo" + i, i));
      }
      return foos;
    }

    @Override
    public String greet(String name, Optional<String> title, Integer age) {
      return name + "|" + (title.isPresent() ? title.get() : "no title") + "|" + age;
    }

    @Override
    public void record(String event) {
      events.add(event);
      recorded.countDown();
    }

    @Override
    public void notifyHello(String who) {
      helloFrom = who;
      hello.countDown();
    }
  }

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ObjectMapper json = new ObjectMapper();
  private CalculatorImpl calculator;
  private RpcServer server;
  private RpcClient client;

  @BeforeEach
  void start() {
    calculator = new CalculatorImpl(scheduler);
    server = Transports.serve(RpcServer.builder())
        .host("127.0.0.1")
        .port(0)
        .service(Calculator.class, calculator)
        .service(Overloaded.class, new OverloadedImpl())
        .method("later", args -> CompletableFuture.supplyAsync(() -> "later " + args.arg(0, Integer.class)))
        .method("describe", args -> Map.of(
            "args", args.args(),
            "kwargs", args.kwargs(),
            "first", args.args().isEmpty() ? "none" : args.arg(0, String.class)))
        .method("transport", args -> {
          Peer connection = RpcContext.current().peer();
          return connection.protocol() + (connection.isSecure() ? "+tls" : "");
        })
        .method("push", args -> {
          RpcContext.current().peer().notify("pushed", Map.of("n", args.arg(0, Integer.class)));
          return "sent";
        })
        .method("echo", args -> args.arg(0, String.class))
        .method("echoAll", args -> args.args())
        .method("fail", args -> {
          throw new RpcException(RpcError.of(4242, "handler says no"));
        })
        .build()
        .start();
    client = transport.target(RpcClient.builder(), server.port())
        .callTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(Duration.ofSeconds(1));
    scheduler.shutdownNow();
  }

  private static RpcException rpcFailure(CompletableFuture<?> future) {
    Throwable thrown = null;
    try {
      future.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      thrown = e.getCause();
    } catch (Exception e) {
      throw new AssertionError("expected the call to fail with an RpcException", e);
    }
    assertThat(thrown).as("failure of the call").isInstanceOf(RpcException.class);
    return (RpcException) thrown;
  }

  // ------------------------------------------------------------------------------------------------- proxies

  @Test
  void largeStringsComeBackWholeWhateverTheyHold() throws Exception {
    // Plain ASCII is taken from the bytes on both sides; escapes, non-ASCII and control characters go through
    // Jackson; then all of them in one message, a long plain member name among them.
    String plain = "plain text ~".repeat(6000);
    String mixed = "tab\t quote\" back\\ é 测试 😀 \u0001 ".repeat(2000);
    String boundary = "b".repeat(1024);
    for (String value : List.of(plain, mixed, boundary, plain + "é", "é" + plain)) {
      assertThat(client.call("echo", String.class, value).get(5, TimeUnit.SECONDS)).isEqualTo(value);
    }
    // (Member names stay under Jackson's limit on name length, 50,000: a longer one is a parse error.)
    Map<String, String> named = Map.of(boundary + "name", mixed);
    List<Object> all = client.call("echoAll", new TypeReference<List<Object>>() {}, plain, named,
        List.of(boundary, mixed)).get(5, TimeUnit.SECONDS);
    assertThat(all).containsExactly(plain, named, List.of(boundary, mixed));
  }

  @Test
  void callArrivesOverTheChosenTransport() throws Exception {
    String expected = switch (transport) {
      case TCP -> "tcp";
      case HTTP -> "http";
      case WS -> "ws";
      case TLS -> "tcp+tls";
      case HTTPS -> "http+tls";
      case WSS -> "ws+tls";
    };

    assertThat(client.call("transport", String.class).get(5, TimeUnit.SECONDS)).isEqualTo(expected);
  }

  @Test
  void serverNotificationsReachTheClientWhereTheTransportCarriesThem() throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (RpcClient listening = transport.target(RpcClient.builder(), server.port())
        .notificationListener((method, params) -> received.add(method + " " + params))
        .build()) {
      if (transport.canPush()) {
        assertThat(listening.call("push", String.class, 7).get(5, TimeUnit.SECONDS)).isEqualTo("sent");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("pushed {\"n\":7}");
      } else {
        RpcException refused = rpcFailure(listening.call("push", String.class, 7));
        assertThat(refused.code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
        assertThat(refused.error().data().get("type").asText()).isEqualTo("IllegalStateException");
      }
    }
  }

  @Test
  void syncProxyCallReturnsTheResult() {
    Calculator calc = client.create(Calculator.class);

    assertThat(calc.add(2, 3)).isEqualTo(5);
    assertThat(calc.subtract(42, 23)).isEqualTo(19);
    assertThat(calc.foos(2)).containsExactly(new Foo("foo0", 0), new Foo("foo1", 1));
  }

  @Test
  void asyncServerMethodCompletingLaterAnswersASyncProxy() {
    BlockingSquare calc = client.create(BlockingSquare.class);

    assertThat(calc.squareLater(7, 100)).isEqualTo(49);
  }

  @Test
  void asyncProxyMethodReturnsBeforeTheServerAnswers() throws Exception {
    AsyncCalculator calc = client.create(AsyncCalculator.class);

    CompletableFuture<Integer> later = calc.squareLater(9, 300);

    assertThat(later).isNotDone();
    assertThat(later.get(5, TimeUnit.SECONDS)).isEqualTo(81);
  }

  @Test
  void syncServerMethodCanBeCalledThroughAnAsyncInterface() throws Exception {
    AsyncCalculator calc = client.create(AsyncCalculator.class);

    assertThat(calc.add(40, 2).get(5, TimeUnit.SECONDS)).isEqualTo(42);
  }

  @Test
  void proxiesAreCachedPerInterface() {
    assertThat(client.create(Calculator.class)).isSameAs(client.create(Calculator.class));
  }

  // ------------------------------------------------------------------------------------------- dynamic calls

  @Test
  void dynamicCallBindsTheResultToAClass() throws Exception {
    assertThat(client.call("calc.add", Integer.class, 20, 22).get(5, TimeUnit.SECONDS)).isEqualTo(42);
  }

  @Test
  void dynamicCallBindsTheResultToAGenericType() throws Exception {
    List<Foo> foos = client.call("calc.foos", new TypeReference<List<Foo>>() {}, 3).get(5, TimeUnit.SECONDS);

    assertThat(foos).containsExactly(new Foo("foo0", 0), new Foo("foo1", 1), new Foo("foo2", 2));
  }

  @Test
  void dynamicCallCanReturnTheResultAsAJsonTree() throws Exception {
    JsonNode tree = client.call("calc.foos", JsonNode.class, 1).get(5, TimeUnit.SECONDS);

    assertThat(tree).isEqualTo(json.readTree("[{\"name\":\"foo0\",\"size\":0}]"));
  }

  @Test
  void namedParamsBindByName() throws Exception {
    Integer difference = client.callNamed("calc.subtract", Integer.class,
        Map.of("subtrahend", 23, "minuend", 42)).get(5, TimeUnit.SECONDS);

    assertThat(difference).isEqualTo(19);
  }

  @Test
  void missingOptionalParamsBindToEmptyAndNull() throws Exception {
    assertThat(client.call("calc.greet", String.class, "Ada").get(5, TimeUnit.SECONDS))
        .isEqualTo("Ada|no title|null");
    assertThat(client.callNamed("calc.greet", String.class, Map.of("name", "Ada", "age", 36))
        .get(5, TimeUnit.SECONDS))
        .isEqualTo("Ada|no title|36");
    assertThat(client.call("calc.greet", String.class, "Ada", "Countess", 36).get(5, TimeUnit.SECONDS))
        .isEqualTo("Ada|Countess|36");
  }

  @Test
  void missingPrimitiveParamIsInvalidParams() {
    RpcException e = rpcFailure(client.call("calc.add", Integer.class, 1));

    assertThat(e.code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
  }

  @Test
  void unknownNamedParamIsInvalidParams() {
    RpcException e = rpcFailure(client.callNamed("calc.subtract", Integer.class,
        Map.of("minuend", 42, "subtrahend", 23, "bogus", 1)));

    assertThat(e.code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
  }

  @Test
  void tooManyPositionalParamsIsInvalidParams() {
    RpcException e = rpcFailure(client.call("calc.add", Integer.class, 1, 2, 3));

    assertThat(e.code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
  }

  @Test
  void stringForAnIntParamIsInvalidParams() {
    RpcException e = rpcFailure(client.call("calc.add", Integer.class, "one", 2));

    assertThat(e.code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
  }

  @Test
  void numericStringForAnIntParamIsNotCoerced() {
    RpcException e = rpcFailure(client.call("calc.add", Integer.class, "1", 2));

    assertThat(e.code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
  }

  @Test
  void unknownMethodReturnsMethodNotFound() {
    RpcException e = rpcFailure(client.call("calc.nope", Integer.class, 1));

    assertThat(e.code()).isEqualTo(RpcError.METHOD_NOT_FOUND_CODE);
  }

  @Test
  void objectMethodsOfTheImplementationAreNotCallable() {
    for (String name : List.of("toString", "hashCode", "getClass", "wait", "calc.toString", "calc.hashCode")) {
      RpcException e = rpcFailure(client.call(name, JsonNode.class));
      assertThat(e.code()).as(name).isEqualTo(RpcError.METHOD_NOT_FOUND_CODE);
    }
  }

  @Test
  void overloadsAreChosenByTheNumberOfParams() throws Exception {
    assertThat(client.call("sum", Integer.class, 1, 2).get(5, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(client.call("sum", Integer.class, 1, 2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(106);
    assertThat(client.callNamed("sum", Integer.class, Map.of("a", 1, "b", 2, "c", 3)).get(5, TimeUnit.SECONDS))
        .isEqualTo(106);
    assertThat(rpcFailure(client.call("sum", Integer.class, 1)).code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
  }

  // ------------------------------------------------------------------------------------------------ handlers

  @Test
  void handlerMayAnswerAsynchronously() throws Exception {
    assertThat(client.call("later", String.class, 3).get(5, TimeUnit.SECONDS)).isEqualTo("later 3");
  }

  @Test
  void handlerReceivesPositionalArgs() throws Exception {
    JsonNode result = client.callArgs("describe", JsonNode.class, List.of("a", 2), Map.of())
        .get(5, TimeUnit.SECONDS);

    assertThat(result.get("args")).isEqualTo(json.readTree("[\"a\",2]"));
    assertThat(result.get("kwargs")).isEqualTo(json.readTree("{}"));
    assertThat(result.get("first").asText()).isEqualTo("a");
  }

  @Test
  void handlerReceivesKeywordArgs() throws Exception {
    JsonNode result = client.callArgs("describe", JsonNode.class, List.of(), Map.of("x", 1))
        .get(5, TimeUnit.SECONDS);

    assertThat(result.get("args")).isEqualTo(json.readTree("[]"));
    assertThat(result.get("kwargs")).isEqualTo(json.readTree("{\"x\":1}"));
    assertThat(result.get("first").asText()).isEqualTo("none");
  }

  @Test
  void argsAndKwargsTogetherAreRefusedOnJsonRpc() {
    assertThatThrownBy(() -> client.callArgs("describe", JsonNode.class, List.of(1), Map.of("x", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void handlerThrowingRpcExceptionSendsItsError() {
    RpcException e = rpcFailure(client.call("fail", JsonNode.class));

    assertThat(e.code()).isEqualTo(4242);
    assertThat(e.error().message()).isEqualTo("handler says no");
  }

  // ------------------------------------------------------------------------------------------- notifications

  @Test
  void notificationRunsOnTheServer() throws Exception {
    client.notify("calc.record", "started");

    assertThat(calculator.recorded.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calculator.events).containsExactly("started");
    // A round trip after the notification: had the server answered it, the client would count a stray reply.
    assertThat(client.call("calc.add", Integer.class, 1, 1).get(5, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(client.droppedLateReplies()).isZero();
  }

  @Test
  void notificationAnnotatedProxyMethodRunsOnTheServer() throws Exception {
    client.create(Hello.class).notifyHello("proxy");

    assertThat(calculator.hello.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calculator.helloFrom).isEqualTo("proxy");
  }

  @Test
  void notificationGetsNoReplyOnTheWire() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.UTF_8));
      out.write(("{\"jsonrpc\":\"2.0\",\"method\":\"calc.record\",\"params\":[\"raw\"]}\n"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"calc.missing\"}\n"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":7}\n")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();

      JsonNode first = json.readTree(in.readLine());

      assertThat(first.get("id").asInt()).isEqualTo(7);
      assertThat(first.get("result").asInt()).isEqualTo(3);
      assertThat(calculator.recorded.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  // ------------------------------------------------------------------------------------------------- batches

  @Test
  void batchCompletesEachCallWithItsOwnResult() throws Exception {
    Batch batch = client.batch();
    CompletableFuture<Integer> sum = batch.call("calc.add", Integer.class, 1, 2);
    CompletableFuture<Integer> difference = batch.callNamed("calc.subtract", Integer.class,
        Map.of("minuend", 10, "subtrahend", 4));
    batch.notify("calc.record", "from batch");
    CompletableFuture<Integer> square = batch.call("calc.squareLater", Integer.class, 5, 50);

    assertThat(batch.size()).isEqualTo(4);
    batch.send().get(5, TimeUnit.SECONDS);

    assertThat(sum.get()).isEqualTo(3);
    assertThat(difference.get()).isEqualTo(6);
    assertThat(square.get()).isEqualTo(25);
    assertThat(calculator.recorded.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calculator.events).containsExactly("from batch");
  }

  @Test
  void batchReportsErrorsPerElement() throws Exception {
    Batch batch = client.batch();
    CompletableFuture<Integer> good = batch.call("calc.add", Integer.class, 1, 2);
    CompletableFuture<Integer> missing = batch.call("calc.nope", Integer.class);
    CompletableFuture<Integer> badParams = batch.call("calc.add", Integer.class, "x", 1);
    CompletableFuture<Integer> alsoGood = batch.call("calc.subtract", Integer.class, 5, 3);

    batch.send().get(5, TimeUnit.SECONDS);

    assertThat(good.get()).isEqualTo(3);
    assertThat(alsoGood.get()).isEqualTo(2);
    assertThat(rpcFailure(missing).code()).isEqualTo(RpcError.METHOD_NOT_FOUND_CODE);
    assertThat(rpcFailure(badParams).code()).isEqualTo(RpcError.INVALID_PARAMS_CODE);
  }

  @Test
  void batchOfOnlyNotificationsRunsThemAll() throws Exception {
    client.batch().notify("calc.record", "n1").notify("calc.record", "n2").send().get(5, TimeUnit.SECONDS);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (calculator.events.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(calculator.events).containsExactlyInAnyOrder("n1", "n2");
    assertThat(client.call("calc.add", Integer.class, 1, 1).get(5, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(client.droppedLateReplies()).isZero();
  }

  @Test
  void batchCannotBeSentTwice() throws Exception {
    Batch batch = client.batch();
    batch.call("calc.add", Integer.class, 1, 2);
    batch.send().get(5, TimeUnit.SECONDS);

    assertThatThrownBy(batch::send).isInstanceOf(IllegalStateException.class);
  }
}
