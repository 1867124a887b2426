package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RequestId;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.peer.LocalMethod;
import io.courier.protocol.Decoded;
import io.courier.protocol.InvalidMessage;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.Message;
import io.courier.protocol.PeerText;
import io.courier.protocol.Request;
import io.courier.protocol.Response;
import io.courier.protocol.SeedRequest;
import io.courier.transport.Encoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound half of a session: it runs the calls that arrive on one connection, whatever the transport. It
 * looks each method up, runs it on the executor (or inline when it is {@link io.courier.NonBlocking}), maps
 * what it threw to an error, and encodes the frame's reply. Separate requests are answered as they complete, in
 * any order; a batch is answered with one array once all its calls are done. It also keeps the calls that are
 * running, so that {@code $/cancelRequest}, a closed connection and a stopping server can reach them. It is
 * given what it needs ({@link Serving}, the channel, its session) and calls nothing above it. Thread-safe; one
 * per connection.
 */
public final class InboundCalls {

  private static final Logger log = LoggerFactory.getLogger(InboundCalls.class);

  private final Serving serving;
  private final Serving.Limits limits;
  private final JsonRpcCodec codec;
  private final Session session;
  private final Channel channel;
  /** The end's event listeners; null when it has none. */
  private final EventListeners events;
  /** At most this many cancels for unknown calls per window before the connection counts as abusive. */
  static final int MAX_UNMATCHED_CANCELS = 200;
  static final Duration CANCEL_WINDOW = Duration.ofSeconds(30);

  /**
   * How a message arrived: with what headers, whether it may run on this thread (a worker decoded it), whether
   * its calls are to be refused (the connection is at its cap), whether it is an element of a batch, and its
   * share of its frame's bytes.
   */
  private record Arrival(HttpHeaders headers, boolean inline, boolean refuse, boolean batched, long bytes) {}

  /** A call that is running, with what is needed to cancel or answer it early. */
  private record Running(RpcContext context, CompletableFuture<ByteBuf> reply, boolean seed, boolean batched) {

    /** Whether the caller waits for an answer: a request, or a call in the tutorial's dialect. */
    boolean answered() {
      return context.id() != null || seed;
    }
  }

  /**
   * Calls that are running and awaited, so that a closed connection and a stopping server can reach every one
   * of them: requests by id (which {@code $/cancelRequest} names), tutorial-dialect calls, which have none, by a
   * key of their own.
   */
  private final Map<Object, Running> running = new ConcurrentHashMap<>();
  /** Subscriptions being served, by the subscribing call's id; registered under its lock, with early demand. */
  private final Map<RequestId, InboundStream> streams = new ConcurrentHashMap<>();
  /**
   * Demand that arrived for a call whose method has not returned its publisher yet; only for running calls, so
   * bounded by the in-flight cap. Moved to a stream under the lock of {@link #streams}, so none is lost.
   */
  private final Map<RequestId, Long> earlyDemand = new ConcurrentHashMap<>();
  // Guarded by this: counted on the event loop, or on a worker for a frame decoded there.
  private long cancelWindowStart = System.nanoTime();
  private int unmatchedCancels;
  /** Calls and notifications running on this connection, counted against the in-flight cap. */
  private final AtomicInteger active = new AtomicInteger();
  /** This connection's share of the worker pool. */
  private final FairShare workers;
  private final Runnable onRoomAgain;

  /**
   * @param onRoomAgain run (on any thread) when the calls in flight fall below the cap again, so the transport
   *     can resume reading
   */
  InboundCalls(Serving serving, Channel channel, Session session, Runnable onRoomAgain) {
    this.serving = serving;
    this.limits = serving.limits();
    this.codec = serving.codec();
    this.session = session;
    this.channel = channel;
    this.events = serving.events();
    this.onRoomAgain = onRoomAgain;
    this.workers = new FairShare(serving.executor(), limits.maxRunningPerConnection());
  }

