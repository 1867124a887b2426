package io.courier.peer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Arguments;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.RpcHandler;
import io.courier.protocol.CourierJson;
import io.courier.protocol.JsonRpcCodec;
import io.courier.testing.NettyLeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inbound half of a session, driven through {@link Session#receive} on an {@link EmbeddedChannel}: what each
 * frame is answered with, and how running calls are reached by cancels, a closed connection and a stop. No
 * sockets; methods that block run on a small pool, the rest on the calling thread.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class InboundCallsTest {

  private static final ObjectMapper MAPPER = CourierJson.newMapper();
  private static final Serving.Limits LIMITS = new Serving.Limits(
      /* maxInFlightPerConnection */ 64, /* maxRunningPerConnection */ 16, /* maxBatchItems */ 3,
      /* maxBatchResponseBytes */ 1 << 20, /* maxOutboundMessageBytes */ 1 << 20);
  private static final Executor DIRECT = Runnable::run;

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final RecordingSink replies = new RecordingSink();
  private final AtomicInteger roomAgain = new AtomicInteger();
  /** Arguments of the {@code hello} notifications that ran. */
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final AtomicInteger counted = new AtomicInteger();
  private final Gate gate = new Gate();
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  /** What the session's own calls would be made with; these tests make none. */
  private final Calling calling = new Calling(MAPPER, Duration.ofSeconds(5), 16, Runnable::run, true, "test-timer");

  private final MethodTable methods = new MethodTable.Builder()
      .addFunction("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class), MAPPER)
      .addFunction("greet", args -> "Hello, " + args.arg(0, String.class) + args.kwarg("punctuation", String.class),
          MAPPER)
      .addFunction("hello", args -> heard.add(args.arg(0, String.class)), MAPPER)
      .addFunction("count", args -> counted.incrementAndGet(), MAPPER)
      .addFunction("block", gate, MAPPER)
      .build();

  @AfterEach
  void stopWorkers() throws InterruptedException {
    calling.stop();
    workers.shutdownNow(); // interrupts calls a failed test left blocked
    assertThat(workers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    channel.finishAndReleaseAll();
  }

  // -------------------------------------------------------------------------------------- single messages

  @Test
  void requestIsAnsweredWithItsResultAndId() {
    Session session = session(serving(DIRECT));

    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":7}");

    Reply reply = replies.next();
    assertThat(reply.json()).isEqualTo(json("{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":7}"));
    assertThat(reply.jsonRpc()).isTrue();
    replies.assertNoMore();
  }

  @Test
  void notificationIsRunAndNotAnswered() {
    Session session = session(serving(DIRECT));

    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"hello\",\"params\":[\"Ada\"]}");

    assertThat(replies.next().body()).isNull();
    assertThat(heard).containsExactly("Ada");
    replies.assertNoMore();
  }

  @Test
  void unknownMethodIsAnsweredWithMethodNotFoundAndNotGivenToTheUnservedHook() {
    RecordingUnserved unserved = new RecordingUnserved();
    Session session = session(serving(DIRECT, LIMITS, Serving.Interception.NONE, unserved));

    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"params\":[],\"id\":\"a\"}");

    JsonNode reply = replies.next().json();
    assertThat(reply.get("error").get("code").asInt()).isEqualTo(RpcError.METHOD_NOT_FOUND_CODE);
    assertThat(reply.get("id").asText()).isEqualTo("a");
    assertThat(unserved.received).isEmpty();
  }

  @Test
  void unknownNotificationReachesTheUnservedHook() {
    RecordingUnserved unserved = new RecordingUnserved();
    Session session = session(serving(DIRECT, LIMITS, Serving.Interception.NONE, unserved));

    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"progress\",\"params\":{\"done\":3}}");

    assertThat(replies.next().body()).isNull();
    assertThat(unserved.received).containsExactly("progress " + json("{\"done\":3}"));
  }

  @Test
  void frameIsStillAnsweredWhenTheUnservedHookThrows() {
    Serving.UnservedNotifications failing = (method, params, handled) -> {
      throw new IllegalStateException("listener failed");
    };
    Serving serving = serving(DIRECT, LIMITS, Serving.Interception.NONE, failing);
    Session session = session(serving);

    catchThrowable(() -> receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"progress\",\"params\":[1]}"));

    assertThat(replies.next().body()).isNull();
    serving.refuseNewCalls();
    assertThat(serving.awaitCalls(Duration.ZERO)).as("frames still counted in flight").isZero();
    assertThat(session.inbound().inFlight()).as("the notification still counted in flight").isZero();
  }

  @Test
  void anUnservedNotificationCountsInFlightUntilTheHookHasHandledIt() {
    List<Runnable> pending = new ArrayList<>();
    Session session = session(serving(DIRECT, LIMITS, Serving.Interception.NONE,
        (method, params, handled) -> pending.add(handled)));

    for (int i = 0; i < 3; i++) {
      receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"progress\",\"params\":[" + i + "]}");
      assertThat(replies.next().body()).isNull();
    }
    assertThat(session.inbound().inFlight()).isEqualTo(3);
    pending.get(0).run();
    pending.get(0).run(); // a second run changes nothing
    assertThat(session.inbound().inFlight()).isEqualTo(2);
    pending.get(1).run();
    pending.get(2).run();
    assertThat(session.inbound().inFlight()).isZero();
  }

  @Test
  void pingIsAnsweredWithPong() {
    Session session = session(serving(DIRECT));

    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"$/ping\",\"id\":\"p\"}");

    assertThat(replies.next().json()).isEqualTo(json("{\"jsonrpc\":\"2.0\",\"result\":\"pong\",\"id\":\"p\"}"));
  }

  @Test
  void callAfterRefuseNewCallsIsAnsweredShuttingDownAndNotRun() {
    Serving serving = serving(DIRECT);
    Session session = session(serving);

    serving.refuseNewCalls();
    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"count\",\"id\":1}");
    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"count\"}");

    JsonNode refused = replies.next().json();
    assertThat(refused.get("error").get("code").asInt()).isEqualTo(RpcError.SHUTTING_DOWN_CODE);
    assertThat(refused.get("id").asInt()).isEqualTo(1);
    assertThat(replies.next().body()).as("a notification is not answered, even when refused").isNull();
    assertThat(counted).hasValue(0);
  }

  // ------------------------------------------------------------------------------------------------ batches

  @Test
  void batchIsAnsweredWithOneArrayHoldingEachRequestsId() {
    Session session = session(serving(workers));

    receive(session, "["
        + "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"hello\",\"params\":[\"Ada\"]},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":\"two\"}"
        + "]");

    JsonNode reply = replies.next().json();
    assertThat(reply.isArray()).as("%s", reply).isTrue();
    List<String> ids = new ArrayList<>();
    reply.forEach(element -> ids.add(element.get("id").toString()));
    assertThat(ids).containsExactlyInAnyOrder("1", "\"two\"");
    assertThat(heard).containsExactly("Ada");
    replies.assertNoMore();
  }

  @Test
  void batchOverMaxBatchItemsGetsOneLimitErrorAndRunsNothing() {
    Session session = session(serving(DIRECT));
    String count = "{\"jsonrpc\":\"2.0\",\"method\":\"count\",\"id\":%d}";

    receive(session, "[" + String.format(count, 1) + "," + String.format(count, 2) + ","
        + String.format(count, 3) + "," + String.format(count, 4) + "]");

    JsonNode reply = replies.next().json();
    assertThat(reply.isObject()).as("one error, not an array: %s", reply).isTrue();
    assertThat(reply.get("error").get("code").asInt()).isEqualTo(RpcError.LIMIT_EXCEEDED_CODE);
    assertThat(reply.get("id").isNull()).isTrue();
    assertThat(counted).hasValue(0);
    replies.assertNoMore();
  }

  // ------------------------------------------------------------------------------------- the seed dialect

  @Test
  void seedDialectCallIsAnsweredInTheSeedForm() {
    Session session = session(serving(DIRECT));

    receive(session, "{\"method_name\":\"add\",\"method_args\":[1,2],\"method_kwargs\":{}}");

    Reply reply = replies.next();
    assertThat(reply.body()).isEqualTo("{\"res\": 3}");
    assertThat(reply.jsonRpc()).isFalse();
  }

  @Test
  void interceptionSeesBothArgsAndKwargsOfASeedCall() {
    List<String> seen = new CopyOnWriteArrayList<>();
    Serving.Interception recording = (context, args, kwargs, invocation) -> {
      seen.add(context.method() + " " + args + " " + kwargs);
      return invocation.invoke();
    };
    Session session = session(serving(DIRECT, LIMITS, recording, null));

    receive(session, "{\"method_name\":\"greet\",\"method_args\":[\"Ada\"],\"method_kwargs\":{\"punctuation\":\"!\"}}");

    assertThat(replies.next().body()).isEqualTo("{\"res\": \"Hello, Ada!\"}");
    assertThat(seen).containsExactly("greet [\"Ada\"] {\"punctuation\":\"!\"}");
  }

  // ------------------------------------------------------------------------------- reaching running calls

  @Test
  void cancelRequestSetsIsCancelledOnTheRunningCall() {
    Session session = session(serving(workers));
    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"block\",\"id\":1}");
    RpcContext running = gate.awaitEntered();
    assertThat(running.isCancelled()).isFalse();

    RecordingSink cancelReply = new RecordingSink();
    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":1}}", cancelReply);

    assertThat(running.isCancelled()).isTrue();
    assertThat(cancelReply.next().body()).isNull();
    JsonNode reply = replies.next().json();
    assertThat(reply.get("error").get("code").asInt()).isEqualTo(RpcError.CANCELLED_CODE);
    assertThat(reply.get("id").asInt()).isEqualTo(1);
  }

  @Test
  void abortRunningAnswersARunningCallWithTheGivenErrorExactlyOnce() throws InterruptedException {
    Session session = session(serving(workers));
    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"block\",\"id\":1}");
    RpcContext running = gate.awaitEntered();
    RpcError stopped = RpcError.SHUTTING_DOWN.withMessage("Stopped before the call ended");

    session.inbound().abortRunning(stopped);

    JsonNode reply = replies.next().json();
    assertThat(reply.get("error").get("code").asInt()).isEqualTo(RpcError.SHUTTING_DOWN_CODE);
    assertThat(reply.get("error").get("message").asText()).isEqualTo("Stopped before the call ended");
    assertThat(reply.get("id").asInt()).isEqualTo(1);
    assertThat(running.isCancelled()).isTrue();
    // The interrupted method still ends and answers; that answer must be dropped, not sent a second time.
    workers.shutdown();
    assertThat(workers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    replies.assertNoMore();
    assertThat(session.inbound().inFlight()).isZero();
  }

  @Test
  void atCapacityTurnsTrueAtTheInFlightCapAndRoomAgainRunsWhenACallEnds() {
    Serving.Limits two = new Serving.Limits(2, 2, LIMITS.maxBatchItems(), LIMITS.maxBatchResponseBytes(),
        LIMITS.maxOutboundMessageBytes());
    Session session = session(serving(workers, two, Serving.Interception.NONE, null));
    InboundCalls inbound = session.inbound();

    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"block\",\"id\":1}");
    assertThat(inbound.atCapacity()).isFalse();
    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"block\",\"id\":2}");
    gate.awaitEntered();
    gate.awaitEntered();
    assertThat(inbound.atCapacity()).isTrue();
    assertThat(roomAgain).hasValue(0);

    gate.releaseOne();
    replies.next();

    assertThat(roomAgain).hasValue(1);
    assertThat(inbound.atCapacity()).isFalse();

    gate.releaseOne();
    replies.next();
    assertThat(roomAgain).as("only the call that ends at the cap makes room").hasValue(1);
    assertThat(inbound.inFlight()).isZero();
  }

  @Test
  void closingTheSessionCancelsRunningCallsAndFailsPendingOutboundOnes() {
    Session session = session(serving(workers));
    OutboundCall<Integer> sent = new OutboundCall<>(1, "remote", null, 1, Long.MAX_VALUE, false,
        MAPPER.readerFor(Integer.class), new CompletableFuture<>(), DIRECT, RpcException::new, null);
    session.outbound().register(List.of(sent));
    receive(session, "{\"jsonrpc\":\"2.0\",\"method\":\"block\",\"id\":1}");
    RpcContext running = gate.awaitEntered();
    IllegalStateException lost = new IllegalStateException("connection lost");

    session.close(lost);

    assertThat(running.isCancelled()).isTrue();
    assertThat(replies.next().json().get("error").get("code").asInt()).isEqualTo(RpcError.CANCELLED_CODE);
    assertThat(catchThrowable(() -> sent.future().get())).isInstanceOf(ExecutionException.class)
        .cause().isSameAs(lost);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private Serving serving(Executor executor) {
    return serving(executor, LIMITS, Serving.Interception.NONE, null);
  }

  private Serving serving(Executor executor, Serving.Limits limits, Serving.Interception interception,
      Serving.UnservedNotifications unserved) {
    return new Serving(new JsonRpcCodec(MAPPER), methods, executor, limits, interception, unserved, false, null);
  }

  private Session session(Serving serving) {
    OutboundCalls outbound = new OutboundCalls(serving.codec(), serving.limits().maxOutboundMessageBytes(),
        "test-peer", () -> { }, serving.refusalLog(), body -> { });
    return new Session(serving, calling, channel, new FakeLink(), outbound, roomAgain::incrementAndGet);
  }

  private void receive(Session session, String frame) {
    receive(session, frame, replies);
  }

  private static void receive(Session session, String frame, Session.ReplySink sink) {
    session.receive(Unpooled.copiedBuffer(frame, UTF_8), null, null, sink);
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One frame's reply as it reached the sink: its text, or null when nothing was to be answered. */
  private record Reply(String body, boolean jsonRpc) {
    JsonNode json() {
      assertThat(body).as("a reply was expected").isNotNull();
      return InboundCallsTest.json(body);
    }
  }

  /** Keeps each reply, in the order they arrive, and releases its buffer. */
  private static final class RecordingSink implements Session.ReplySink {
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();

    @Override
    public void reply(ByteBuf body, boolean jsonRpc) {
      String text = null;
      if (body != null) {
        text = body.toString(UTF_8);
        body.release();
      }
      replies.add(new Reply(text, jsonRpc));
    }

    Reply next() {
      try {
        Reply reply = replies.poll(5, TimeUnit.SECONDS);
        assertThat(reply).as("a reply within 5 s").isNotNull();
        return reply;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    void assertNoMore() {
      assertThat(replies).as("replies beyond those expected").isEmpty();
    }
  }

  /** A method that blocks until the test releases it, handing over each call's context as it starts. */
  private static final class Gate implements RpcHandler {
    private final BlockingQueue<RpcContext> entered = new LinkedBlockingQueue<>();
    private final Semaphore release = new Semaphore(0);

    @Override
    public Object handle(Arguments arguments) throws InterruptedException {
      entered.add(RpcContext.current());
      release.acquire(); // a cancel interrupts it
      return "released";
    }

    RpcContext awaitEntered() {
      try {
        RpcContext context = entered.poll(5, TimeUnit.SECONDS);
        assertThat(context).as("a call started within 5 s").isNotNull();
        return context;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    void releaseOne() {
      release.release();
    }
  }

  /** Keeps the notifications that reached the hook as "method params". */
  private static final class RecordingUnserved implements Serving.UnservedNotifications {
    final List<String> received = new CopyOnWriteArrayList<>();

    @Override
    public void received(String method, JsonNode params, Runnable handled) {
      received.add(method + " " + params);
      handled.run();
    }
  }

  /** A raw TCP connection that may push; what the session sends of its own accord is dropped. */
  private static final class FakeLink implements Session.Link {
    @Override
    public String protocol() {
      return "tcp";
    }

    @Override
    public boolean canPush() {
      return true;
    }

    @Override
    public void send(ByteBuf message) {
      message.release();
    }
  }
}
