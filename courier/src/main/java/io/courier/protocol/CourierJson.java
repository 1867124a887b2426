package io.courier.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;

/**
 * Courier's Jackson configuration: the {@link ObjectMapper} both sides use unless the user supplies one.
 *
 * <p>The mapper binds only to declared types: it has no default typing, and polymorphic handling of unsafe
 * base types is blocked, so no input can name a Java class. It reads strictly (a {@code null} never becomes a
 * primitive {@code 0}, a fraction never becomes an {@code int}, duplicate keys in a tree are rejected) and
 * ignores unknown properties of records and POJOs, so that a service can add fields without breaking old
 * clients. Parsing limits are set explicitly rather than inherited from Jackson's defaults.
 */
public final class CourierJson {

  /** Deepest nesting of arrays and objects accepted in a message. */
  public static final int MAX_NESTING_DEPTH = 256;
  /** Longest number literal accepted, in characters. */
  public static final int MAX_NUMBER_LENGTH = 1000;
  /**
   * Largest scale, either sign, of a decimal read from a message ({@code 1e9999} has scale -9999): its text is
   * bounded by {@link #MAX_NUMBER_LENGTH}, but arithmetic on it, and writing it in plain notation, cost as many
   * digits as its scale. 9,999 is also the largest scale Jackson writes in plain notation, so whatever is read
   * can be written back.
   */
  public static final int DEFAULT_MAX_NUMBER_SCALE = 9_999;
  /** Default limit on one message, in bytes: 4 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  private CourierJson() {}

  /** Returns a new mapper with Courier's configuration and strings limited to the default message size. */
  public static ObjectMapper newMapper() {
    return newMapper(DEFAULT_MAX_MESSAGE_BYTES);
  }

  /** Returns a new mapper with Courier's configuration, limiting any one string to {@code maxMessageBytes}. */
  public static ObjectMapper newMapper(int maxMessageBytes) {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxStringLength(maxMessageBytes)
            .maxDocumentLength(maxMessageBytes)
            .build())
        // Parse errors must not quote the input back to the peer or into logs.
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
        .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
        .build();
    return JsonMapper.builder(factory)
        .addModule(new Jdk8Module())
        .addModule(new JavaTimeModule())
        .addModule(new ParameterNamesModule())
        .addModule(new SimpleModule("courier-strict")
            .addSerializer(String.class, new PlainStringSerializer())
            .addDeserializer(Double.TYPE, StrictFloatDeserializer.forDouble(true))
            .addDeserializer(Double.class, StrictFloatDeserializer.forDouble(false))
            .addDeserializer(Float.TYPE, StrictFloatDeserializer.forFloat(true))
            .addDeserializer(Float.class, StrictFloatDeserializer.forFloat(false)))
        .enable(MapperFeature.BLOCK_UNSAFE_POLYMORPHIC_BASE_TYPES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        // Numbers keep every digit: decimals are read as BigDecimal (and written as they came), so that a
        // BigDecimal param or an echoed value is exact; durations travel as ISO-8601 text, not float seconds.
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .build();
  }
}