  /** Returns this connection's share of the worker pool, for work of its own beyond calls (large frames). */
  public FairShare workers() {
    return workers;
  }

  /** Whether the connection has as many calls in flight as it may; the transport should stop reading. */
  public boolean atCapacity() {
    return active.get() >= limits.maxInFlightPerConnection();
  }

  /**
   * Counts a frame handed to a worker for decoding as one call in flight, so that large frames waiting for a
   * worker are bounded by the in-flight cap like calls are.
   */
  public void reserve() {
    active.incrementAndGet();
  }

  /** Ends what {@link #reserve()} started. */
  public void unreserve() {
    callEnded();
  }

  /** Returns the calls and notifications running on this connection. */
  public int inFlight() {
    return active.get();
  }

  private void callEnded() {
    if (active.decrementAndGet() == limits.maxInFlightPerConnection() - 1) {
      onRoomAgain.run();
    }
  }

  /**
   * Runs the calls of one decoded frame and hands the frame's reply to {@code sink} once they are done:
   * exactly once per frame, with {@code null} when nothing is to be answered. Responses in it go to the
   * session's outbound half.
   *
   * @param bytes the frame's size
   * @param headers the HTTP headers that came with the frame, or null on raw TCP
   */
  void handle(Decoded decoded, int bytes, HttpHeaders headers, Session.ReplySink sink, boolean refuse) {
    List<Message> messages = decoded.messages();
    serving.frameStarted();
    if (!decoded.batch()) {
      Message message = messages.get(0);
      // A single call in a frame decoded on a worker runs right there; a batch's calls still spread over the
      // executor, so that one slow call does not run the others one after another.
      boolean inline = !channel.eventLoop().inEventLoop();
      dispatchOrFail(message, new Arrival(headers, inline, refuse, false, bytes)).whenComplete((reply, unexpected) -> {
        try {
          if (unexpected != null) {
            unanswerable(unexpected);
          } else {
            sink.reply(reply, !(message instanceof SeedRequest) && !isSeedError(message));
          }
        } finally {
          serving.frameFinished();
        }
      });
      return;
    }
    if (messages.size() > limits.maxBatchItems()) {
      serving.refusalLog().warn(log, "Refused a batch of {} items from {} (limit {})", messages.size(),
          channel.remoteAddress(), limits.maxBatchItems());
      RpcError error = RpcError.LIMIT_EXCEEDED.withMessage("Batch of " + messages.size()
          + " items exceeds the limit of " + limits.maxBatchItems() + "; nothing was run");
      rejected(null, error);
      try {
        sink.reply(encodeFrameError(error), true);
      } finally {
        serving.frameFinished();
      }
      return;
    }
    @SuppressWarnings("unchecked")
    CompletableFuture<ByteBuf>[] replies = (CompletableFuture<ByteBuf>[]) new CompletableFuture<?>[messages.size()];
    AtomicLong budget = new AtomicLong(limits.maxBatchResponseBytes());
    Arrival inBatch = new Arrival(headers, false, refuse, true, bytes / messages.size());
    for (int i = 0; i < replies.length; i++) {
      RequestId elementId = idOf(messages.get(i));
      replies[i] = dispatchOrFail(messages.get(i), inBatch)
          .thenApply(element -> withinBudget(element, elementId, budget));
    }
    CompletableFuture.allOf(replies).whenComplete((ignored, unexpected) -> {
      try {
        if (unexpected != null) {
          unanswerable(unexpected);
        } else {
          sink.reply(joinBatch(replies), true);
        }
      } finally {
        serving.frameFinished();
      }
    });
  }

  /**
   * A reply could not even be encoded as an error (the JVM is out of memory, say): closing the connection is
   * the one outcome left that its caller will see, as a lost connection.
   */
  private void unanswerable(Throwable failure) {
    log.error("Closing connection from {}: cannot answer a call ({})", channel.remoteAddress(), failure.toString());
    channel.close();
  }

