package io.courier.fuzz;

import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.protocol.CourierJson;
import io.courier.protocol.Decoded;
import io.courier.protocol.InvalidMessage;
import io.courier.protocol.JsonRpcCodec;
import io.courier.protocol.Message;
import io.courier.protocol.Request;
import io.courier.protocol.Response;
import io.courier.protocol.SeedRequest;
import io.courier.testing.PlainStrings;
import io.courier.transport.FrameDecoder;
import io.courier.transport.FrameError;
import io.courier.transport.Framing;
import io.courier.transport.ScannedFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The server's inbound path without sockets: a {@link FrameDecoder} on an {@link EmbeddedChannel}, and
 * {@link JsonRpcCodec#decode} on every frame it emits, with the properties every input must satisfy checked as it
 * goes. Shared by the seeded smoke test (T08) and the Jazzer fuzz target (RELIABILITY.md section 4 item 19).
 *
 * <p>For each input it checks that:
 * <ul>
 *   <li>no exception (or error) escapes the decoder or the codec: neither documents one for bad input;</li>
 *   <li>the pipeline emits only frames ({@link ByteBuf} or {@link ScannedFrame}) and at most one
 *       {@link FrameError}, and nothing after the error; no frame is larger than the message limit; a scanned
 *       frame's plain strings are the ones a byte-by-byte search finds, and it decodes the same with them as
 *       without them;</li>
 *   <li>every frame decodes to a {@link Decoded} whose invalid messages carry a specification error code
 *       (-32700 with a null id, -32600, or -32602 for a number beyond the scale bound), and whose requests are
 *       well formed;</li>
 *   <li>after every chunk the decoder buffers no more than the message limit (or, while reading a
 *       {@code Content-Length} header block, {@link FrameDecoder#MAX_HEADER_BYTES}) plus the chunk;</li>
 *   <li>cutting the same bytes into different chunks yields the same frames and the same error (the scanner's
 *       state survives between chunks);</li>
 *   <li>every buffer allocated on the channel has been released once the channel is finished.</li>
 * </ul>
 * A violated property throws {@link PropertyViolation}. Not thread-safe: one instance per thread.
 */
final class DecoderPipeline {

  /** A property of the pipeline does not hold for some input. */
  static final class PropertyViolation extends AssertionError {
    private static final long serialVersionUID = 1L;

    PropertyViolation(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What one run produced: the frames' bytes, the framing error if any, and the codec's view of each frame. */
  record Outcome(Framing framing, List<byte[]> frames, FrameError.Kind frameError, List<Decoded> decoded) {

    boolean sameFramingAs(Outcome other) {
      if (frames.size() != other.frames.size() || frameError != other.frameError) {
        return false;
      }
      for (int i = 0; i < frames.size(); i++) {
        if (!Arrays.equals(frames.get(i), other.frames.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  private static final MethodHandle BUFFERED_BYTES;

  static {
    // Every rejected input makes the decoder log a warning (once per connection, as it should); thousands of
    // rejected inputs would flood the build log. Applies only if the decoder's logger does not exist yet.
    if (System.getProperty("org.slf4j.simpleLogger.log.io.courier.transport.FrameDecoder") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.io.courier.transport.FrameDecoder", "error");
    }
    try {
      // Package-private on purpose (tests of the transport package use it); the fuzzers need it too.
      var method = FrameDecoder.class.getDeclaredMethod("bufferedBytes");
      method.setAccessible(true);
      BUFFERED_BYTES = MethodHandles.lookup().unreflect(method).asType(MethodType.methodType(int.class,
          FrameDecoder.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int maxMessageBytes;
  private final JsonRpcCodec codec;
  private final TrackingAllocator allocator = new TrackingAllocator();

  private long inputs;
  private long frames;
  private long frameErrors;
  private long messages;
  private final Map<String, Long> outcomes = new TreeMap<>();

  DecoderPipeline(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
    this.codec = new JsonRpcCodec(CourierJson.newMapper(maxMessageBytes));
  }

  int maxMessageBytes() {
    return maxMessageBytes;
  }

  /**
   * Feeds {@code stream} cut at the given chunk sizes (the last chunk takes whatever remains), then feeds it again
   * in one piece, checks every property on both runs, and returns the chunked run's outcome.
   */
  Outcome check(byte[] stream, int[] chunkSizes) {
    inputs++;
    Outcome chunked = run(stream, chunkSizes, true);
    Outcome whole = run(stream, new int[] {stream.length}, false);
    if (!chunked.sameFramingAs(whole)) {
      throw violation("frames depend on how the input is chunked: chunked " + describe(chunked) + " vs whole "
          + describe(whole), stream, chunkSizes, null);
    }
    return chunked;
  }

  private Outcome run(byte[] stream, int[] chunkSizes, boolean count) {
    allocator.clear();
    FrameDecoder decoder = new FrameDecoder(maxMessageBytes);
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(allocator);
    channel.pipeline().addLast(decoder);
    List<byte[]> frameBytes = new ArrayList<>();
    List<Decoded> decodedFrames = new ArrayList<>();
    FrameError[] error = new FrameError[1];
    try {
      int offset = 0;
      for (int i = 0; offset < stream.length; i++) {
        int size = i < chunkSizes.length - 1 ? Math.max(1, chunkSizes[i]) : stream.length - offset;
        size = Math.min(size, stream.length - offset);
        ByteBuf chunk = allocator.buffer(size);
        chunk.writeBytes(stream, offset, size);
        offset += size;
        channel.writeInbound(chunk);
        drain(channel, decoder, frameBytes, decodedFrames, error, stream, chunkSizes, count);
        int buffered = (int) BUFFERED_BYTES.invokeExact(decoder);
        int limit = decoder.framing() == Framing.CONTENT_LENGTH
            ? Math.max(maxMessageBytes, FrameDecoder.MAX_HEADER_BYTES) : maxMessageBytes;
        if (buffered > limit + size) {
          throw violation("decoder buffers " + buffered + " bytes (limit " + limit + " + chunk " + size + ")",
              stream, chunkSizes, null);
        }
      }
      channel.finish();
      drain(channel, decoder, frameBytes, decodedFrames, error, stream, chunkSizes, count);
    } catch (PropertyViolation e) {
      cleanUp(channel);
      throw e;
    } catch (Throwable t) {
      cleanUp(channel);
      throw violation("exception escaped the pipeline: " + t, stream, chunkSizes, t);
    }
    int unreleased = allocator.unreleased();
    if (unreleased != 0) {
      allocator.releaseAll();
      throw violation(unreleased + " buffer(s) not released after the channel finished", stream, chunkSizes,
          null);
    }
    allocator.clear();
    return new Outcome(decoder.framing(), frameBytes, error[0] == null ? null : error[0].kind(), decodedFrames);
  }

  /** After a failed check: releases what the channel still queues, then anything else still held. */
  private void cleanUp(EmbeddedChannel channel) {
    try {
      channel.finishAndReleaseAll();
    } catch (RuntimeException | Error ignored) {
      // the failure being reported matters more
    }
    allocator.releaseAll();
  }

  private void drain(EmbeddedChannel channel, FrameDecoder decoder, List<byte[]> frameBytes,
      List<Decoded> decodedFrames, FrameError[] error, byte[] stream, int[] chunkSizes, boolean count) {
    Object msg;
    while ((msg = channel.readInbound()) != null) {
      if (error[0] != null) {
        io.netty.util.ReferenceCountUtil.release(msg);
        throw violation("decoder emitted " + msg.getClass().getSimpleName() + " after " + error[0], stream,
            chunkSizes, null);
      }
      if (msg instanceof ByteBuf || msg instanceof ScannedFrame) {
        ByteBuf frame = msg instanceof ScannedFrame scanned ? scanned.content() : (ByteBuf) msg;
        int[] plainStrings = msg instanceof ScannedFrame scanned ? scanned.plainStrings() : null;
        byte[] bytes;
        try {
          bytes = ByteBufUtil.getBytes(frame);
        } finally {
          frame.release();
        }
        if (bytes.length > maxMessageBytes) {
          throw violation("frame of " + bytes.length + " bytes passed a limit of " + maxMessageBytes, stream,
              chunkSizes, null);
        }
        if (bytes.length == 0 && decoder.framing() != Framing.CONTENT_LENGTH) {
          // Content-Length: 0 legitimately frames an empty body (which then fails to parse); a JSON value never
          // has zero bytes.
          throw violation("empty frame", stream, chunkSizes, null);
        }
        frameBytes.add(bytes);
        Decoded decoded = codec.decode(bytes, 0, bytes.length);
        if (plainStrings != null && !Arrays.equals(plainStrings, PlainStrings.in(bytes))) {
          throw violation("the scan's plain strings " + Arrays.toString(plainStrings) + " are not the frame's "
              + Arrays.toString(PlainStrings.in(bytes)) + " for frame " + preview(bytes), stream, chunkSizes, null);
        }
        if (plainStrings != null && !decoded.equals(codec.decode(bytes, 0, bytes.length, plainStrings))) {
          throw violation("decoding with the scan's plain strings differs from decoding without them for frame "
              + preview(bytes), stream, chunkSizes, null);
        }
        checkDecoded(decoded, bytes, stream, chunkSizes, count);
        decodedFrames.add(decoded);
        if (count) {
          frames++;
        }
      } else if (msg instanceof FrameError fe) {
        error[0] = fe;
        if (count) {
          frameErrors++;
          outcomes.merge("frame error " + fe.kind(), 1L, Long::sum);
        }
      } else {
        io.netty.util.ReferenceCountUtil.release(msg);
        throw violation("unexpected message type " + msg.getClass().getName(), stream, chunkSizes, null);
      }
    }
  }

  private void checkDecoded(Decoded decoded, byte[] frame, byte[] stream, int[] chunkSizes, boolean count) {
    if (decoded == null || decoded.messages().isEmpty()) {
      throw violation("codec returned no messages for frame " + preview(frame), stream, chunkSizes, null);
    }
    for (Message m : decoded.messages()) {
      Objects.requireNonNull(m, "message");
      String kind;
      if (m instanceof InvalidMessage invalid) {
        int code = invalid.error().code();
        if (code != RpcError.PARSE_ERROR_CODE && code != RpcError.INVALID_REQUEST_CODE
            && code != RpcError.INVALID_PARAMS_CODE) {
          throw violation("invalid message answered with non-spec code " + code, stream, chunkSizes, null);
        }
        if (code == RpcError.PARSE_ERROR_CODE && (decoded.batch() || !invalid.id().equals(RequestId.NULL))) {
          throw violation("parse error must be a single reply with a null id", stream, chunkSizes, null);
        }
        kind = "error " + code;
      } else if (m instanceof Request request) {
        if (request.method() == null
            || (request.params() != null && !request.params().isArray() && !request.params().isObject())) {
          throw violation("malformed request accepted: " + request, stream, chunkSizes, null);
        }
        kind = request.isNotification() ? "notification" : "request";
      } else if (m instanceof Response response) {
        kind = response.isError() ? "error response" : "response";
      } else if (m instanceof SeedRequest) {
        kind = "seed request";
      } else {
        throw violation("unknown message type " + m.getClass(), stream, chunkSizes, null);
      }
      if (count) {
        messages++;
        outcomes.merge(kind, 1L, Long::sum);
      }
    }
  }

  private PropertyViolation violation(String what, byte[] stream, int[] chunkSizes, Throwable cause) {
    return new PropertyViolation(what + " [max=" + maxMessageBytes + ", " + stream.length + " bytes, chunks="
        + Arrays.toString(Arrays.copyOf(chunkSizes, Math.min(chunkSizes.length, 20)))
        + (chunkSizes.length > 20 ? "..." : "") + ", input=" + preview(stream) + "]", cause);
  }

  private static String describe(Outcome o) {
    return o.frames().size() + " frames, error " + o.frameError();
  }

  /** The first bytes of an input, Java-escaped, to paste into a reproducer. */
  static String preview(byte[] bytes) {
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(bytes.length, 400);
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      switch (b) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (b >= 0x20 && b < 0x7f) {
            sb.append((char) b);
          } else {
            sb.append(String.format("\\u%04x", b));
          }
        }
      }
    }
    sb.append('"');
    if (bytes.length > n) {
      sb.append("...");
    }
    return sb.toString();
  }

  long inputs() {
    return inputs;
  }

  long frames() {
    return frames;
  }

  long frameErrors() {
    return frameErrors;
  }

  long messages() {
    return messages;
  }

  /** Counts of each kind of outcome seen (message kinds, error codes, frame errors), sorted by name. */
  Map<String, Long> outcomes() {
    return outcomes;
  }

  /** The distinct JSON-RPC error codes the codec produced. */
  Set<String> errorCodes() {
    Set<String> codes = new java.util.TreeSet<>();
    for (String key : outcomes.keySet()) {
      if (key.startsWith("error -")) {
        codes.add(key.substring("error ".length()));
      }
    }
    return codes;
  }
}
