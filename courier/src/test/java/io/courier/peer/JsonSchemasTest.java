package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.courier.protocol.CourierJson;
import java.io.IOException;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** JSON Schemas for each Java type a method may take or return, as Courier's mapper writes it; no sockets. */
@Timeout(30)
class JsonSchemasTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonSchemas schemas = new JsonSchemas(CourierJson.newMapper());

  enum Color {
    RED,
    @JsonProperty("dark-green")
    GREEN
  }

  record Item(String name, int count, @JsonProperty("unit_price") BigDecimal price, @JsonIgnore String secret) {}

  record Page<T>(List<T> items, long total) {}

  record Node(String name, List<Node> children) {}

  record Left(Right right) {}

  record Right(Left left) {}

  /** A plain bean: its getters are its properties. */
  public static final class Bean {
    private String title = "t";
    private boolean done;

    @JsonPropertyDescription("What the bean is called.")
    public String getTitle() {
      return title;
    }

    public boolean isDone() {
      return done;
    }

    @JsonProperty(required = true)
    public Color getColor() {
      return Color.RED;
    }
  }

  /** Written as its single value. */
  record Money(BigDecimal amount) {
    @JsonValue
    BigDecimal value() {
      return amount;
    }
  }

  /** Written by a serializer Courier knows nothing about. */
  @JsonSerialize(using = OpaqueSerializer.class)
  static final class Opaque {}

  static final class OpaqueSerializer extends StdSerializer<Opaque> {
    OpaqueSerializer() {
      super(Opaque.class);
    }

    @Override
    public void serialize(Opaque value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString("opaque");
    }
  }

  static final class First {
    record Item(String a) {}
  }

  private ObjectNode schema(Type type) {
    return schemas.schema(type);
  }

  private ObjectNode schema(TypeReference<?> type) {
    return schemas.schema(type.getType());
  }

  private ObjectNode component(String name) {
    assertThat(schemas.components()).containsKey(name);
    return schemas.components().get(name);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void primitivesAndTheirBoxesAreJsonScalars() {
    assertThat(schema(int.class)).isEqualTo(json("{'type':'integer','format':'int32'}"));
    assertThat(schema(Integer.class)).isEqualTo(json("{'type':'integer','format':'int32'}"));
    assertThat(schema(short.class)).isEqualTo(json("{'type':'integer','format':'int32'}"));
    assertThat(schema(long.class)).isEqualTo(json("{'type':'integer','format':'int64'}"));
    assertThat(schema(Long.class)).isEqualTo(json("{'type':'integer','format':'int64'}"));
    assertThat(schema(double.class)).isEqualTo(json("{'type':'number','format':'double'}"));
    assertThat(schema(Float.class)).isEqualTo(json("{'type':'number','format':'float'}"));
    assertThat(schema(boolean.class)).isEqualTo(json("{'type':'boolean'}"));
    assertThat(schema(Boolean.class)).isEqualTo(json("{'type':'boolean'}"));
    assertThat(schema(char.class)).isEqualTo(json("{'type':'string','minLength':1,'maxLength':1}"));
  }

  @Test
  void textAndBigNumbersAreStringsAndNumbers() {
    assertThat(schema(String.class)).isEqualTo(json("{'type':'string'}"));
    assertThat(schema(BigDecimal.class)).isEqualTo(json("{'type':'number'}"));
    assertThat(schema(BigInteger.class)).isEqualTo(json("{'type':'integer'}"));
    assertThat(schema(UUID.class)).isEqualTo(json("{'type':'string','format':'uuid'}"));
    assertThat(schema(byte[].class)).isEqualTo(json("{'type':'string','contentEncoding':'base64'}"));
  }

  @Test
  void voidIsNull() {
    assertThat(schema(void.class)).isEqualTo(json("{'type':'null'}"));
    assertThat(schema(Void.class)).isEqualTo(json("{'type':'null'}"));
  }

  @Test
  void enumsAreSharedComponentsWithTheNamesTheMapperWrites() {
    assertThat(schema(Color.class)).isEqualTo(json("{'$ref':'#/components/schemas/Color'}"));
    assertThat(component("Color")).isEqualTo(json("{'type':'string','enum':['RED','dark-green']}"));
  }

  @Test
  void recordsAreObjectsWithThePropertiesTheMapperWrites() {
    assertThat(schema(Item.class)).isEqualTo(json("{'$ref':'#/components/schemas/Item'}"));
    assertThat(component("Item")).isEqualTo(json("{'type':'object','properties':{"
        + "'name':{'type':'string'},"
        + "'count':{'type':'integer','format':'int32'},"
        + "'unit_price':{'type':'number'}},"
        + "'required':['count']}"));
  }

  @Test
  void beansAreDescribedByTheirGettersWithJacksonDescriptionsAndRequiredProperties() {
    schema(Bean.class);
    ObjectNode bean = component("Bean");
    assertThat(bean.get("properties").get("title"))
        .isEqualTo(json("{'type':'string','description':'What the bean is called.'}"));
    assertThat(bean.get("properties").get("done")).isEqualTo(json("{'type':'boolean'}"));
    assertThat(bean.get("properties").get("color")).isEqualTo(json("{'$ref':'#/components/schemas/Color'}"));
    assertThat(bean.get("required")).isEqualTo(json("['done','color']"));
  }

  @Test
  void genericTypesAreResolved() {
    assertThat(schema(new TypeReference<List<Item>>() {}))
        .isEqualTo(json("{'type':'array','items':{'$ref':'#/components/schemas/Item'}}"));
    assertThat(schema(new TypeReference<Page<Item>>() {}))
        .isEqualTo(json("{'$ref':'#/components/schemas/Page_Item'}"));
    assertThat(component("Page_Item").get("properties").get("items"))
        .isEqualTo(json("{'type':'array','items':{'$ref':'#/components/schemas/Item'}}"));
    schema(new TypeReference<Page<String>>() {});
    assertThat(component("Page_String").get("properties").get("items"))
        .isEqualTo(json("{'type':'array','items':{'type':'string'}}"));
  }

  @Test
  void arraysCollectionsAndMaps() {
    assertThat(schema(int[].class)).isEqualTo(json("{'type':'array','items':{'type':'integer','format':'int32'}}"));
    assertThat(schema(String[].class)).isEqualTo(json("{'type':'array','items':{'type':'string'}}"));
    assertThat(schema(new TypeReference<Set<String>>() {}))
        .isEqualTo(json("{'type':'array','items':{'type':'string'},'uniqueItems':true}"));
    assertThat(schema(new TypeReference<Map<String, Long>>() {}))
        .isEqualTo(json("{'type':'object','additionalProperties':{'type':'integer','format':'int64'}}"));
    assertThat(schema(List.class)).isEqualTo(json("{'type':'array','items':{}}"));
  }

  @Test
  void optionalIsItsValueOrNull() {
    assertThat(schema(new TypeReference<Optional<String>>() {}))
        .isEqualTo(json("{'anyOf':[{'type':'string'},{'type':'null'}]}"));
  }

  @Test
  void javaTimeTypesAreStringsWithTheirFormats() {
    assertThat(schema(Instant.class)).isEqualTo(json("{'type':'string','format':'date-time'}"));
    assertThat(schema(OffsetDateTime.class)).isEqualTo(json("{'type':'string','format':'date-time'}"));
    assertThat(schema(ZonedDateTime.class)).isEqualTo(json("{'type':'string','format':'date-time'}"));
    assertThat(schema(LocalDate.class)).isEqualTo(json("{'type':'string','format':'date'}"));
    assertThat(schema(OffsetTime.class)).isEqualTo(json("{'type':'string','format':'time'}"));
    assertThat(schema(Duration.class)).isEqualTo(json("{'type':'string','format':'duration'}"));
    // No offset, so not RFC 3339's date-time: a string that says what it holds.
    assertThat(schema(LocalDateTime.class).get("type").asText()).isEqualTo("string");
    assertThat(schema(LocalDateTime.class).has("format")).isFalse();
  }

  @Test
  void anyJsonIsTheEmptySchema() {
    assertThat(schema(Object.class)).isEqualTo(json("{}"));
    assertThat(schema(JsonNode.class)).isEqualTo(json("{}"));
    assertThat(schema(ObjectNode.class)).isEqualTo(json("{'type':'object'}"));
    assertThat(schema(ArrayNode.class)).isEqualTo(json("{'type':'array'}"));
  }

  @Test
  void futuresAreWhatTheyCompleteWith() {
    assertThat(schema(new TypeReference<CompletableFuture<Item>>() {}))
        .isEqualTo(json("{'$ref':'#/components/schemas/Item'}"));
    assertThat(schema(new TypeReference<CompletionStage<List<String>>>() {}))
        .isEqualTo(json("{'type':'array','items':{'type':'string'}}"));
  }

  @Test
  void publishersAreTheirItemsMarkedAsASubscription() {
    assertThat(schema(new TypeReference<Flow.Publisher<Long>>() {})).isEqualTo(json(
        "{'allOf':[{'type':'integer','format':'int64'}],'x-courier-subscription':true}"));
  }

  @Test
  void recursiveTypesEndInAReferenceToThemselves() {
    assertThat(schema(Node.class)).isEqualTo(json("{'$ref':'#/components/schemas/Node'}"));
    assertThat(component("Node").get("properties").get("children"))
        .isEqualTo(json("{'type':'array','items':{'$ref':'#/components/schemas/Node'}}"));
    schema(Left.class);
    assertThat(component("Left").get("properties").get("right"))
        .isEqualTo(json("{'$ref':'#/components/schemas/Right'}"));
    assertThat(component("Right").get("properties").get("left"))
        .isEqualTo(json("{'$ref':'#/components/schemas/Left'}"));
  }

  @Test
  void aJsonValueTypeIsItsValue() {
    schema(Money.class);
    assertThat(component("Money")).isEqualTo(json("{'type':'number'}"));
  }

  @Test
  void typesWithTheSameSimpleNameGetDistinctComponents() {
    schema(Item.class);
    assertThat(schema(First.Item.class)).isEqualTo(json("{'$ref':'#/components/schemas/Item2'}"));
    assertThat(component("Item2").get("properties").has("a")).isTrue();
  }

  @Test
  void aTypeWrittenByItsOwnSerializerFallsBackToAnyJsonAndSaysSo() {
    schema(Opaque.class);
    ObjectNode fallback = component("Opaque");
    assertThat(fallback.size()).isEqualTo(1);
    assertThat(fallback.get("description").asText())
        .startsWith(JsonSchemas.UNDESCRIBED)
        .contains(Opaque.class.getName())
        .contains("OpaqueSerializer");
  }

  @Test
  void anAbstractTypeFallsBackToAnyJson() {
    ObjectNode fallback = schema(Runnable.class);
    assertThat(fallback.fieldNames()).toIterable().containsExactly("description");
    assertThat(fallback.get("description").asText()).startsWith(JsonSchemas.UNDESCRIBED);
  }

  @Test
  void datesWrittenAsTimestampsFallBack() {
    ObjectMapper timestamps = CourierJson.newMapper()
        .enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    ObjectNode fallback = new JsonSchemas(timestamps).schema(Instant.class);
    assertThat(fallback.get("description").asText()).startsWith(JsonSchemas.UNDESCRIBED).contains("timestamp");
  }
}