  private static boolean isSeedError(Message message) {
    return message instanceof InvalidMessage invalid && invalid.seed();
  }

  /**
   * {@link #dispatch}, with what it throws as its future's failure: the frame it belongs to must end either way,
   * or a graceful stop would wait for it.
   */
  private CompletableFuture<ByteBuf> dispatchOrFail(Message message, Arrival arrival) {
    try {
      return dispatch(message, arrival);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Runs one message; the future completes with its encoded reply, or null when nothing is answered. */
  private CompletableFuture<ByteBuf> dispatch(Message message, Arrival arrival) {
    if (message instanceof InvalidMessage invalid) {
      rejected(null, invalid.error());
      return CompletableFuture.completedFuture(invalid.seed()
          ? encodeSeedError(invalid.error())
          : encode(out -> codec.writeError(out, invalid.id(), invalid.error())));
    }
    if (message instanceof Response response) {
      session.outbound().complete(response, arrival.bytes());
      return CompletableFuture.completedFuture(null);
    }
    if (message instanceof SeedRequest seed) {
      return call(seed.method(), null, seed.args(), seed.kwargs(), true, -1, null, arrival);
    }
    Request request = (Request) message;
    if (Request.CANCEL_METHOD.equals(request.method())) {
      if (request.isNotification()) {
        cancel(request.params());
      }
      return done(request.isNotification() ? null
          : encodeError(request.id(), RpcError.INVALID_REQUEST.withMessage(
              "Invalid Request: " + Request.CANCEL_METHOD + " is a notification"), false));
    }
    if (Request.DEMAND_METHOD.equals(request.method())) {
      if (request.isNotification()) {
        demand(request.params());
      }
      return done(request.isNotification() ? null
          : encodeError(request.id(), RpcError.INVALID_REQUEST.withMessage(
              "Invalid Request: " + Request.DEMAND_METHOD + " is a notification"), false));
    }
    if (Request.ITEMS_METHOD.equals(request.method()) && request.isNotification()) {
      session.outbound().items(request.params());
      return done(null);
    }
    if (Request.AUTHENTICATE_METHOD.equals(request.method())) {
      return done(authenticate(request));
    }
    if (Request.PING_METHOD.equals(request.method())) {
      return done(request.isNotification() ? null : encode(out -> codec.writeResult(out, request.id(), "pong")));
    }
    JsonNode params = request.params();
    return call(request.method(), request.isNotification() ? null : request.id(),
        params instanceof ArrayNode array ? array : null,
        params instanceof ObjectNode object ? object : null, false, request.timeoutMs(), request.meta(), arrival);
  }

  /**
   * Keeps the connection's bearer token for the interceptors; the token itself is never logged. A token is
   * held for the connection's life and hashed by {@code BearerTokenAuth} on each call, so its length is bounded
   * as an HTTP {@code Authorization} header's is.
   */
  private ByteBuf authenticate(Request request) {
    JsonNode token = request.params() instanceof ObjectNode object ? object.get("token") : null;
    if (token == null || !token.isTextual() || token.textValue().length() > Request.MAX_TOKEN_CHARS) {
      serving.refusalLog().warn(log, "Ignored a {} from {} without a string token of at most {} chars",
          Request.AUTHENTICATE_METHOD, channel.remoteAddress(), Request.MAX_TOKEN_CHARS);
      return request.isNotification() ? null : encodeError(request.id(), RpcError.INVALID_PARAMS.withMessage(
          "Invalid params: " + Request.AUTHENTICATE_METHOD + " takes {\"token\": string} of at most "
              + Request.MAX_TOKEN_CHARS + " chars"), false);
    }
    session.token(token.asText());
    return request.isNotification() ? null : encode(out -> codec.writeResult(out, request.id(), true));
  }

  /**
   * Looks a method up and runs it: on the executor, or right here when it is non-blocking or {@code inline}
   * (this thread is already a worker). {@code id} is null for notifications.
   */
  private CompletableFuture<ByteBuf> call(String name, RequestId id, ArrayNode args, ObjectNode kwargs,
      boolean seed, long timeoutMs, Map<String, String> meta, Arrival arrival) {
    boolean notification = id == null && !seed;
    if (serving.isStopping()) {
      return refused(name, id, RpcError.SHUTTING_DOWN, seed);
    }
    if (arrival.refuse()) {
      serving.busyLog().warn(log, "Busy: refusing calls from {}, which has {} in flight (the limit) while this end "
          + "waits for its answers", channel.remoteAddress(), active.get());
      return refused(name, id, RpcError.SERVER_BUSY, seed);
    }
    LocalMethod method;
    try {
      method = serving.methods().lookup(name, args, kwargs);
    } catch (RpcException e) {
      return refused(name, id, e.error(), seed);
    }
    if (method == null) {
      if (notification && serving.unserved() != null) {
        active.incrementAndGet();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable handled = () -> {
          if (ended.compareAndSet(false, true)) {
            callEnded();
          }
        };
        try {
          serving.unserved().received(name, args != null ? args : kwargs, handled);
        } catch (RuntimeException e) {
          // The frame is answered whatever the hook does (its executor may refuse the task, say).
          log.warn("Notification {} from {} could not be handed on: {}", PeerText.abbreviate(name),
              channel.remoteAddress(), e.toString());
          handled.run();
        }
        return done(null);
      }
      log.debug("Method not found from {}", channel.remoteAddress());
      return refused(name, id, RpcError.METHOD_NOT_FOUND, seed);
    }
    long deadline = timeoutMs < 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    RpcContext context = RpcContext.Access.create(name, id, session, arrival.headers(), meta, method::annotation,
        deadline, session.token());
    if (events != null) {
      RpcContext.Access.record(context, CallRecord.served(events, name, id, session, arrival.bytes()));
    }
    CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
    // Notifications are not kept: nobody waits for them, so neither a closed connection nor a stop cuts them short
    // (a client may well send one and close). Tutorial-dialect calls have no id but a caller: a key of their own.
    Object key = id != null ? id : seed ? new Object() : null;
    if (key != null) {
      running.put(key, new Running(context, reply, seed, arrival.batched()));
    }
    active.incrementAndGet();
    if (method.nonBlocking() || arrival.inline()) {
      // Non-blocking methods run on the I/O thread; a call decoded on a worker runs on that worker.
      invoke(key, method, context, args, kwargs, seed, reply);
      return reply;
    }
    Runnable task = () -> invoke(key, method, context, args, kwargs, seed, reply);
    if (serving.waiters().handOff(task)) {
      return reply; // a thread of this end waits for an answer from its peer: it runs the call meanwhile
    }
    Runnable refused = () -> refuseBusy(key, context, seed, reply);
    try {
      workers.execute(task, refused);
    } catch (RejectedExecutionException e) {
      refused.run();
    }
    return reply;
  }

  /** Stops keeping a call that ended; notifications were never kept. */
  private void forget(Object key) {
    if (key != null) {
      running.remove(key);
    }
  }

  /** Answers a call the executor has no room for: "server busy", which says it was not processed. */
  private void refuseBusy(Object key, RpcContext context, boolean seed, CompletableFuture<ByteBuf> reply) {
    serving.busyLog().warn(log, "Busy: refusing calls (executor and queue full); latest from {}",
        channel.remoteAddress());
    forget(key);
    callEnded();
    RequestId id = context.id();
    ByteBuf body = id == null && !seed ? null : encodeError(id, RpcError.SERVER_BUSY, seed);
    ended(context, body, RpcError.SERVER_BUSY);
    completeReply(reply, body);
  }

  /** Refuses a message before any method runs: tells the listeners, and answers it unless it is a notification. */
  private CompletableFuture<ByteBuf> refused(String method, RequestId id, RpcError error, boolean seed) {
    rejected(method, error);
    return id == null && !seed ? done(null) : fail(id, error, seed);
  }

  private void rejected(String method, RpcError error) {
    if (events != null) {
      events.callRejected(session, method, error);
    }
  }

  /**
   * Tells the listeners that a call ended, with its reply {@code body} (null when nothing is sent) and its error
   * (null for a result); only the first time for a call, whichever path ends it.
   */
  private static void ended(RpcContext context, ByteBuf body, RpcError error) {
    if (RpcContext.Access.record(context) instanceof CallRecord record) {
      record.end(error, body == null ? -1 : body.readableBytes());
    }
  }

  private void invoke(Object key, LocalMethod method, RpcContext context, ArrayNode args, ObjectNode kwargs,
      boolean seed, CompletableFuture<ByteBuf> reply) {
    CallRecord record = RpcContext.Access.record(context) instanceof CallRecord recorded ? recorded : null;
    if (record != null) {
      record.running();
    }
    if (context.isCancelled()) {
      // Cancelled while it waited in the queue: nobody wants the result, so it does not run.
      complete(key, method, context, seed, null, new RpcException(RpcError.CANCELLED.withMessage(
          "Cancelled before the call could start; it was not run")), reply);
      return;
    }
    if (RpcContext.Access.isExpired(context)) {
      // It waited in the queue until its caller gave up: running it now would be work nobody reads.
      complete(key, method, context, seed, null, new RpcException(RpcError.TIMEOUT.withMessage(
          "Deadline exceeded before the call could start; it was not run")), reply);
      return;
    }
    Object result;
    RpcContext outer = RpcContext.Access.enter(context);
    Waiters outerEnd = serving.waiters().enter();
    try {
      result = serving.interception().run(context, args, kwargs, record == null
          ? () -> method.invoke(method.bind(args, kwargs))
          : () -> {
            Object[] bound = method.bind(args, kwargs);
            record.invoked();
            return method.invoke(bound);
          });
    } catch (Throwable t) {
      Waiters.leave(outerEnd);
      RpcContext.Access.exit(context, outer);
      complete(key, method, context, seed, null, t, reply);
      return;
    }
    Waiters.leave(outerEnd);
    RpcContext.Access.exit(context, outer);
    if (result instanceof CompletionStage<?> stage) {
      stage.whenComplete((value, t) -> complete(key, method, context, seed, value, t, reply));
    } else {
      complete(key, method, context, seed, result, null, reply);
    }
  }

  private void complete(Object key, LocalMethod method, RpcContext context, boolean seed, Object value,
      Throwable failure, CompletableFuture<ByteBuf> reply) {
    try {
      if (failure == null && value instanceof Flow.Publisher<?> publisher) {
        publish(key, method, context, seed, publisher, reply);
        return;
      }
      answer(key, method, context, seed, value, failure, reply);
    } catch (Throwable t) {
      // Nothing may escape: on a worker it would end the thread, in a future's callback it would vanish, and
      // either way the call would never be answered.
      ended(context, null, RpcError.INTERNAL_ERROR);
      reply.completeExceptionally(t);
    }
  }

  private void answer(Object key, LocalMethod method, RpcContext context, boolean seed, Object value,
      Throwable failure, CompletableFuture<ByteBuf> reply) {
    RequestId id = context.id();
    forget(key);
    if (id != null && !earlyDemand.isEmpty()) {
      earlyDemand.remove(id); // demand for a call that ended without a subscription
    }
    callEnded();
    boolean notification = id == null && !seed;
    if (reply.isDone()) {
      return; // answered already: the server stopped and told the caller so
    }
    if (failure != null) {
      RpcError error = toError(method, context, failure);
      ByteBuf body = notification ? null : encodeError(id, error, seed);
      ended(context, body, error);
      completeReply(reply, body);
      return;
    }
    if (notification) {
      ended(context, null, null);
      reply.complete(null);
      return;
    }
    ByteBuf body = encodeResult(context, seed, method, value);
    ended(context, body, null);
    completeReply(reply, body);
  }

  /**
   * Encodes a call's result; when that cannot be done (the reply would exceed the outbound limit, the value
   * cannot be serialized, or even an {@link Error} such as running out of memory), encodes the error that
   * answers the call instead, so that it still gets exactly one outcome.
   */
  private ByteBuf encodeResult(RpcContext context, boolean seed, LocalMethod method, Object value) {
    RequestId id = context.id();
    try {
      return Encoder.encode(channel.alloc(), limits.maxOutboundMessageBytes(), seed
          ? out -> codec.writeSeedResult(out, value)
          : out -> codec.writeResult(out, id, method.resultWriter(), value));
    } catch (Encoder.TooLargeException e) {
      serving.replyLog().warn(log, "Reply to {} (id {}) exceeds {} bytes: answered with {} instead",
          context.method(), id, limits.maxOutboundMessageBytes(), RpcError.LIMIT_EXCEEDED_CODE);
      RpcError error = RpcError.LIMIT_EXCEEDED.withMessage("Reply exceeds " + limits.maxOutboundMessageBytes()
          + " bytes; the call ran but its result was not sent");
      ByteBuf body = encodeError(id, error, seed);
      ended(context, body, error);
      return body;
    } catch (IOException | RuntimeException | Error e) {
      serving.replyLog().warn(log, "Cannot serialize the result of {} (id {}): {}", context.method(), id,
          e.toString());
      ByteBuf body = encodeError(id, RpcError.INTERNAL_ERROR, seed);
      ended(context, body, RpcError.INTERNAL_ERROR);
      return body;
    }
  }

  /** Maps what a method threw to the error sent back; only declared and {@link RpcException} errors speak. */
  private RpcError toError(LocalMethod method, RpcContext context, Throwable thrown) {
    Throwable t = Failures.unwrap(thrown);
    if (t instanceof RpcException e) {
      return e.error();
    }
    if (context.isCancelled() && t instanceof InterruptedException) {
      return RpcError.CANCELLED;
    }
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("type", t.getClass().getSimpleName());
    if (method.declares(t)) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      data.put("message", message);
      log.debug("Method {} (id {}) threw declared {}", context.method(), context.id(), t.toString());
      return RpcError.of(RpcError.DECLARED_EXCEPTION_CODE, message, data);
    }
    log.warn("Method {} (id {}) failed", context.method(), context.id(), t);
    if (!serving.developmentMode()) {
      return RpcError.INTERNAL_ERROR.withData(data);
    }
    data.put("message", String.valueOf(t.getMessage()));
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    data.put("stackTrace", trace.toString());
    return RpcError.INTERNAL_ERROR.withData(data);
  }

  /** Completes a call's reply unless it was answered already, in which case the late one is dropped. */
  private static void completeReply(CompletableFuture<ByteBuf> reply, ByteBuf body) {
    if (!reply.complete(body) && body != null) {
      body.release();
    }
  }

  private synchronized void cancel(JsonNode params) {
    JsonNode idNode = params == null ? null : params.isObject() ? params.get("id")
        : params.isArray() && params.size() == 1 ? params.get(0) : null;
    RequestId id = RequestId.of(idNode);
    Running call = id == null ? null : running.get(id);
    if (call != null) {
      log.debug("Call {} (id {}) cancelled by {}", call.context.method(), id, channel.remoteAddress());
      RpcContext.Access.cancel(call.context);
      InboundStream stream = streams.get(id);
      if (stream != null) {
        stream.cancel(RpcError.CANCELLED.withMessage("Subscription cancelled by the subscriber"));
      }
      return;
    }
    unmatched("cancels");
  }

  /**
   * Counts a control message for a call that does not exist. They cost this end work and nothing else: a
   * flood of them is abuse (the Rapid Reset pattern), and the connection is closed.
   */
  private synchronized void unmatched(String what) {
    long now = System.nanoTime();
    if (now - cancelWindowStart > CANCEL_WINDOW.toNanos()) {
      cancelWindowStart = now;
      unmatchedCancels = 0;
    }
    if (++unmatchedCancels == MAX_UNMATCHED_CANCELS + 1) {
      log.warn("Closing connection from {}: over {} {} for unknown calls within {}",
          channel.remoteAddress(), MAX_UNMATCHED_CANCELS, what, CANCEL_WINDOW);
      channel.close();
    }
  }

  private static CompletableFuture<ByteBuf> done(ByteBuf reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private CompletableFuture<ByteBuf> fail(RequestId id, RpcError error, boolean seed) {
    return done(encodeError(id, error, seed));
  }

  /**
   * Encodes an error reply. One that cannot be written as it is (its data would pass the outbound limit, or
   * cannot be serialized) goes as an error of Courier's own without data, so that the call is still answered.
   */
  private ByteBuf encodeError(RequestId id, RpcError error, boolean seed) {
    try {
      return encodeErrorAsIs(id, error, seed);
    } catch (RuntimeException e) {
      boolean tooLarge = e.getCause() instanceof Encoder.TooLargeException;
      serving.replyLog().warn(log, "Error reply (id {}) cannot be sent as it is ({}): sent without its data", id,
          tooLarge ? "over " + limits.maxOutboundMessageBytes() + " bytes" : e.toString());
      return encodeErrorAsIs(id, tooLarge ? RpcError.LIMIT_EXCEEDED.withMessage("Error reply exceeds "
          + limits.maxOutboundMessageBytes() + " bytes") : RpcError.INTERNAL_ERROR, seed);
    }
  }

  private ByteBuf encodeErrorAsIs(RequestId id, RpcError error, boolean seed) {
    return seed ? encodeSeedError(error) : encode(out -> codec.writeError(out, id, error));
  }

  private ByteBuf encodeSeedError(RpcError error) {
    return encode(out -> codec.writeSeedError(out, error));
  }

  private ByteBuf encode(Encoder.Body body) {
    try {
      return Encoder.encode(channel.alloc(), limits.maxOutboundMessageBytes(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Charges a batch element's reply to the batch's response budget as soon as it is ready, so that no more
   * than the budget is ever held: past it, the result is dropped and the call answered with "limit exceeded"
   * (geth's semantics).
   */
  private ByteBuf withinBudget(ByteBuf element, RequestId id, AtomicLong budget) {
    if (element == null || budget.addAndGet(-element.readableBytes()) >= 0) {
      return element;
    }
    element.release();
    return encode(out -> codec.writeError(out, id, RpcError.LIMIT_EXCEEDED.withMessage(
        "Batch response exceeds " + limits.maxBatchResponseBytes()
            + " bytes; this call ran but its result was dropped")));
  }

  /** Joins a batch's replies into one array; null when every element was a notification. */
  private ByteBuf joinBatch(CompletableFuture<ByteBuf>[] replies) {
    ByteBuf out = null;
    for (CompletableFuture<ByteBuf> reply : replies) {
      ByteBuf element = reply.getNow(null);
      if (element == null) {
        continue;
      }
      if (out == null) {
        out = channel.alloc().buffer();
        out.writeByte('[');
      } else {
        out.writeByte(',');
      }
      out.writeBytes(element);
      element.release();
    }
    return out == null ? null : out.writeByte(']');
  }

  private static RequestId idOf(Message message) {
    if (message instanceof Request request && request.id() != null) {
      return request.id();
    }
    return message instanceof InvalidMessage invalid ? invalid.id() : RequestId.NULL;
  }

  /** Encodes an error that answers a whole frame, such as one the framing refused. */
  public ByteBuf encodeFrameError(RpcError error) {
    return encode(out -> codec.writeError(out, RequestId.NULL, error));
  }

  /** Cancels every running call and subscription: the peer is gone and nobody will read the replies. */
  void cancelAll() {
    running.values().forEach(call -> RpcContext.Access.cancel(call.context));
    streams.values().forEach(stream -> stream.cancel(RpcError.CONNECTION_LOST.withMessage(
        "Connection closed; the subscription was cancelled")));
  }

  /** The connection takes writes again: subscriptions that paused for it ask their publishers for more. */
  public void resumeStreams() {
    streams.values().forEach(InboundStream::resume);
  }

  /**
   * Serves a subscription: the method returned a publisher, which streams items to the caller as it asks for
   * them; the call stays in flight until the publisher ends. Only a request on a connection that carries
   * notifications can subscribe: not a notification, a call in a batch or the tutorial's dialect, nor HTTP.
   */
  private void publish(Object key, LocalMethod method, RpcContext context, boolean seed,
      Flow.Publisher<?> publisher, CompletableFuture<ByteBuf> reply) {
    RequestId id = context.id();
    Running call = key == null ? null : running.get(key);
    String refusal = id == null || seed ? "a notification or a call in the tutorial's dialect cannot subscribe"
        : call != null && call.batched() ? "a call in a batch cannot subscribe"
        : !session.canPush() ? "a " + session.protocol() + " connection cannot carry a subscription's items"
        : null;
    if (refusal != null) {
      answer(key, method, context, seed, null, new RpcException(RpcError.INVALID_REQUEST.withMessage(
          "Invalid Request: " + context.method() + " returns a subscription, but " + refusal)), reply);
      return;
    }
    InboundStream stream = new InboundStream(id, method.resultWriter(), codec, limits.maxOutboundMessageBytes(),
        channel, session::send, (ended, error) -> endStream(key, context, ended, error, reply));
    Long early;
    synchronized (streams) {
      streams.put(id, stream);
      early = earlyDemand.remove(id);
    }
    stream.start(publisher);
    if (early != null) {
      stream.demand(early);
    }
  }

  /** A subscription ended: its call is answered (a null result when it completed) and leaves the flight. */
  private void endStream(Object key, RpcContext context, InboundStream stream, RpcError error,
      CompletableFuture<ByteBuf> reply) {
    RequestId id = context.id();
    streams.remove(id, stream);
    forget(key);
    callEnded();
    ByteBuf body = error == null ? encode(out -> codec.writeResult(out, id, null)) : encodeError(id, error, false);
    ended(context, body, error);
    completeReply(reply, body);
  }

  /** Passes the peer's {@code $/demand} on to the subscription it names. */
  private void demand(JsonNode params) {
    RequestId id = params instanceof ObjectNode object ? RequestId.of(object.get("id")) : null;
    JsonNode count = params instanceof ObjectNode object ? object.get("n") : null;
    if (id == null || count == null || !count.canConvertToLong()) {
      log.debug("Ignored a {} without an id and a whole n from {}", Request.DEMAND_METHOD, channel.remoteAddress());
      return;
    }
    long n = count.asLong();
    InboundStream stream;
    synchronized (streams) {
      stream = streams.get(id);
      if (stream == null && running.containsKey(id)) {
        // The method has not returned its publisher yet: the demand waits for it.
        earlyDemand.merge(id, n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        return;
      }
    }
    if (stream != null) {
      stream.demand(n);
    } else {
      unmatched("demands");
    }
  }

  /**
   * Answers every running call with {@code error} at once and cancels it: the server is stopping and will not
   * wait for them.
   */
  public void abortRunning(RpcError error) {
    streams.values().forEach(stream -> stream.cancel(error));
    running.values().forEach(call -> {
      // Answer first: once cancelled, the method may return and answer with its own error.
      ByteBuf body = call.answered() ? encodeError(call.context.id(), error, call.seed) : null;
      ended(call.context, body, error);
      completeReply(call.reply, body);
      RpcContext.Access.cancel(call.context);
    });
  }
}
