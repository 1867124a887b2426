package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.PeerText;
import io.courier.protocol.Request;
import io.courier.protocol.Response;
import io.courier.transport.Encoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound half of a session: the calls this end sent on one connection, by id, each completed by its reply
 * in whatever order replies arrive. When the connection closes, every call still pending fails at once.
 * Thread-safe; one per connection.
 */
public final class OutboundCalls {

  private static final Logger log = LoggerFactory.getLogger(OutboundCalls.class);

  /** Writes one message (or a batch array) with the session's codec. */
  @FunctionalInterface
  public interface Body {
    void write(JsonRpcCodec codec, OutputStream out) throws IOException;
  }

  /**
   * The id of keepalive pings ({@code $/ping}): a string, so it never collides with a call's numeric id; its
   * answer only shows that the peer is alive.
   */
  public static final RequestId PING_ID = RequestId.of("$ping");

  private final JsonRpcCodec codec;
  private final int maxOutboundMessageBytes;
  /** Who is at the other end, for log lines. */
  private final Object peer;
  /** Told of each reply that arrived for a call nobody waits for any more. */
  private final Runnable lateReply;
  /** Errors the peer could not tie to a call, which it may send at will: logged through the end's refusal log. */
  private final RateLimitedLog untiedErrors;
  /** Sends a notification to the peer: how abandoning a call tells it to stop. */
  private final Consumer<Body> notifier;
  /** Told when a call is registered, so that a connection that stopped reading reads the answer. */
  private volatile Runnable onPending = () -> { };
  private final Map<Long, OutboundCall<?>> pending = new ConcurrentHashMap<>();
  /** Why the table was closed; null while open. */
  private volatile Throwable closedBy;

  /**
   * @param peer who is at the other end, for log lines
   * @param lateReply told of each reply that arrived after its call timed out or was cancelled
   * @param notifier sends a notification on the connection (the {@code $/cancelRequest} of an abandoned call)
   */
  public OutboundCalls(JsonRpcCodec codec, int maxOutboundMessageBytes, Object peer, Runnable lateReply,
      RateLimitedLog untiedErrors, Consumer<Body> notifier) {
    this.codec = codec;
    this.maxOutboundMessageBytes = maxOutboundMessageBytes;
    this.peer = peer;
    this.lateReply = lateReply;
    this.untiedErrors = untiedErrors;
    this.notifier = notifier;
  }

  /**
   * Counts {@code calls} as pending from now on, so that closing fails them too, and returns those still
   * waiting (a call may have timed out or been cancelled already). After {@link #close}, fails them at once.
   */
  public List<OutboundCall<?>> register(List<OutboundCall<?>> calls) {
    List<OutboundCall<?>> live = new ArrayList<>(calls.size());
    for (OutboundCall<?> call : calls) {
      if (!call.isDone()) {
        call.sentThrough(this);
        pending.put(call.id(), call);
        live.add(call);
      }
    }
    if (!live.isEmpty()) {
      onPending.run();
    }
    Throwable closed = closedBy;
    if (closed != null) {
      // close() may have run before the calls were registered; fail them here instead.
      live.forEach(call -> fail(call, closed));
      return List.of();
    }
    return live;
  }

  /** Returns how many calls wait for their answers; it takes no lock. */
  public int pendingCount() {
    return pending.size();
  }

  /** Whether any call waits for its answer. */
  public boolean hasPending() {
    return !pending.isEmpty();
  }

  /**
   * Sets what runs (on the registering thread) each time calls are registered: a connection that stops reading
   * while its calls in flight are at the cap must read again once this end waits for answers.
   */
  public void onPending(Runnable onPending) {
    this.onPending = onPending;
  }

  /** Whether any of {@code calls} still waits in this table. */
  public boolean anyPending(List<OutboundCall<?>> calls) {
    for (OutboundCall<?> call : calls) {
      if (pending.get(call.id()) == call) {
        return true;
      }
    }
    return false;
  }

