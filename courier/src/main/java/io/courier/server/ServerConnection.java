package io.courier.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.protocol.Decoded;
import io.courier.protocol.InvalidMessage;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.Message;
import io.courier.protocol.Request;
import io.courier.protocol.RequestId;
import io.courier.protocol.Response;
import io.courier.protocol.SeedRequest;
import io.courier.transport.FrameDecoder;
import io.courier.transport.FrameError;
import io.courier.transport.FrameWriter;
import io.courier.transport.WriteQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on the server: it decodes each frame, dispatches the calls in it to the executor and
 * writes each reply in the connection's framing. Stateful, one per channel. Replies to separate requests go
 * out as they complete, in any order; a batch is answered with one array once all its calls are done.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  /** The notification a caller sends when it gives up on a call (the Language Server Protocol's name). */
  static final String CANCEL_METHOD = "$/cancelRequest";

  private final RpcServer server;
  private final JsonRpcCodec codec;
  private final FrameDecoder decoder;
  /** Calls that are running, by id, so that {@code $/cancelRequest} can reach them. */
  private final Map<RequestId, RpcContext> running = new ConcurrentHashMap<>();
  private Channel channel;
  private WriteQueue writes;

  ServerConnection(RpcServer server, FrameDecoder decoder) {
    this.server = server;
    this.codec = server.codec();
    this.decoder = decoder;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    channel = ctx.channel();
    writes = new WriteQueue(channel);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FrameError error) {
      rejectFrame(error);
      return;
    }
    if (!(msg instanceof ByteBuf frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    Decoded decoded;
    try {
      decoded = decode(frame);
    } finally {
      frame.release();
    }
    handle(decoded);
  }

  private Decoded decode(ByteBuf frame) {
    if (frame.hasArray()) {
      return codec.decode(frame.array(), frame.arrayOffset() + frame.readerIndex(), frame.readableBytes());
    }
    byte[] bytes = ByteBufUtil.getBytes(frame);
    return codec.decode(bytes, 0, bytes.length);
  }

  /** Answers a frame the decoder refused (too large, bad header), then closes: the stream cannot resync. */
  private void rejectFrame(FrameError error) {
    RpcError reply = (error.kind() == FrameError.Kind.TOO_LARGE ? RpcError.LIMIT_EXCEEDED : RpcError.INVALID_REQUEST)
        .withMessage(error.message());
    ByteBuf body = encode(out -> codec.writeError(out, RequestId.NULL, reply));
    channel.writeAndFlush(FrameWriter.frame(channel.alloc(), decoder.framing(), body, true))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void handle(Decoded decoded) {
    List<Message> messages = decoded.messages();
    server.callStarted();
    if (!decoded.batch()) {
      Message message = messages.get(0);
      dispatch(message).whenComplete((reply, unexpected) -> {
        try {
          if (reply != null) {
            write(reply, !(message instanceof SeedRequest) && !isSeedError(message));
          }
        } finally {
          server.callFinished();
        }
      });
      return;
    }
    @SuppressWarnings("unchecked")
    CompletableFuture<ByteBuf>[] replies = new CompletableFuture[messages.size()];
    for (int i = 0; i < replies.length; i++) {
      replies[i] = dispatch(messages.get(i));
    }
    CompletableFuture.allOf(replies).whenComplete((ignored, unexpected) -> {
      try {
        writeBatch(replies);
      } finally {
        server.callFinished();
      }
    });
  }

  private static boolean isSeedError(Message message) {
    return message instanceof InvalidMessage invalid && invalid.seed();
  }

  /** Runs one message; the future completes with its encoded reply, or null when nothing is answered. */
  private CompletableFuture<ByteBuf> dispatch(Message message) {
    if (message instanceof InvalidMessage invalid) {
      return CompletableFuture.completedFuture(invalid.seed()
          ? encodeSeedError(invalid.error())
          : encode(out -> codec.writeError(out, invalid.id(), invalid.error())));
    }
    if (message instanceof Response response) {
      log.debug("Ignoring a response for id {} from {}: this server sent no requests", response.id(),
          channel.remoteAddress());
      return CompletableFuture.completedFuture(null);
    }
    if (message instanceof SeedRequest seed) {
      return call(seed.method(), null, seed.args(), seed.kwargs(), true);
    }
    Request request = (Request) message;
    if (request.isNotification() && CANCEL_METHOD.equals(request.method())) {
      cancel(request.params());
      return CompletableFuture.completedFuture(null);
    }
    JsonNode params = request.params();
    return call(request.method(), request.isNotification() ? null : request.id(),
        params instanceof ArrayNode array ? array : null,
        params instanceof ObjectNode object ? object : null, false);
  }

  /** Looks a method up and runs it on the executor. {@code id} is null for notifications. */
  private CompletableFuture<ByteBuf> call(String name, RequestId id, ArrayNode args, ObjectNode kwargs,
      boolean seed) {
    boolean notification = id == null && !seed;
    if (server.isStopping()) {
      return notification ? done(null) : fail(id, RpcError.SHUTTING_DOWN, seed);
    }
    ServerMethod method;
    try {
      method = server.registry().lookup(name, args, kwargs);
    } catch (RpcException e) {
      return notification ? done(null) : fail(id, e.error(), seed);
    }
    if (method == null) {
      log.debug("Method not found from {}", channel.remoteAddress());
      return notification ? done(null) : fail(id, RpcError.METHOD_NOT_FOUND, seed);
    }
    RpcContext context = new RpcContext(name, id, channel.remoteAddress());
    if (id != null) {
      running.put(id, context);
    }
    CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
    if (method.nonBlocking()) {
      invoke(method, context, args, kwargs, seed, reply);
      return reply;
    }
    try {
      server.executor().execute(() -> invoke(method, context, args, kwargs, seed, reply));
    } catch (RejectedExecutionException e) {
      log.warn("Server busy: rejected a call of {} from {}", name, channel.remoteAddress());
      if (id != null) {
        running.remove(id, context);
      }
      return notification ? done(null) : fail(id, RpcError.SERVER_BUSY, seed);
    }
    return reply;
  }

  private void invoke(ServerMethod method, RpcContext context, ArrayNode args, ObjectNode kwargs,
      boolean seed, CompletableFuture<ByteBuf> reply) {
    Object result;
    context.enter();
    try {
      result = method.invoke(method.bind(args, kwargs));
    } catch (Throwable t) {
      context.exit();
      complete(method, context, seed, null, t, reply);
      return;
    }
    context.exit();
    if (result instanceof CompletionStage<?> stage) {
      stage.whenComplete((value, t) -> complete(method, context, seed, value, t, reply));
    } else {
      complete(method, context, seed, result, null, reply);
    }
  }

  private void complete(ServerMethod method, RpcContext context, boolean seed, Object value, Throwable failure,
      CompletableFuture<ByteBuf> reply) {
    RequestId id = context.id();
    if (id != null) {
      running.remove(id, context);
    }
    boolean notification = id == null && !seed;
    if (failure != null) {
      RpcError error = toError(method, context, failure);
      reply.complete(notification ? null : encodeError(id, error, seed));
      return;
    }
    if (notification) {
      reply.complete(null);
      return;
    }
    try {
      reply.complete(seed
          ? encode(out -> codec.writeSeedResult(out, value))
          : encode(out -> codec.writeResult(out, id, method.resultWriter(), value)));
    } catch (RuntimeException e) {
      log.warn("Cannot serialize the result of {} (id {})", context.method(), id, e);
      reply.complete(encodeError(id, RpcError.INTERNAL_ERROR, seed));
    }
  }

  /** Maps what a method threw to the error sent back; only declared and {@link RpcException} errors speak. */
  private RpcError toError(ServerMethod method, RpcContext context, Throwable thrown) {
    Throwable t = unwrap(thrown);
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
    if (!server.developmentMode()) {
      return RpcError.INTERNAL_ERROR.withData(data);
    }
    data.put("message", String.valueOf(t.getMessage()));
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    data.put("stackTrace", trace.toString());
    return RpcError.INTERNAL_ERROR.withData(data);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void cancel(JsonNode params) {
    JsonNode idNode = params == null ? null : params.isObject() ? params.get("id")
        : params.isArray() && params.size() == 1 ? params.get(0) : null;
    RequestId id = RequestId.of(idNode);
    RpcContext context = id == null ? null : running.get(id);
    if (context != null) {
      log.debug("Call {} (id {}) cancelled by {}", context.method(), id, channel.remoteAddress());
      context.cancel();
    }
  }

  private static CompletableFuture<ByteBuf> done(ByteBuf reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private CompletableFuture<ByteBuf> fail(RequestId id, RpcError error, boolean seed) {
    return done(encodeError(id, error, seed));
  }

  private ByteBuf encodeError(RequestId id, RpcError error, boolean seed) {
    return seed ? encodeSeedError(error) : encode(out -> codec.writeError(out, id, error));
  }

  private ByteBuf encodeSeedError(RpcError error) {
    return encode(out -> codec.writeSeedError(out, error));
  }

  private interface Encoder {
    void write(ByteBufOutputStream out) throws IOException;
  }

  private ByteBuf encode(Encoder encoder) {
    ByteBuf buf = channel.alloc().buffer();
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      encoder.write(out);
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e instanceof RuntimeException r ? r : new IllegalStateException("Cannot encode a reply", e);
    }
  }

  private void write(ByteBuf body, boolean lineTerminated) {
    writes.write(FrameWriter.frame(channel.alloc(), decoder.framing(), body, lineTerminated));
  }

  /** Writes a batch's replies as one array; nothing at all when every element was a notification. */
  private void writeBatch(CompletableFuture<ByteBuf>[] replies) {
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
    if (out != null) {
      out.writeByte(']');
      write(out, true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    // The peer is gone: nobody will read the replies, so running calls are cancelled.
    running.values().forEach(RpcContext::cancel);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ClosedChannelException) {
      return; // a reply for a peer that already left
    }
    log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
