package io.courier.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;

/**
 * Reads a {@code double} or {@code float} only from a JSON number. Jackson also accepts the strings
 * {@code "NaN"} and {@code "Infinity"} there, whatever its coercion settings; a peer that sends those is
 * answered with an invalid-params error instead, as for any other string in a number's place.
 */
final class StrictFloatDeserializer<T> extends StdScalarDeserializer<T> {

  private static final long serialVersionUID = 1L;

  private final boolean isFloat;
  private final boolean primitive;

  private StrictFloatDeserializer(Class<T> type, boolean isFloat, boolean primitive) {
    super(type);
    this.isFloat = isFloat;
    this.primitive = primitive;
  }

  static StrictFloatDeserializer<Double> forDouble(boolean primitive) {
    return new StrictFloatDeserializer<>(primitive ? Double.TYPE : Double.class, false, primitive);
  }

  static StrictFloatDeserializer<Float> forFloat(boolean primitive) {
    return new StrictFloatDeserializer<>(primitive ? Float.TYPE : Float.class, true, primitive);
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      return (T) (isFloat ? (Object) p.getFloatValue() : (Object) p.getDoubleValue());
    }
    return (T) ctxt.handleUnexpectedToken(handledType(), p);
  }

  @Override
  @SuppressWarnings("unchecked")
  public T getNullValue(DeserializationContext ctxt) {
    if (primitive) {
      try {
        return (T) ctxt.reportInputMismatch(this, "null for a primitive %s", handledType().getName());
      } catch (IOException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    return null;
  }
}
