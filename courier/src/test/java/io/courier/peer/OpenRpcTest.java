package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.Idempotent;
import io.courier.MethodDescriptor;
import io.courier.Notification;
import io.courier.Param;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.RpcMethod;
import io.courier.RpcService;
import io.courier.peer.JsonSchemasTest.Bean;
import io.courier.peer.JsonSchemasTest.Color;
import io.courier.peer.JsonSchemasTest.Item;
import io.courier.peer.JsonSchemasTest.Node;
import io.courier.peer.JsonSchemasTest.Opaque;
import io.courier.peer.JsonSchemasTest.Page;
import io.courier.protocol.CourierJson;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.ArrayList;
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

/**
 * The OpenRPC document {@code rpc.discover} answers with, built from real registrations and checked against the
 * OpenRPC 1.3.2 meta-schema; no sockets.
 */
@Timeout(30)
class OpenRpcTest {

  private static final ObjectMapper MAPPER = CourierJson.newMapper();

  /**
   * The signatures of courier-examples' {@code DemoService} (what {@code courier serve-demo} hosts), repeated
   * here because courier's tests cannot depend on the examples module.
   */
  interface Demo {
    BigDecimal subtract(BigDecimal minuend, BigDecimal subtrahend);

    BigDecimal sum(BigDecimal... numbers);

    void update(Object... params);

    @RpcMethod("notify_hello")
    void notifyHello(Object... params);

    @RpcMethod("notify_sum")
    void notifySum(BigDecimal... numbers);

    @RpcMethod("get_data")
    List<Object> getData();

    Object echo(Object x);

    long add(long a, long b);

    long sleep(long ms) throws InterruptedException;

    void fail(String message);

    CompletableFuture<JsonNode> callback(String method, JsonNode params);

    Flow.Publisher<Long> count(long n);

    @Idempotent
    String node();
  }

  /** A method for every kind of type the schema generator knows, and one it does not. */
  @RpcService(value = "all", description = "Every type Courier describes.")
  interface Everything {
    @RpcMethod(description = "Primitives and their boxes.")
    boolean scalars(int i, long l, short s, byte b, double d, float f, char c, boolean z, Integer boxedInt,
        Long boxedLong, Double boxedDouble, Boolean boxedBoolean);

    String text(@Param(description = "Any text.") String s, BigDecimal d, BigInteger i, UUID id, byte[] bytes);

    Color color(Color c);

    Item item(Item item);

    Bean bean(Bean bean);

    Page<Item> page(List<Item> items, Item[] array, Set<String> tags, Map<String, Item> byName, int[] numbers);

    Optional<String> optional(@Param("max") Optional<Integer> limit);

    Instant time(Instant instant, OffsetDateTime offsetDateTime, ZonedDateTime zoned, LocalDate date,
        LocalTime localTime, LocalDateTime localDateTime, OffsetTime offsetTime, Duration duration, Period period);

    JsonNode any(JsonNode node, Object object, ObjectNode objectNode, ArrayNode arrayNode);

    CompletableFuture<Item> later(int x);

    CompletionStage<Void> nothingLater();

    Flow.Publisher<Item> items(int n);

    void nothing();

    @Notification
    void fire(String event);

    Node tree(Node root);

    Opaque opaque(Opaque value);

    Item risky(String x) throws IOException, IllegalStateException, Exception;

    int overloaded(int a);

    int overloaded(int a, int b);

    long total(long... numbers);
  }

