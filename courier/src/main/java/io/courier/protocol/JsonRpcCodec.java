package io.courier.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.courier.Internal;
import io.courier.RequestId;
import io.courier.RpcError;
import io.courier.protocol.BoundedDecimalNodes.NumberScaleException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes JSON-RPC 2.0 and seed-dialect messages with Jackson.
 *
 * <p>Decoding follows the specification to the letter: invalid JSON is a parse error (-32700); valid JSON that
 * is not a request is an invalid request (-32600), answered with the request's id when it could be read and
 * {@code null} otherwise; an empty batch is one invalid request; each invalid element of a batch gets its own
 * error. A member that appears twice in a message envelope makes it an invalid request, never "last key wins".
 *
 * <p>Instances are immutable and thread-safe. Internal: servers and clients use it; users configure it only
 * through the {@link ObjectMapper} they pass to a builder.
 */
@Internal
public final class JsonRpcCodec {

  private static final Logger log = LoggerFactory.getLogger(JsonRpcCodec.class);

  private static final int JSONRPC = 1;
  private static final int METHOD = 1 << 1;
  private static final int PARAMS = 1 << 2;
  private static final int ID = 1 << 3;
  private static final int RESULT = 1 << 4;
  private static final int ERROR = 1 << 5;
  private static final int SEED_METHOD = 1 << 6;
  private static final int SEED_ARGS = 1 << 7;
  private static final int SEED_KWARGS = 1 << 8;
  private static final int TIMEOUT = 1 << 9;
  private static final int META = 1 << 10;

  /**
   * The member in which a Courier client tells how long, in milliseconds, it will wait for a request's reply.
   * Other JSON-RPC peers ignore it, as they ignore any member the specification does not define.
   */
  public static final String TIMEOUT_MEMBER = "timeout_ms";

  /**
   * The member that carries a request's metadata: an object of string values, such as a W3C trace context
   * ({@code traceparent}, {@code tracestate}). Other JSON-RPC peers ignore it.
   */
  public static final String META_MEMBER = "meta";
  /**
   * The longest string id, in chars. Every reply echoes its request's id, so an id the size of a message would
   * make a reply that cannot be sent; a longer one is an invalid request, answered with a null id.
   */
  public static final int MAX_ID_CHARS = 1024;
  /** The most entries a request's metadata may have; a larger {@value #META_MEMBER} is ignored. */
  public static final int MAX_META_ENTRIES = 32;
  /** The longest name of a metadata entry, in chars. */
  public static final int MAX_META_NAME_CHARS = 64;
  /** The longest value of a metadata entry, in chars (a W3C {@code baggage} header may take 8192 bytes). */
  public static final int MAX_META_VALUE_CHARS = 8192;

  private final ObjectMapper mapper;
  private final JsonFactory factory;
  private final ObjectWriter anyWriter;
  private final ObjectReader seedReplyReader;
  private final ObjectMapper seedValueMapper;
  /** Whether large frames are parsed as a {@link JsonSkeleton}; not when the mapper reads lenient JSON. */
  private final boolean cutStrings;
  /** Jackson's limit on a string's length: longer strings are left for Jackson to refuse. */
  private final int maxStringLength;
  /** Reads the values inside messages (params, results, errors) with decimals bounded in scale. */
  private final ObjectReader treeReader;
  private final int maxNumberScale;

  /** A codec whose decimals are bounded by {@link CourierJson#DEFAULT_MAX_NUMBER_SCALE}. */
  public JsonRpcCodec(ObjectMapper mapper) {
    this(mapper, CourierJson.DEFAULT_MAX_NUMBER_SCALE);
  }

