package io.courier.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * JSON-RPC 2.0 requests and replies as the bench's own small clients write and check them (the jsonrpc4j
 * client, the Netty echo client, and the many-connection Courier client): positional params, numeric ids, one
 * request a line. Thread-safe.
 */
final class JsonRpcLines {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonRpcLines() {}

  /** A random operand for {@code add}, small enough that the sum never overflows. */
  static int operand() {
    return ThreadLocalRandom.current().nextInt(1 << 20);
  }

  /** Writes {@code {"jsonrpc":"2.0","method":...,"params":[...],"id":id}} and a newline. */
  static void writeRequest(OutputStream out, Workload workload, int a, int b, long id) throws IOException {
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM); // the caller flushes, once, after the newline
      g.writeStartObject();
      g.writeStringField("jsonrpc", "2.0");
      g.writeStringField("method", workload.method());
      g.writeArrayFieldStart("params");
      if (workload.isAdd()) {
        g.writeNumber(a);
        g.writeNumber(b);
      } else {
        g.writeString(workload.payload());
      }
      g.writeEndArray();
      g.writeNumberField("id", id);
      g.writeEndObject();
    }
    out.write('\n');
  }

  /** The bytes {@link #writeRequest} writes. */
  static byte[] request(Workload workload, int a, int b, long id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(workload.isAdd() ? 64 : workload.echoBytes() + 64);
    try {
      writeRequest(out, workload, a, b, id);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Whether {@code reply} is the right answer to the request with {@code id}: {@code a + b} for {@code add},
   * the payload for {@code echo}.
   */
  static boolean isRightReply(JsonNode reply, long id, Workload workload, int a, int b) {
    if (reply == null || !reply.path("id").canConvertToLong() || reply.path("id").asLong() != id) {
      return false;
    }
    JsonNode result = reply.get("result");
    if (result == null) {
      return false;
    }
    return workload.isAdd()
        ? result.isInt() && result.intValue() == a + b
        : result.isTextual() && result.textValue().equals(workload.payload());
  }
}