  @SuppressWarnings("unchecked")
  private static <T> T stub(Class<T> type) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      throw new AssertionError("not called in description tests");
    });
  }

  private static List<MethodDescriptor> describe(RpcServerBuilder builder) {
    return builder.build().describeMethods();
  }

  private static ObjectNode document(RpcServerBuilder builder) {
    return OpenRpc.document("Test", "1.2.3", describe(builder), MAPPER);
  }

  private static JsonNode method(JsonNode document, String name) {
    for (JsonNode method : document.get("methods")) {
      if (method.get("name").asText().equals(name)) {
        return method;
      }
    }
    throw new AssertionError("no method " + name + " in " + document);
  }

  private static List<String> names(JsonNode array, String field) {
    List<String> names = new ArrayList<>();
    array.forEach(node -> names.add(node.get(field).asText()));
    return names;
  }

  @Test
  void theDemoServicesDocumentIsValidOpenRpc() {
    ObjectNode document = document(RpcServer.builder().service(Demo.class, stub(Demo.class)));

    assertThat(OpenRpcMetaSchema.problems(document)).isEmpty();
    assertThat(document.get("openrpc").asText()).isEqualTo("1.3.2");
    assertThat(document.get("info").get("title").asText()).isEqualTo("Test");
    assertThat(document.get("info").get("version").asText()).isEqualTo("1.2.3");
    assertThat(names(document.get("methods"), "name")).containsExactly("add", "callback", "count", "echo", "fail",
        "get_data", "node", "notify_hello", "notify_sum", "sleep", "subtract", "sum", "update");
    JsonNode subtract = method(document, "subtract");
    assertThat(names(subtract.get("params"), "name")).containsExactly("minuend", "subtrahend");
    assertThat(subtract.get("params").get(0).get("required").asBoolean()).isFalse();
    assertThat(subtract.get("result").get("schema").get("type").asText()).isEqualTo("number");
    JsonNode add = method(document, "add");
    assertThat(add.get("params").get(0).get("required").asBoolean()).isTrue();
    JsonNode sum = method(document, "sum");
    assertThat(sum.get("params").get(0).get("x-courier-varargs").asBoolean()).isTrue();
    assertThat(sum.get("params").get(0).get("schema").get("type").asText()).isEqualTo("array");
    JsonNode count = method(document, "count");
    assertThat(count.get("x-courier-subscription").asBoolean()).isTrue();
    assertThat(count.get("result").get("schema").get("format").asText()).isEqualTo("int64");
    JsonNode sleep = method(document, "sleep");
    assertThat(sleep.get("errors").get(0).get("code").asInt()).isEqualTo(RpcError.DECLARED_EXCEPTION_CODE);
    assertThat(sleep.get("errors").get(0).get("message").asText()).isEqualTo("InterruptedException");
    assertThat(method(document, "update").get("result").get("schema").get("type").asText()).isEqualTo("null");
    assertThat(method(document, "callback").get("result").get("schema").size()).isZero();
  }

  @Test
  void aServiceUsingEveryTypeGivesAValidDocumentWhoseReferencesResolve() {
    ObjectNode document = document(RpcServer.builder().service(Everything.class, stub(Everything.class)));

    assertThat(OpenRpcMetaSchema.problems(document)).isEmpty();
    assertThat(document.get("components").get("schemas").fieldNames()).toIterable()
        .contains("Bean", "Color", "Item", "Node", "Opaque", "Page_Item");
    assertThat(method(document, "all.tree").get("result").get("schema").get("$ref").asText())
        .isEqualTo("#/components/schemas/Node");
    assertThat(method(document, "all.opaque").get("result").get("schema").get("$ref").asText())
        .isEqualTo("#/components/schemas/Opaque");
    assertThat(document.get("components").get("schemas").get("Opaque").get("description").asText())
        .startsWith(JsonSchemas.UNDESCRIBED);
    assertThat(method(document, "all.nothingLater").get("result").get("schema").get("type").asText())
        .isEqualTo("null");
    assertThat(method(document, "all.items").get("x-courier-subscription").asBoolean()).isTrue();
    assertThat(method(document, "all.optional").get("params").get(0).get("name").asText()).isEqualTo("max");
  }

  @Test
  void descriptionsComeFromTheAnnotations() {
    ObjectNode document = document(RpcServer.builder().service(Everything.class, stub(Everything.class)));

    JsonNode scalars = method(document, "all.scalars");
    assertThat(scalars.get("description").asText()).isEqualTo("Primitives and their boxes.");
    assertThat(scalars.get("tags").get(0).get("name").asText()).isEqualTo("all");
    assertThat(scalars.get("tags").get(0).get("description").asText()).isEqualTo("Every type Courier describes.");
    assertThat(method(document, "all.text").get("params").get(0).get("description").asText())
        .isEqualTo("Any text.");
  }

  @Test
  void declaredExceptionsAreErrorsLessTheCatchAlls() {
    JsonNode risky = method(document(RpcServer.builder().service(Everything.class, stub(Everything.class))),
        "all.risky");

    assertThat(names(risky.get("errors"), "message")).containsExactly("IOException", "IllegalStateException");
    assertThat(risky.get("errors").get(0).get("code").asInt()).isEqualTo(-32010);
    assertThat(risky.get("errors").get(0).get("data").get("type").asText()).isEqualTo("IOException");
  }

  @Test
  void notificationsHaveNoResult() {
    JsonNode fire = method(document(RpcServer.builder().service(Everything.class, stub(Everything.class))),
        "all.fire");

    assertThat(fire.has("result")).isFalse();
  }

  @Test
  void overloadsShareOneEntryThatSaysSo() {
    ObjectNode document = document(RpcServer.builder().service(Everything.class, stub(Everything.class)));

    assertThat(names(document.get("methods"), "name")).containsOnlyOnce("all.overloaded");
    JsonNode overloaded = method(document, "all.overloaded");
    assertThat(overloaded.get("params")).hasSize(1);
    assertThat(overloaded.get("description").asText()).contains("also takes 2 params");
  }

  @Test
  void functionsAreDescribedAsTakingAnyParams() {
    ObjectNode document = document(RpcServer.builder().method("test", args -> "called"));

    assertThat(OpenRpcMetaSchema.problems(document)).isEmpty();
    JsonNode test = method(document, "test");
    assertThat(test.get("params")).isEmpty();
    assertThat(test.get("x-courier-any-params").asBoolean()).isTrue();
    assertThat(test.get("description").asText()).contains("takes any params");
    assertThat(test.get("result").get("schema").size()).isZero();
  }

  @Test
  void theDocumentIsBuiltOnceAndEachCallGetsACopy() throws Throwable {
    List<MethodDescriptor> methods = describe(RpcServer.builder().service(Demo.class, stub(Demo.class)));
    OpenRpc discover = (OpenRpc) OpenRpc.discover("T", "1", MAPPER).apply(methods);

    assertThat(discover.document()).isSameAs(discover.document());
    Object first = discover.invoke(discover.bind(null, null));
    Object second = discover.invoke(discover.bind(JsonNodeFactory.instance.arrayNode(), null));
    assertThat(first).isEqualTo(discover.document()).isNotSameAs(discover.document()).isNotSameAs(second);
  }

  @Test
  void discoverTakesNoParams() {
    OpenRpc discover = (OpenRpc) OpenRpc.discover("T", "1", MAPPER).apply(List.of());

    assertThatThrownBy(() -> discover.bind(JsonNodeFactory.instance.arrayNode().add(1), null))
        .isInstanceOfSatisfying(RpcException.class,
            e -> assertThat(e.error().code()).isEqualTo(RpcError.INVALID_PARAMS_CODE));
  }

  @Test
  void theMetaSchemaCheckFindsMissingFieldsAndDanglingReferences() {
    ObjectNode document = document(RpcServer.builder().service(Demo.class, stub(Demo.class)));
    document.remove("info");
    ((ObjectNode) method(document, "add").get("result")).putObject("schema").put("$ref", "#/components/schemas/No");
    ((ObjectNode) method(document, "echo").get("params").get(0)).putObject("schema").put("type", 5);

    assertThat(OpenRpcMetaSchema.problems(document))
        .anySatisfy(problem -> assertThat(problem).contains("info"))
        .anySatisfy(problem -> assertThat(problem).contains("#/components/schemas/No"))
        .anySatisfy(problem -> assertThat(problem).contains("/methods/3/params/0/schema"));
  }
}