  /**
   * Encodes one message within the outbound limit. When it cannot be (too large, or a param the mapper cannot
   * write), fails {@code calls} with an error that says it was not sent, and returns null.
   */
  public ByteBuf encode(ByteBufAllocator alloc, List<OutboundCall<?>> calls, Body body) {
    try {
      ByteBuf message = Encoder.encode(alloc, maxOutboundMessageBytes, out -> body.write(codec, out));
      if (!calls.isEmpty()) {
        long share = message.readableBytes() / calls.size();
        calls.forEach(call -> call.wrote(share));
      }
      return message;
    } catch (Encoder.TooLargeException e) {
      failAll(calls, new RpcException(RpcError.LIMIT_EXCEEDED.withMessage("Request exceeds "
          + maxOutboundMessageBytes + " bytes; it was not sent")));
    } catch (IOException | RuntimeException e) {
      // A param Jackson cannot write: the caller's mistake, told as such rather than as a checked exception.
      failAll(calls, new RpcException(RpcError.INVALID_PARAMS.withMessage(
          "Cannot encode the request; it was not sent: " + e.getMessage()), e));
    }
    if (calls.isEmpty()) {
      log.debug("Dropped a notification to {} that cannot be encoded", peer);
    }
    return null;
  }

  private void failAll(List<OutboundCall<?>> calls, Throwable failure) {
    calls.forEach(call -> fail(call, failure));
  }

  /** Fails {@code call} if it is still pending here. */
  public void fail(OutboundCall<?> call, Throwable failure) {
    if (pending.remove(call.id(), call)) {
      call.fail(failure);
    }
  }

  /**
   * Stops waiting for {@code call} (it timed out or was cancelled) and, when it was pending on an open
   * connection, tells the peer with {@code $/cancelRequest}. A reply that still arrives is dropped.
   */
  public void abandon(OutboundCall<?> call) {
    if (pending.remove(call.id(), call) && closedBy == null) {
      ObjectNode params = JsonNodeFactory.instance.objectNode().put("id", call.id());
      notifier.accept((codec, out) -> codec.writeRequest(out, null, Request.CANCEL_METHOD, params, -1));
    }
  }

  /**
   * Tells the calls that were just written so: a subscribing call's demand, asked for before it was written,
   * follows it now, so that the peer never hears of demand before the call it is for.
   */
  public void written(List<OutboundCall<?>> calls) {
    for (OutboundCall<?> call : calls) {
      OutboundStream<?> stream = call.stream();
      if (stream != null) {
        stream.written();
      }
    }
  }

  /** Sends the peer {@code $/demand} for {@code n} more items of the subscription {@code call} made. */
  void demand(OutboundCall<?> call, long n) {
    if (pending.get(call.id()) == call && closedBy == null) {
      ObjectNode params = JsonNodeFactory.instance.objectNode().put("id", call.id()).put("n", n);
      notifier.accept((codec, out) -> codec.writeRequest(out, null, Request.DEMAND_METHOD, params, -1));
    }
  }

  /** Hands a subscription's items ({@code $/items}) to the call that subscribed; items for no call are dropped. */
  public void items(JsonNode params) {
    RequestId id = params instanceof ObjectNode object ? RequestId.of(object.get("id")) : null;
    Long key = id == null ? null : numericId(id);
    OutboundCall<?> call = key == null ? null : pending.get(key);
    OutboundStream<?> stream = call == null ? null : call.stream();
    if (stream == null) {
      lateReply.run();
      log.debug("Dropped items for id {} from {}: no subscription is waiting for them", id, peer);
      return;
    }
    stream.items(params.get("items"));
  }

  /** Completes the call a response is for; a response for no pending call is logged, counted and dropped. */
  public void complete(Response response, long bytes) {
    if (response.id().equals(PING_ID)) {
      return; // reading it was the point
    }
    Long id = numericId(response.id());
    OutboundCall<?> call = id == null ? null : pending.remove(id);
    if (call == null) {
      if (response.id().isNull() && response.isError()) {
        untiedErrors.warn(log, "Peer {} reported an error it could not tie to a call: {} {}", peer,
            response.error().code(), PeerText.abbreviate(response.error().message()));
      } else {
        lateReply.run();
        log.debug("Dropped a reply for id {} from {}: no call is waiting for it (timed out or cancelled)",
            response.id(), peer);
      }
      return;
    }
    call.answered(bytes);
    if (response.isError()) {
      call.failRemote(response.error());
    } else {
      call.succeed(response.result());
    }
  }

  private static Long numericId(RequestId id) {
    if (id.isString() || id.isNull()) {
      return null;
    }
    try {
      return Long.parseLong(id.json());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Whether {@link #close} has run. */
  public boolean isClosed() {
    return closedBy != null;
  }

  /** Fails every pending call with {@code failure}, and every call registered later. Idempotent. */
  public void close(Throwable failure) {
    if (closedBy == null) {
      closedBy = failure;
    }
    for (OutboundCall<?> call : List.copyOf(pending.values())) {
      fail(call, closedBy);
    }
  }
}