  /**
   * @param maxNumberScale the largest scale, either sign, of a decimal read from a message ({@code 1e-5} has
   *     scale 5, {@code 1e5} scale -5): a larger one makes the message's params invalid (-32602), or a reply
   *     an error for its call
   */
  public JsonRpcCodec(ObjectMapper mapper, int maxNumberScale) {
    this.mapper = requireNonNull(mapper, "mapper");
    this.maxNumberScale = maxNumberScale;
    this.treeReader = mapper.reader().with(new BoundedDecimalNodes(maxNumberScale));
    this.factory = mapper.getFactory();
    this.anyWriter = mapper.writerFor(Object.class);
    this.seedReplyReader = treeReader.with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);
    // A Java double must stay a double on its way to Python's float format, not become a BigDecimal.
    this.seedValueMapper = mapper.copy().disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    this.cutStrings = JsonSkeleton.canCut(factory);
    this.maxStringLength = factory.streamReadConstraints().getMaxStringLength();
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  // ---------------------------------------------------------------------------------------------- decoding

  /** Decodes one frame: a single message or a batch. Never throws for bad input; it decodes to errors. */
  public Decoded decode(byte[] bytes, int offset, int length) {
    return decode(bytes, offset, length, null);
  }

  /**
   * Decodes one frame whose long plain ASCII strings are already known.
   *
   * @param plainStrings where the framing scan found strings of at least {@link JsonBytes#LONG_STRING_BYTES}
   *     that are ASCII without control characters or escapes: pairs of offsets from {@code offset} of the first
   *     content byte and the closing quote, ascending; empty when it found none; null when the frame was not
   *     scanned, and the codec looks for itself
   */
  public Decoded decode(byte[] bytes, int offset, int length, int[] plainStrings) {
    JsonSkeleton skeleton;
    if (!cutStrings) {
      skeleton = null;
    } else if (plainStrings != null) {
      // Already found: cutting costs only the copies, whatever the frame's size.
      skeleton = plainStrings.length == 0 ? null : skeletonOf(bytes, offset, length, plainStrings);
    } else {
      skeleton = length < JsonSkeleton.MIN_TEXT_BYTES
          ? null : JsonSkeleton.cut(bytes, offset, length, maxStringLength);
    }
    try (JsonParser p = skeleton != null ? skeleton.parser(factory) : factory.createParser(bytes, offset, length)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return Decoded.single(new InvalidMessage(RequestId.NULL, RpcError.PARSE_ERROR, false));
      }
      Decoded decoded;
      if (first == JsonToken.START_ARRAY) {
        decoded = readBatch(p);
      } else if (first == JsonToken.START_OBJECT) {
        decoded = Decoded.single(readObject(p));
      } else {
        p.skipChildren();
        decoded = Decoded.single(new InvalidMessage(RequestId.NULL, RpcError.INVALID_REQUEST, false));
      }
      if (p.nextToken() != null) {
        // Trailing data after the value: the frame is not one JSON text.
        return Decoded.single(new InvalidMessage(RequestId.NULL, RpcError.PARSE_ERROR, false));
      }
      return decoded;
    } catch (IOException | NumberFormatException e) {
      // NumberFormatException: Jackson's BigDecimal parser throws it, unchecked, for an exponent beyond int.
      log.debug("Parse error: {}", e.getClass().getSimpleName());
      return Decoded.single(new InvalidMessage(RequestId.NULL, RpcError.PARSE_ERROR, false));
    } catch (NumberScaleException e) {
      // Outside any member whose value the envelope reader can answer for (see readObject).
      return Decoded.single(new InvalidMessage(RequestId.NULL, numberError(RpcError.PARSE_ERROR), false));
    }
  }

  /** The error for a message holding a decimal past the scale bound. */
  private RpcError numberError(RpcError kind) {
    return kind.withData(TextNode.valueOf("a number's scale is beyond ±" + maxNumberScale));
  }

  /** The skeleton of a scanned frame; a scan that got the strings wrong is a bug, logged, not the caller's fault. */
  private JsonSkeleton skeletonOf(byte[] bytes, int offset, int length, int[] plainStrings) {
    try {
      return JsonSkeleton.of(bytes, offset, length, plainStrings, maxStringLength);
    } catch (IllegalArgumentException e) {
      log.error("Ignoring the framing scan's plain strings (a bug, please report it): {}", e.getMessage());
      return JsonSkeleton.cut(bytes, offset, length, maxStringLength);
    }
  }

  private Decoded readBatch(JsonParser p) throws IOException {
    List<Message> messages = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.START_OBJECT) {
        messages.add(readObject(p));
      } else {
        p.skipChildren();
        messages.add(new InvalidMessage(RequestId.NULL, RpcError.INVALID_REQUEST, false));
      }
    }
    if (messages.isEmpty()) {
      return Decoded.single(new InvalidMessage(RequestId.NULL, RpcError.INVALID_REQUEST, false));
    }
    return new Decoded(true, messages);
  }

  /**
   * Reads a request's metadata: an object of at most {@value #MAX_META_ENTRIES} string members within the
   * length limits. Anything else is ignored as a whole, as an unknown member would be, rather than failing the
   * call: metadata is advice (a trace context), and a peer that sends it wrong still deserves its answer. The
   * parser is on the member's first token and is left on its last.
   */
  private static Map<String, String> readMeta(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    Map<String, String> meta = new LinkedHashMap<>();
    boolean valid = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (!valid || value != JsonToken.VALUE_STRING || name.isEmpty() || name.length() > MAX_META_NAME_CHARS
          || p.getTextLength() > MAX_META_VALUE_CHARS || meta.size() == MAX_META_ENTRIES) {
        valid = false;
        p.skipChildren();
        continue;
      }
      meta.put(name, p.getText());
    }
    return valid && !meta.isEmpty() ? Collections.unmodifiableMap(meta) : null;
  }

  /** Reads one envelope; the parser is on its START_OBJECT and is left on its END_OBJECT. */
  private Message readObject(JsonParser p) throws IOException {
    int seen = 0;
    boolean duplicate = false;
    boolean duplicateId = false;
    boolean versionOk = false;
    String method = null;
    boolean methodOk = false;
    JsonNode params = null;
    boolean paramsOk = true;
    RequestId id = null;
    boolean idOk = true;
    boolean idTooLong = false;
    JsonNode result = null;
    JsonNode error = null;
    JsonNode seedArgs = null;
    JsonNode seedKwargs = null;
    long timeoutMs = -1;
    Map<String, String> meta = null;
    boolean numberTooLarge = false;
    JsonStreamContext envelope = p.getParsingContext();

    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      int bit = switch (name) {
        case "jsonrpc" -> JSONRPC;
        case "method" -> METHOD;
        case "params" -> PARAMS;
        case "id" -> ID;
        case "result" -> RESULT;
        case "error" -> ERROR;
        case "method_name" -> SEED_METHOD;
        case "method_args" -> SEED_ARGS;
        case "method_kwargs" -> SEED_KWARGS;
        case TIMEOUT_MEMBER -> TIMEOUT;
        case META_MEMBER -> META;
        default -> 0;
      };
      if (bit == 0) {
        p.skipChildren(); // members the specification does not define are ignored
        continue;
      }
      duplicate |= (seen & bit) != 0;
      duplicateId |= bit == ID && (seen & ID) != 0;
      seen |= bit;
      try {
        switch (bit) {
          case JSONRPC -> {
            versionOk = t == JsonToken.VALUE_STRING && "2.0".equals(p.getText());
            p.skipChildren();
          }
          case METHOD, SEED_METHOD -> {
            methodOk = t == JsonToken.VALUE_STRING;
            method = methodOk ? p.getText() : null;
            p.skipChildren();
          }
          case PARAMS -> {
            paramsOk = t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT;
            params = paramsOk ? readTree(p, t) : skip(p);
          }
          case ID -> {
            idTooLong = t == JsonToken.VALUE_STRING && p.getTextLength() > MAX_ID_CHARS;
            id = idTooLong ? null : switch (t) {
              case VALUE_STRING -> RequestId.of(p.getText());
              case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> RequestId.Access.ofNumberText(p.getText());
              case VALUE_NULL -> RequestId.NULL;
              default -> null;
            };
            idOk = id != null;
            p.skipChildren();
          }
          case RESULT -> result = readTree(p, t);
          case ERROR -> error = readTree(p, t);
          case SEED_ARGS -> seedArgs = readTree(p, t);
          case SEED_KWARGS -> seedKwargs = readTree(p, t);
          case TIMEOUT -> {
            // Only a plain non-negative integer counts; anything else is ignored, as an unknown member would be.
            timeoutMs = t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                ? Math.max(-1, p.getLongValue()) : -1;
            p.skipChildren();
          }
          case META -> meta = readMeta(p, t);
          default -> throw new AssertionError(bit);
        }
      } catch (NumberScaleException e) {
        // The rest of the envelope is still read, so that the error can carry the message's id.
        numberTooLarge = true;
        skipTo(p, envelope);
      }
    }

    // An id given twice is ambiguous: the error echoes neither the first nor the last, but null.
    RequestId replyId = idOk && id != null && !duplicateId ? id : RequestId.NULL;
    if ((seen & JSONRPC) == 0 && (seen & SEED_METHOD) != 0) {
      if (numberTooLarge && !duplicate && methodOk) {
        return new InvalidMessage(RequestId.NULL, numberError(RpcError.INVALID_PARAMS), true);
      }
      return seedRequest(duplicate, methodOk, method, seedArgs, seedKwargs);
    }
    if (idTooLong) {
      return new InvalidMessage(RequestId.NULL, RpcError.INVALID_REQUEST.withMessage(
          "Invalid Request: an id longer than " + MAX_ID_CHARS + " chars"), false);
    }
    if (duplicate || !versionOk || !idOk) {
      return new InvalidMessage(replyId, RpcError.INVALID_REQUEST, false);
    }
    if ((seen & METHOD) != 0) {
      if (!methodOk || !paramsOk) {
        return new InvalidMessage(replyId, RpcError.INVALID_REQUEST, false);
      }
      if (numberTooLarge) {
        // A request learns why with its id; a notification gets no reply to invalid params, so the message
        // is answered as the parse error Jackson's own constraints would have made of it.
        return id != null ? new InvalidMessage(id, numberError(RpcError.INVALID_PARAMS), false)
            : new InvalidMessage(RequestId.NULL, numberError(RpcError.PARSE_ERROR), false);
      }
      return new Request(id, method, params, timeoutMs, meta);
    }
    if ((seen & (RESULT | ERROR)) != 0 && (seen & ID) != 0 && (numberTooLarge
        || (result == null) != (error == null))) {
      if (numberTooLarge) {
        return new Response(id, null, numberError(RpcError.PARSE_ERROR));
      }
      return error == null ? new Response(id, result, null) : new Response(id, null, readError(error));
    }
    return new InvalidMessage(replyId, RpcError.INVALID_REQUEST, false);
  }

  private static Message seedRequest(
      boolean duplicate, boolean methodOk, String method, JsonNode args, JsonNode kwargs) {
    boolean argsOk = args == null || args.isArray() || args.isNull();
    boolean kwargsOk = kwargs == null || kwargs.isObject() || kwargs.isNull();
    if (duplicate || !methodOk || !argsOk || !kwargsOk) {
      return new InvalidMessage(RequestId.NULL, RpcError.INVALID_REQUEST, true);
    }
    ArrayNode a = args instanceof ArrayNode array ? array : emptyArray();
    ObjectNode k = kwargs instanceof ObjectNode object ? object : emptyObject();
    return new SeedRequest(method, a, k);
  }

  private static ArrayNode emptyArray() {
    return JsonNodeFactory.instance.arrayNode();
  }

  private static ObjectNode emptyObject() {
    return JsonNodeFactory.instance.objectNode();
  }

  private JsonNode readTree(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return NullNode.getInstance();
    }
    return treeReader.readTree(p);
  }

  /** Moves the parser on to where {@code context} is current again: past a value whose reading was abandoned. */
  private static void skipTo(JsonParser p, JsonStreamContext context) throws IOException {
    while (p.getParsingContext() != context) {
      if (p.nextToken() == null) {
        throw new JsonEOFException(p, null, "end of input inside a value");
      }
    }
  }

  private static JsonNode skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  /** Reads the error object of a response; a malformed one becomes an internal error. */
  private static RpcError readError(JsonNode error) {
    JsonNode code = error.get("code");
    JsonNode message = error.get("message");
    if (!error.isObject()
        || code == null
        || !code.isIntegralNumber()
        || !code.canConvertToInt()
        || message == null
        || !message.isTextual()) {
      return RpcError.INTERNAL_ERROR.withMessage("Malformed error object in response");
    }
    JsonNode data = error.get("data");
    return RpcError.of(code.intValue(), message.textValue(), data);
  }

  /**
   * Decodes the tutorial server's reply, {@code {"res": value}}, into a response for {@code id}. Anything else
   * (including an error object from a Courier server) becomes an error response.
   */
  public Response decodeSeedReply(RequestId id, byte[] bytes, int offset, int length) {
    try {
      // Python's json.dumps writes NaN and Infinity, so a reply in its style may hold them.
      JsonNode reply = seedReplyReader.readTree(bytes, offset, length);
      if (reply != null && reply.isObject() && reply.size() == 1 && reply.has("res")) {
        return new Response(id, reply.get("res"), null);
      }
      if (reply != null && reply.isObject() && reply.has("error")) {
        return new Response(id, null, readError(reply.get("error")));
      }
      return new Response(id, null, RpcError.INTERNAL_ERROR.withMessage("Malformed seed-dialect reply"));
    } catch (IOException | NumberFormatException e) {
      return new Response(id, null, RpcError.PARSE_ERROR.withMessage("Seed-dialect reply is not JSON"));
    } catch (NumberScaleException e) {
      return new Response(id, null, numberError(RpcError.PARSE_ERROR));
    }
  }

  // ---------------------------------------------------------------------------------------------- encoding

  /** Writes a success response whose result is written by a writer prepared for the result's type. */
  public void writeResult(OutputStream out, RequestId id, ObjectWriter writer, Object value) throws IOException {
    try (JsonGenerator gen = factory.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("jsonrpc", "2.0");
      gen.writeFieldName("result");
      if (value == null) {
        gen.writeNull();
      } else {
        writer.writeValue(gen, value);
      }
      gen.writeFieldName("id");
      gen.writeRawValue(id.json());
      gen.writeEndObject();
    }
  }

  /** Writes a success response whose result is any value, serialized by its runtime type. */
  public void writeResult(OutputStream out, RequestId id, Object value) throws IOException {
    writeResult(out, id, anyWriter, value);
  }

  /** Writes an error response. */
  public void writeError(OutputStream out, RequestId id, RpcError error) throws IOException {
    try (JsonGenerator gen = factory.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("jsonrpc", "2.0");
      gen.writeObjectFieldStart("error");
      gen.writeNumberField("code", error.code());
      gen.writeStringField("message", error.message());
      if (error.data() != null) {
        gen.writeFieldName("data");
        mapper.writeTree(gen, error.data());
      }
      gen.writeEndObject();
      gen.writeFieldName("id");
      gen.writeRawValue(id.json());
      gen.writeEndObject();
    }
  }

  /**
   * Writes a request, or a notification when {@code id} is null. {@code params} is {@code null} (no params), an
   * {@code Object[]} or {@code List} (by position), or a {@code Map} (by name).
   */
  public void writeRequest(OutputStream out, RequestId id, String method, Object params) throws IOException {
    writeRequest(out, id, method, params, -1);
  }

  /**
   * Writes a request as {@link #writeRequest(OutputStream, RequestId, String, Object)} does, carrying the time
   * the caller will wait for it as the member {@value #TIMEOUT_MEMBER} when {@code timeoutMs} is not negative.
   */
  public void writeRequest(OutputStream out, RequestId id, String method, Object params, long timeoutMs)
      throws IOException {
    writeRequest(out, id, method, params, timeoutMs, null);
  }

  /**
   * Writes a request as {@link #writeRequest(OutputStream, RequestId, String, Object, long)} does, with
   * {@code meta} (when not null or empty) as the member {@value #META_MEMBER}.
   */
  public void writeRequest(OutputStream out, RequestId id, String method, Object params, long timeoutMs,
      Map<String, String> meta) throws IOException {
    try (JsonGenerator gen = factory.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("jsonrpc", "2.0");
      gen.writeStringField("method", method);
      if (params instanceof Object[] array) {
        gen.writeArrayFieldStart("params");
        for (Object param : array) {
          anyWriter.writeValue(gen, param);
        }
        gen.writeEndArray();
      } else if (params != null) {
        gen.writeFieldName("params");
        anyWriter.writeValue(gen, params);
      }
      if (id != null) {
        gen.writeFieldName("id");
        gen.writeRawValue(id.json());
        if (timeoutMs >= 0) {
          gen.writeNumberField(TIMEOUT_MEMBER, timeoutMs);
        }
      }
      if (meta != null && !meta.isEmpty()) {
        gen.writeObjectFieldStart(META_MEMBER);
        for (Map.Entry<String, String> entry : meta.entrySet()) {
          gen.writeStringField(entry.getKey(), entry.getValue());
        }
        gen.writeEndObject();
      }
      gen.writeEndObject();
    }
  }

  /**
   * Writes the {@value Request#ITEMS_METHOD} notification that carries {@code items} of the subscription made by
   * the call {@code id}, each written by {@code writer}.
   */
  public void writeItems(OutputStream out, RequestId id, ObjectWriter writer, List<?> items) throws IOException {
    try (JsonGenerator gen = factory.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("jsonrpc", "2.0");
      gen.writeStringField("method", Request.ITEMS_METHOD);
      gen.writeObjectFieldStart("params");
      gen.writeFieldName("id");
      gen.writeRawValue(id.json());
      gen.writeArrayFieldStart("items");
      for (Object item : items) {
        if (item == null) {
          gen.writeNull();
        } else {
          writer.writeValue(gen, item);
        }
      }
      gen.writeEndArray();
      gen.writeEndObject();
      gen.writeEndObject();
    }
  }

  /** Writes the tutorial's reply, {@code {"res": value}}, byte for byte as Python's {@code json.dumps} would. */
  public void writeSeedResult(OutputStream out, Object value) throws IOException {
    JsonNode res = value instanceof JsonNode node ? node : seedValueMapper.valueToTree(value);
    out.write("{\"res\": ".getBytes(StandardCharsets.US_ASCII));
    PythonJson.dump(res, out);
    out.write('}');
  }

  /** Writes an error in the seed dialect, {@code {"error": {"code": c, "message": m}}}, in Python's style. */
  public void writeSeedError(OutputStream out, RpcError error) throws IOException {
    ObjectNode body = mapper.createObjectNode();
    ObjectNode e = body.putObject("error");
    e.put("code", error.code());
    e.put("message", error.message());
    if (error.data() != null) {
      e.set("data", error.data());
    }
    out.write(PythonJson.dumps(body).getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes a call in the tutorial's dialect as its Python client would. */
  public void writeSeedRequest(OutputStream out, String method, List<?> args, Map<String, ?> kwargs)
      throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("method_name", method);
    body.set("method_args", mapper.valueToTree(args));
    body.set("method_kwargs", mapper.valueToTree(kwargs));
    out.write(PythonJson.dumps(body).getBytes(StandardCharsets.US_ASCII));
  }
}
