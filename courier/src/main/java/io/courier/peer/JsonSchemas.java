package io.courier.peer;

import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.impl.UnknownSerializer;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * JSON Schemas (draft-07, the dialect OpenRPC 1.3 uses) for the Java types of served methods, written the way
 * the end's Jackson mapper writes values: bean properties come from Jackson's own introspection, so renames,
 * ignored properties and records follow the mapper's annotations and modules. Enums, records and other beans
 * are shared {@linkplain #components() components} that schemas point at with {@code $ref}, which also ends
 * recursion (a type that contains itself refers to its own component).
 *
 * <p>A type it cannot describe (written by a custom serializer, abstract, or one whose introspection fails)
 * gets the {@linkplain #undescribed fallback}: {@code {}} with a description saying so, which accepts any JSON;
 * it never throws. Not thread-safe: one per document, built once.
 */
final class JsonSchemas {

  /** Where {@code $ref}s point: the OpenRPC document's shared schemas. */
  static final String REF_PREFIX = "#/components/schemas/";

  /** The extension that marks a subscription's item schema (a {@code Flow.Publisher}'s items). */
  static final String SUBSCRIPTION = "x-courier-subscription";

  /** How the fallback's description starts, so that readers and tests can tell it apart. */
  static final String UNDESCRIBED = "Not described:";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper mapper;
  private final boolean datesAsTimestamps;
  private final boolean durationsAsTimestamps;
  private final Map<JavaType, String> names = new HashMap<>();
  /** Sorted by name, so that the same service always gives the same document. */
  private final Map<String, ObjectNode> components = new TreeMap<>();

  JsonSchemas(ObjectMapper mapper) {
    this.mapper = mapper;
    this.datesAsTimestamps = mapper.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    this.durationsAsTimestamps = mapper.isEnabled(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
  }

  /** The shared schemas the schemas returned so far refer to, by name. */
  Map<String, ObjectNode> components() {
    return components;
  }

  /** Returns the schema of {@code type}: inline, or a {@code $ref} to a component; never throws. */
  ObjectNode schema(Type type) {
    try {
      return schema(mapper.constructType(type));
    } catch (RuntimeException | StackOverflowError e) {
      return undescribed(type.getTypeName(), e.toString());
    }
  }

  private ObjectNode schema(JavaType type) {
    Class<?> raw = type.getRawClass();
    ObjectNode scalar = scalar(raw);
    if (scalar != null) {
      return scalar;
    }
    if (raw == Object.class) {
      return NODES.objectNode();
    }
    if (TreeNode.class.isAssignableFrom(raw)) {
      return tree(raw);
    }
    if (type.isReferenceType()) {
      // Optional, AtomicReference and the like: the value they hold, or null when they hold none.
      return nullable(schema(type.getReferencedType()));
    }
    if (CompletionStage.class.isAssignableFrom(raw)) {
      return schema(parameter(type, CompletionStage.class));
    }
    if (Flow.Publisher.class.isAssignableFrom(raw)) {
      // $ref siblings are ignored by draft-07 validators, so the mark goes beside the ref in an allOf.
      ObjectNode items = NODES.objectNode();
      items.putArray("allOf").add(schema(parameter(type, Flow.Publisher.class)));
      items.put(SUBSCRIPTION, true);
      return items;
    }
    if (type.isArrayType() || type.isCollectionLikeType()) {
      ObjectNode array = NODES.objectNode().put("type", "array");
      array.set("items", schema(type.getContentType()));
      if (Set.class.isAssignableFrom(raw)) {
        array.put("uniqueItems", true);
      }
      return array;
    }
    if (Iterable.class.isAssignableFrom(raw)) {
      ObjectNode array = NODES.objectNode().put("type", "array");
      array.set("items", schema(parameter(type, Iterable.class)));
      return array;
    }
    if (type.isMapLikeType()) {
      ObjectNode object = NODES.objectNode().put("type", "object");
      object.set("additionalProperties", schema(type.getContentType()));
      return object;
    }
    if (raw.isEnum()) {
      return component(type, () -> enumeration(raw));
    }
    if (raw.getName().startsWith("java.time.")) {
      // The rest of java.time (Year, YearMonth, ZoneId...) is written as ISO-8601 text by JavaTimeModule.
      return datesAsTimestamps ? undescribed(raw.getName(), "written as a timestamp") : string();
    }
    if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
      return undescribed(type.toCanonical(), "an abstract type: the mapper writes whatever class a value has");
    }
    return component(type, () -> bean(type));
  }

  /** Returns the schema of a type JSON has a scalar for (and of its wrappers and time types); else null. */
  private ObjectNode scalar(Class<?> raw) {
    if (raw == void.class || raw == Void.class) {
      return type("null");
    }
    if (raw == boolean.class || raw == Boolean.class || raw == AtomicBoolean.class) {
      return type("boolean");
    }
    if (raw == int.class || raw == Integer.class || raw == short.class || raw == Short.class
        || raw == byte.class || raw == Byte.class || raw == AtomicInteger.class) {
      return type("integer").put("format", "int32");
    }
    if (raw == long.class || raw == Long.class || raw == AtomicLong.class) {
      return type("integer").put("format", "int64");
    }
    if (raw == BigInteger.class) {
      return type("integer");
    }
    if (raw == float.class || raw == Float.class) {
      return type("number").put("format", "float");
    }
    if (raw == double.class || raw == Double.class) {
      return type("number").put("format", "double");
    }
    if (raw == BigDecimal.class || raw == Number.class) {
      return type("number");
    }
    if (raw == char.class || raw == Character.class) {
      return string().put("minLength", 1).put("maxLength", 1);
    }
    if (CharSequence.class.isAssignableFrom(raw)) {
      return string();
    }
    if (raw == byte[].class) {
      // Jackson writes byte arrays as base64 text, not as arrays of numbers.
      return string().put("contentEncoding", "base64");
    }
    if (raw == UUID.class) {
      return string().put("format", "uuid");
    }
    if (raw == URI.class || raw == URL.class) {
      return string().put("format", "uri");
    }
    if (raw == OptionalInt.class || raw == OptionalLong.class) {
      return nullable(type("integer"));
    }
    if (raw == OptionalDouble.class) {
      return nullable(type("number"));
    }
    return time(raw);
  }

  /** Returns the schema of a date, time or duration as the mapper writes it; null for other types. */
  private ObjectNode time(Class<?> raw) {
    if (raw == Duration.class || raw == Period.class) {
      return durationsAsTimestamps && raw == Duration.class
          ? type("number")
          : string().put("format", "duration");
    }
    boolean date = raw == Instant.class || raw == OffsetDateTime.class || raw == ZonedDateTime.class
        || Date.class.isAssignableFrom(raw) || Calendar.class.isAssignableFrom(raw)
        || raw == LocalDate.class || raw == LocalDateTime.class || raw == LocalTime.class || raw == OffsetTime.class;
    if (!date) {
      return null;
    }
    if (datesAsTimestamps) {
      return undescribed(raw.getName(), "written as a timestamp (WRITE_DATES_AS_TIMESTAMPS)");
    }
    if (raw == LocalDate.class) {
      return string().put("format", "date");
    }
    if (raw == OffsetTime.class) {
      return string().put("format", "time");
    }
    // RFC 3339's date-time and time (JSON Schema's formats) need an offset, which local times do not have.
    if (raw == LocalDateTime.class) {
      return string().put("description", "An ISO-8601 local date-time, without offset: 2026-01-31T13:45:00");
    }
    if (raw == LocalTime.class) {
      return string().put("description", "An ISO-8601 local time, without offset: 13:45:00");
    }
    return string().put("format", "date-time");
  }

  private static ObjectNode tree(Class<?> raw) {
    if (ObjectNode.class.isAssignableFrom(raw)) {
      return type("object");
    }
    if (ArrayNode.class.isAssignableFrom(raw)) {
      return type("array");
    }
    return NODES.objectNode();
  }

  /** The enum's constants as the mapper writes them ({@code @JsonProperty}, {@code @JsonValue} included). */
  private ObjectNode enumeration(Class<?> raw) {
    ArrayNode values = NODES.arrayNode();
    boolean strings = true;
    for (Object constant : raw.getEnumConstants()) {
      JsonNode value = mapper.valueToTree(constant);
      values.add(value);
      strings &= value.isTextual();
    }
    ObjectNode schema = strings ? string() : NODES.objectNode();
    schema.set("enum", values);
    return schema;
  }

  /** A record or other bean: its properties as the mapper's serializer for it writes them. */
  private ObjectNode bean(JavaType type) {
    JsonSerializer<Object> serializer;
    try {
      serializer = mapper.getSerializerProviderInstance().findValueSerializer(type);
    } catch (JsonMappingException e) {
      return undescribed(type.toCanonical(), e.getOriginalMessage());
    }
    BeanDescription description = mapper.getSerializationConfig().introspect(type);
    AnnotatedMember value = description.findJsonValueAccessor();
    if (value != null) {
      return schema(value.getType());
    }
    if (serializer instanceof UnknownSerializer) {
      return type("object"); // no properties: the mapper writes {}
    }
    if (!(serializer instanceof BeanSerializerBase)) {
      return undescribed(type.toCanonical(), "written by its own serializer, "
          + serializer.getClass().getSimpleName());
    }
    ObjectNode schema = type("object");
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = NODES.arrayNode();
    for (BeanPropertyDefinition property : description.findProperties()) {
      if (!property.couldSerialize()) {
        continue;
      }
      JavaType propertyType = property.getPrimaryType();
      ObjectNode propertySchema = schema(propertyType);
      String text = property.getMetadata().getDescription();
      if (text != null && !text.isEmpty()) {
        propertySchema = withDescription(propertySchema, text);
      }
      properties.set(property.getName(), propertySchema);
      if (property.isRequired() || propertyType.isPrimitive()) {
        required.add(property.getName());
      }
    }
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    return schema;
  }

  /**
   * Returns a {@code $ref} to the component for {@code type}, building it the first time. The name is taken
   * before the schema is built, so that a type that refers to itself gets a {@code $ref} and ends there.
   */
  private ObjectNode component(JavaType type, Supplier<ObjectNode> build) {
    String name = names.get(type);
    if (name == null) {
      name = uniqueName(type);
      names.put(type, name);
      components.put(name, NODES.objectNode());
      ObjectNode schema;
      try {
        schema = build.get();
      } catch (RuntimeException e) {
        schema = undescribed(type.toCanonical(), e.toString());
      }
      components.put(name, schema);
    }
    return NODES.objectNode().put("$ref", REF_PREFIX + name);
  }

  /** The simple name, with its type arguments ({@code Page_Item}), and a number when it is taken. */
  private String uniqueName(JavaType type) {
    String base = baseName(type).replaceAll("[^A-Za-z0-9._-]", "");
    if (base.isEmpty()) {
      base = "Type";
    }
    String name = base;
    for (int i = 2; components.containsKey(name); i++) {
      name = base + i;
    }
    return name;
  }

  private static String baseName(JavaType type) {
    if (type.isArrayType()) {
      return baseName(type.getContentType()) + "Array";
    }
    StringBuilder name = new StringBuilder(type.getRawClass().getSimpleName());
    for (int i = 0; i < type.containedTypeCount(); i++) {
      name.append('_').append(baseName(type.containedType(i)));
    }
    return name.toString();
  }

  private JavaType parameter(JavaType type, Class<?> of) {
    JavaType[] parameters = mapper.getTypeFactory().findTypeParameters(type, of);
    return parameters.length == 0 ? mapper.constructType(Object.class) : parameters[0];
  }

  /**
   * The fallback for a type that cannot be described: no constraint (any JSON), with a description that names
   * the type and says why.
   */
  static ObjectNode undescribed(String typeName, String why) {
    return NODES.objectNode().put("description", UNDESCRIBED + " Courier cannot describe the Java type "
        + typeName + " (" + why + "); any JSON value.");
  }

  /** Adds a description; beside a {@code $ref}, where draft-07 would ignore it, through an {@code allOf}. */
  static ObjectNode withDescription(ObjectNode schema, String description) {
    ObjectNode described;
    if (schema.has("$ref")) {
      described = NODES.objectNode();
      described.putArray("allOf").add(schema);
    } else {
      described = schema.deepCopy();
    }
    return described.put("description", description);
  }

  private static ObjectNode nullable(ObjectNode schema) {
    ObjectNode either = NODES.objectNode();
    either.putArray("anyOf").add(schema).add(type("null"));
    return either;
  }

  private static ObjectNode string() {
    return type("string");
  }

  private static ObjectNode type(String name) {
    return NODES.objectNode().put("type", name);
  }
}
