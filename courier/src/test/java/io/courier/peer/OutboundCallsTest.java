package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.protocol.CourierJson;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.Response;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The calls one end sent on a connection, completed by their replies; no sockets, no channel. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class OutboundCallsTest {

  private static final ObjectMapper MAPPER = CourierJson.newMapper();
  private static final JsonRpcCodec CODEC = new JsonRpcCodec(MAPPER);
  private static final int MAX_OUTBOUND_BYTES = 1024;

  record Point(int x, int y) {}

  private final AtomicInteger lateReplies = new AtomicInteger();
  private final RecordingNotifier notifier = new RecordingNotifier();
  private final OutboundCalls calls =
      new OutboundCalls(CODEC, MAX_OUTBOUND_BYTES, "test-peer", lateReplies::incrementAndGet,
          new RateLimitedLog(Duration.ofSeconds(1)), notifier);

  @Test
  void registeredCallCompletesWithTheResultBoundToTheReadersType() throws Exception {
    OutboundCall<Point> call = call(1, Point.class);
    calls.register(List.of(call));

    calls.complete(new Response(RequestId.of(1), json("{\"x\":3,\"y\":4}"), null), -1);

    assertThat(call.future().get()).isEqualTo(new Point(3, 4));
    assertThat(calls.anyPending(List.of(call))).isFalse();
    assertThat(lateReplies).hasValue(0);
  }

  @Test
  void errorResponseFailsTheCallWithAnRpcExceptionCarryingTheError() {
    OutboundCall<Integer> call = call(2, Integer.class);
    calls.register(List.of(call));
    RpcError sent = RpcError.of(-32050, "Out of coffee", json("{\"cups\":0}"));

    calls.complete(new Response(RequestId.of(2), null, sent), -1);

    assertThat(failureOf(call)).isInstanceOfSatisfying(RpcException.class,
        e -> assertThat(e.error()).isEqualTo(sent));
  }

  @Test
  void responseForNoPendingCallIsCountedAsLateAndDropped() {
    OutboundCall<Integer> waiting = call(3, Integer.class);
    calls.register(List.of(waiting));

    calls.complete(new Response(RequestId.of(99), IntNode.valueOf(1), null), -1);
    calls.complete(new Response(RequestId.of("3"), IntNode.valueOf(1), null), -1); // a string id never names a call

    assertThat(lateReplies).hasValue(2);
    assertThat(waiting.future()).isNotDone();
    assertThat(calls.anyPending(List.of(waiting))).isTrue();
  }

  @Test
  void errorWithANullIdIsLoggedAndNotCountedAsLate() {
    OutboundCall<Integer> waiting = call(4, Integer.class);
    calls.register(List.of(waiting));

    try (LogCapture log = new LogCapture()) {
      calls.complete(new Response(RequestId.NULL, null, RpcError.PARSE_ERROR), -1);

      assertThat(log.lines("could not tie to a call")).as(log.text()).isEqualTo(1);
    }
    assertThat(lateReplies).hasValue(0);
    assertThat(waiting.future()).isNotDone();
  }

  @Test
  void abandonSendsOneCancelRequestWithTheIdAndALaterReplyIsDroppedAsLate() {
    OutboundCall<Integer> call = call(5, Integer.class);
    calls.register(List.of(call));

    calls.abandon(call);
    calls.abandon(call);

    assertThat(notifier.sent).hasSize(1);
    JsonNode cancel = notifier.sent.get(0);
    assertThat(cancel.get("method").asText()).isEqualTo("$/cancelRequest");
    assertThat(cancel.get("params")).isEqualTo(json("{\"id\":5}"));
    assertThat(cancel.has("id")).as("a notification has no id: %s", cancel).isFalse();
    assertThat(calls.anyPending(List.of(call))).isFalse();

    calls.complete(new Response(RequestId.of(5), IntNode.valueOf(42), null), -1);

    assertThat(lateReplies).hasValue(1);
    assertThat(call.future()).isNotDone();
  }

  @Test
  void abandonAfterCloseSendsNothing() {
    OutboundCall<Integer> call = call(6, Integer.class);
    calls.register(List.of(call));
    calls.close(new IllegalStateException("gone"));

    calls.abandon(call);

    assertThat(notifier.sent).isEmpty();
  }

  @Test
  void closeFailsEveryPendingCallWithTheFailure() {
    OutboundCall<Integer> first = call(7, Integer.class);
    OutboundCall<String> second = call(8, String.class);
    calls.register(List.of(first, second));
    RuntimeException lost = new RuntimeException("connection lost");

    calls.close(lost);

    assertThat(failureOf(first)).isSameAs(lost);
    assertThat(failureOf(second)).isSameAs(lost);
    assertThat(calls.isClosed()).isTrue();
  }

  @Test
  void callRegisteredAfterCloseFailsAtOnce() {
    RuntimeException lost = new RuntimeException("connection lost");
    calls.close(lost);
    OutboundCall<Integer> late = call(9, Integer.class);

    List<OutboundCall<?>> live = calls.register(List.of(late));

    assertThat(live).isEmpty();
    assertThat(failureOf(late)).isSameAs(lost);
  }

  @Test
  void closeKeepsTheFirstFailure() {
    RuntimeException first = new RuntimeException("first");
    calls.close(first);
    calls.close(new RuntimeException("second"));
    OutboundCall<Integer> late = call(10, Integer.class);

    calls.register(List.of(late));

    assertThat(failureOf(late)).isSameAs(first);
  }

  @Test
  void encodeOverTheOutboundLimitFailsTheCallsWithLimitExceededAndKeepsNoBuffer() {
    OutboundCall<Integer> first = call(11, Integer.class);
    OutboundCall<Integer> second = call(12, Integer.class);
    calls.register(List.of(first, second));
    TrackingAllocator alloc = new TrackingAllocator();
    Object[] params = {"x".repeat(MAX_OUTBOUND_BYTES)};

    ByteBuf encoded = calls.encode(alloc, List.of(first, second),
        (codec, out) -> codec.writeRequest(out, RequestId.of(11), "echo", params));

    assertThat(encoded).isNull();
    for (OutboundCall<Integer> call : List.of(first, second)) {
      assertThat(failureOf(call)).isInstanceOfSatisfying(RpcException.class,
          e -> assertThat(e.error().code()).isEqualTo(RpcError.LIMIT_EXCEEDED_CODE));
    }
    assertThat(alloc.allocated).isNotEmpty();
    assertThat(alloc.allocated).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
  }

  @Test
  void encodeWithinTheLimitReturnsTheMessage() {
    OutboundCall<Integer> call = call(13, Integer.class);
    calls.register(List.of(call));

    ByteBuf encoded = calls.encode(UnpooledByteBufAllocator.DEFAULT, List.of(call),
        (codec, out) -> codec.writeRequest(out, RequestId.of(13), "add", new Object[] {1, 2}));

    try {
      assertThat(json(encoded.toString(StandardCharsets.UTF_8)))
          .isEqualTo(json("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":13}"));
      assertThat(call.future()).isNotDone();
    } finally {
      encoded.release();
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** A call that completes its future on the thread that completes it, never retried. */
  private static <R> OutboundCall<R> call(long id, Class<R> type) {
    return new OutboundCall<>(id, "method" + id, null, 1, Long.MAX_VALUE, false, MAPPER.readerFor(type),
        new CompletableFuture<>(), Runnable::run, RpcException::new, null);
  }

  private static Throwable failureOf(OutboundCall<?> call) {
    assertThat(call.future()).isCompletedExceptionally();
    try {
      call.future().get();
      throw new AssertionError("not failed: " + call.method());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Keeps each notification the table sends, as the JSON the codec writes for it. */
  private static final class RecordingNotifier implements Consumer<OutboundCalls.Body> {
    final List<JsonNode> sent = new ArrayList<>();

    @Override
    public void accept(OutboundCalls.Body body) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        body.write(CODEC, out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      sent.add(json(out.toString(StandardCharsets.UTF_8)));
    }
  }

  /** Remembers every buffer it hands out, so that a test can see each one was released. */
  private static final class TrackingAllocator extends AbstractByteBufAllocator {
    final List<ByteBuf> allocated = new ArrayList<>();

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      ByteBuf buf = Unpooled.buffer(initialCapacity, maxCapacity);
      allocated.add(buf);
      return buf;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      ByteBuf buf = Unpooled.directBuffer(initialCapacity, maxCapacity);
      allocated.add(buf);
      return buf;
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }
}
