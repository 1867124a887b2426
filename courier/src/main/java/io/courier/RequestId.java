package io.courier;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code id} of a JSON-RPC request: a string, a number or null, kept as its exact JSON text so that a
 * reply echoes it byte for byte (a number such as {@code 1.50} or {@code 12345678901234567890} comes back
 * exactly as it was sent).
 *
 * <p>Two ids are equal when their JSON texts are equal. Immutable and thread-safe.
 */
public final class RequestId {

  /** The id {@code null}, which the specification uses when a request's id could not be determined. */
  public static final RequestId NULL = new RequestId("null");

  private final String json;

  private RequestId(String json) {
    this.json = json;
  }

  /** Returns a numeric id. */
  public static RequestId of(long number) {
    return new RequestId(Long.toString(number));
  }

  /** Returns a string id. */
  public static RequestId of(String text) {
    requireNonNull(text, "text");
    return new RequestId('"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"');
  }

  /**
   * Returns the id a JSON value denotes (as in the params of {@code $/cancelRequest}), or {@code null} when the
   * value cannot be an id (an object, array or boolean).
   */
  public static RequestId of(JsonNode value) {
    if (value == null) {
      return null;
    }
    if (value.isTextual()) {
      return of(value.textValue());
    }
    if (value.isNumber()) {
      return ofNumberText(value.asText());
    }
    return value.isNull() ? NULL : null;
  }

  /** Returns a numeric id from the number's literal JSON text, as the parser read it. */
  static RequestId ofNumberText(String numberText) {
    return new RequestId(numberText);
  }

  /** Returns the id as JSON text: a quoted string, a number literal or {@code null}. */
  public String json() {
    return json;
  }

  public boolean isNull() {
    return this == NULL || json.equals("null");
  }

  /** Returns whether this id is a JSON string. */
  public boolean isString() {
    return json.charAt(0) == '"';
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequestId other && json.equals(other.json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return json;
  }

  /** What the codec, which has read a number's literal text already, uses to make an id. Not part of the API. */
  @Internal
  public static final class Access {

    private Access() {}

    /** Returns a numeric id from the number's literal JSON text, as a JSON parser read it (not checked again). */
    public static RequestId ofNumberText(String numberText) {
      return RequestId.ofNumberText(numberText);
    }
  }
}
