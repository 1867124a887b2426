package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.RpcException;
import io.courier.RpcMethod;
import io.courier.client.RpcClient;
import io.courier.testing.Canary;
import io.courier.testing.FakeJsonRpcServer;
import io.courier.testing.NettyLeakCheck;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Round trips of every supported Java type through a proxy, and binding of untyped params. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class TypesIT {

  enum Color { RED, GREEN, BLUE }

  record Point(int x, int y, String label) {}

  /** A classic bean with getters and setters. */
  public static final class Person {
    private String name;
    private int age;
    private List<String> tags;

    public Person() {}

    Person(String name, int age, List<String> tags) {
      this.name = name;
      this.age = age;
      this.tags = tags;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public int getAge() {
      return age;
    }

    public void setAge(int age) {
      this.age = age;
    }

    public List<String> getTags() {
      return tags;
    }

    public void setTags(List<String> tags) {
      this.tags = tags;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Person p && age == p.age && Objects.equals(name, p.name) && Objects.equals(tags, p.tags);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, age, tags);
    }

    @Override
    public String toString() {
      return "Person{" + name + ", " + age + ", " + tags + "}";
    }
  }

  interface Echo {
    int echoInt(int v);

    long echoLong(long v);

    double echoDouble(double v);

    boolean echoBoolean(boolean v);

    char echoChar(char v);

    Integer echoBoxedInt(Integer v);

    Long echoBoxedLong(Long v);

    Double echoBoxedDouble(Double v);

    Boolean echoBoxedBoolean(Boolean v);

    String echoString(String v);

    BigDecimal echoBigDecimal(BigDecimal v);

    BigDecimal addBigDecimals(BigDecimal a, BigDecimal b);

    BigInteger echoBigInteger(BigInteger v);

    Color echoColor(Color v);

    int[] echoInts(int[] v);

    String[] echoStrings(String[] v);

    List<Point> echoPoints(List<Point> v);

    Set<String> echoSet(Set<String> v);

    Map<String, List<Integer>> echoMap(Map<String, List<Integer>> v);

    Point echoPoint(Point v);

    Person echoPerson(Person v);

    Optional<String> echoOptional(Optional<String> v);

    Instant echoInstant(Instant v);

    LocalDate echoLocalDate(LocalDate v);

    Duration echoDuration(Duration v);

    OffsetDateTime echoOffsetDateTime(OffsetDateTime v);

    void nothing(String ignored);

    String nullString();

    Point nullPoint();

    String kindOf(Object value);
  }

  /** A client view that expects a primitive where the server may answer null. */
  interface PrimitiveView {
    @RpcMethod("echoBoxedInt")
    int echoBoxedIntAsPrimitive(Integer v);
  }

  static final class EchoImpl implements Echo {
    volatile String lastNothing;

    @Override public int echoInt(int v) { return v; }
    @Override public long echoLong(long v) { return v; }
    @Override public double echoDouble(double v) { return v; }
    @Override public boolean echoBoolean(boolean v) { return v; }
    @Override public char echoChar(char v) { return v; }
    @Override public Integer echoBoxedInt(Integer v) { return v; }
    @Override public Long echoBoxedLong(Long v) { return v; }
    @Override public Double echoBoxedDouble(Double v) { return v; }
    @Override public Boolean echoBoxedBoolean(Boolean v) { return v; }
    @Override public String echoString(String v) { return v; }
    @Override public BigDecimal echoBigDecimal(BigDecimal v) { return v; }
    @Override public BigDecimal addBigDecimals(BigDecimal a, BigDecimal b) { return a.add(b); }
    @Override public BigInteger echoBigInteger(BigInteger v) { return v; }
    @Override public Color echoColor(Color v) { return v; }
    @Override public int[] echoInts(int[] v) { return v; }
    @Override public String[] echoStrings(String[] v) { return v; }
    @Override public List<Point> echoPoints(List<Point> v) { return v; }
    @Override public Set<String> echoSet(Set<String> v) { return v; }
    @Override public Map<String, List<Integer>> echoMap(Map<String, List<Integer>> v) { return v; }
    @Override public Point echoPoint(Point v) { return v; }
    @Override public Person echoPerson(Person v) { return v; }
    @Override public Optional<String> echoOptional(Optional<String> v) { return v; }
    @Override public Instant echoInstant(Instant v) { return v; }
    @Override public LocalDate echoLocalDate(LocalDate v) { return v; }
    @Override public Duration echoDuration(Duration v) { return v; }
    @Override public OffsetDateTime echoOffsetDateTime(OffsetDateTime v) { return v; }

    @Override
    public void nothing(String ignored) {
      lastNothing = ignored;
    }

    @Override public String nullString() { return null; }
    @Override public Point nullPoint() { return null; }

    @Override
    public String kindOf(Object value) {
      return value == null ? "null" : value.getClass().getName();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static EchoImpl impl;
  private static RpcServer server;
  private static RpcClient client;
  private static Echo echo;

  @BeforeAll
  static void start() {
    impl = new EchoImpl();
    server = RpcServer.builder().host("127.0.0.1").port(0).service(Echo.class, impl).build().start();
    client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + server.port())
        .callTimeout(Duration.ofSeconds(5))
        .build();
    echo = client.create(Echo.class);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.stop(Duration.ofSeconds(1));
  }

  @Test
  void primitivesRoundTrip() {
    assertThat(echo.echoInt(Integer.MIN_VALUE)).isEqualTo(Integer.MIN_VALUE);
    assertThat(echo.echoLong(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(echo.echoLong(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(echo.echoDouble(0.1)).isEqualTo(0.1);
    assertThat(echo.echoDouble(-1.5e300)).isEqualTo(-1.5e300);
    assertThat(echo.echoBoolean(true)).isTrue();
    assertThat(echo.echoBoolean(false)).isFalse();
    assertThat(echo.echoChar('é')).isEqualTo('é');
  }

  @Test
  void boxedTypesRoundTripIncludingNull() {
    assertThat(echo.echoBoxedInt(7)).isEqualTo(7);
    assertThat(echo.echoBoxedLong(1L << 40)).isEqualTo(1L << 40);
    assertThat(echo.echoBoxedDouble(2.5)).isEqualTo(2.5);
    assertThat(echo.echoBoxedBoolean(Boolean.TRUE)).isTrue();
    assertThat(echo.echoBoxedInt(null)).isNull();
    assertThat(echo.echoBoxedBoolean(null)).isNull();
  }

  @Test
  void stringsRoundTripIncludingUnicodeAndEmoji() {
    assertThat(echo.echoString("测试项")).isEqualTo("测试项");
    assertThat(echo.echoString("rocket \uD83D\uDE80 and family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"))
        .isEqualTo("rocket \uD83D\uDE80 and family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67");
    assertThat(echo.echoString("quotes \" backslash \\ newline \n tab \t nul \u0000"))
        .isEqualTo("quotes \" backslash \\ newline \n tab \t nul \u0000");
    assertThat(echo.echoString("")).isEmpty();
  }

  @Test
  void bigDecimalArithmeticIsExact() {
    assertThat(echo.addBigDecimals(new BigDecimal("0.1"), new BigDecimal("0.2"))).isEqualTo(new BigDecimal("0.3"));
  }

  @Test
  void bigDecimalKeepsEveryDigit() {
    BigDecimal precise = new BigDecimal("12345678901234567890.123456789012345678901234567890");

    assertThat(echo.echoBigDecimal(precise)).isEqualTo(precise);
  }

  @Test
  void serverReadsBigDecimalParamsWithEveryDigit() throws Exception {
    String precise = "12345678901234567890.123456789012345678901234567890";
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("{\"jsonrpc\":\"2.0\",\"method\":\"echoBigDecimal\",\"params\":["
          + precise + "],\"id\":1}\n").getBytes(StandardCharsets.UTF_8));
      String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.UTF_8)).readLine();

      assertThat(reply).contains("\"result\":" + precise);
    }
  }

  @Test
  void clientReadsBigDecimalResultsWithEveryDigit() throws Exception {
    String precise = "12345678901234567890.123456789012345678901234567890";
    try (FakeJsonRpcServer fake = new FakeJsonRpcServer(
            request -> "{\"jsonrpc\":\"2.0\",\"result\":" + precise + ",\"id\":" + request.get("id") + "}");
        RpcClient fakeClient = RpcClient.builder().target("tcp://127.0.0.1:" + fake.port()).build()) {

      BigDecimal result = fakeClient.call("anything", BigDecimal.class).get(5, TimeUnit.SECONDS);

      assertThat(result).isEqualTo(new BigDecimal(precise));
    }
  }

  @Test
  void bigIntegerBeyondLongRoundTrips() {
    BigInteger huge = BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.valueOf(1000)).add(BigInteger.ONE);

    assertThat(echo.echoBigInteger(huge)).isEqualTo(huge);
    assertThat(echo.echoBigInteger(huge.negate())).isEqualTo(huge.negate());
  }

  @Test
  void enumsRoundTrip() {
    for (Color color : Color.values()) {
      assertThat(echo.echoColor(color)).isEqualTo(color);
    }
  }

  @Test
  void arraysRoundTrip() {
    assertThat(echo.echoInts(new int[] {3, 1, 2})).containsExactly(3, 1, 2);
    assertThat(echo.echoInts(new int[0])).isEmpty();
    assertThat(echo.echoStrings(new String[] {"a", null, "测试"})).containsExactly("a", null, "测试");
  }

  @Test
  void genericCollectionsRoundTrip() {
    List<Point> points = List.of(new Point(1, 2, "a"), new Point(-3, 4, null));
    Map<String, List<Integer>> map = Map.of("odd", List.of(1, 3, 5), "even", List.of(2, 4), "none", List.of());

    assertThat(echo.echoPoints(points)).isEqualTo(points);
    assertThat(echo.echoPoints(points).get(0)).isInstanceOf(Point.class);
    assertThat(echo.echoSet(Set.of("x", "y", "z"))).isEqualTo(Set.of("x", "y", "z"));
    assertThat(echo.echoMap(map)).isEqualTo(map);
  }

  @Test
  void recordsRoundTrip() {
    assertThat(echo.echoPoint(new Point(5, 6, "测试项"))).isEqualTo(new Point(5, 6, "测试项"));
  }

  @Test
  void pojosRoundTrip() {
    Person ada = new Person("Ada", 36, List.of("math", "engines"));

    assertThat(echo.echoPerson(ada)).isEqualTo(ada);
  }

  @Test
  void optionalsRoundTripPresentAndEmpty() {
    assertThat(echo.echoOptional(Optional.of("here"))).contains("here");
    assertThat(echo.echoOptional(Optional.empty())).isEmpty();
  }

  @Test
  void instantAndLocalDateRoundTrip() {
    Instant instant = Instant.parse("2024-02-29T12:34:56.123456789Z");
    LocalDate date = LocalDate.of(1815, 12, 10);

    assertThat(echo.echoInstant(instant)).isEqualTo(instant);
    assertThat(echo.echoLocalDate(date)).isEqualTo(date);
  }

  @Test
  void durationRoundTrips() {
    assertThat(echo.echoDuration(Duration.ofMillis(1500))).isEqualTo(Duration.ofMillis(1500));
    assertThat(echo.echoDuration(Duration.ofHours(-3))).isEqualTo(Duration.ofHours(-3));
  }

  @Test
  void durationKeepsNanosecondPrecision() {
    Duration precise = Duration.ofSeconds(123_456_789L, 987_654_321);

    assertThat(echo.echoDuration(precise)).isEqualTo(precise);
  }

  @Test
  void offsetDateTimeRoundTripsWithItsOffset() {
    OffsetDateTime time = OffsetDateTime.of(2024, 5, 6, 7, 8, 9, 10_000, ZoneOffset.ofHoursMinutes(5, 30));

    OffsetDateTime back = echo.echoOffsetDateTime(time);

    assertThat(back.toInstant()).isEqualTo(time.toInstant());
    assertThat(back).isEqualTo(time);
  }

  @Test
  void voidMethodReturnsNullAfterRunning() {
    echo.nothing("ran");

    assertThat(impl.lastNothing).isEqualTo("ran");
  }

  @Test
  void nullResultsArriveAsNull() {
    assertThat(echo.nullString()).isNull();
    assertThat(echo.nullPoint()).isNull();
  }

  @Test
  void nullForAPrimitiveResultFailsTheCallInsteadOfBecomingZero() {
    PrimitiveView view = client.create(PrimitiveView.class);

    assertThat(view.echoBoxedIntAsPrimitive(5)).isEqualTo(5);
    assertThatThrownBy(() -> view.echoBoxedIntAsPrimitive(null))
        .isInstanceOf(RpcException.class);
  }

  @Test
  void objectParamBindsPlainJsonNotTheClassItNames() throws Exception {
    for (String payload : List.of(
        "{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"touch\",\"/tmp/pwned\"]}",
        "{\"@class\":\"" + Canary.NAME + "\",\"message\":\"boom\"}",
        "{\"@type\":\"" + Canary.NAME + "\"}")) {
      String kind = client.call("kindOf", String.class, JSON.readTree(payload)).get(5, TimeUnit.SECONDS);
      assertThat(kind).as(payload).isEqualTo("java.util.LinkedHashMap");
    }
    for (String payload : List.of(
        "[\"java.lang.ProcessBuilder\",{\"command\":[\"touch\",\"/tmp/pwned\"]}]",
        "[\"" + Canary.NAME + "\",{}]")) {
      String kind = client.call("kindOf", String.class, JSON.readTree(payload)).get(5, TimeUnit.SECONDS);
      assertThat(kind).as(payload).isEqualTo("java.util.ArrayList");
    }
    assertThat(Canary.Flag.isSet()).as("canary class initialized").isFalse();
  }

  @Test
  void objectParamBindsScalarsAsTheirPlainTypes() throws Exception {
    assertThat(client.call("kindOf", String.class, "text").get(5, TimeUnit.SECONDS)).isEqualTo("java.lang.String");
    assertThat(client.call("kindOf", String.class, 1).get(5, TimeUnit.SECONDS)).isEqualTo("java.lang.Integer");
    assertThat(client.call("kindOf", String.class, (Object) null).get(5, TimeUnit.SECONDS)).isEqualTo("null");
  }

  @Test
  void resultsCanBeReadAsJsonTrees() throws Exception {
    JsonNode tree = client.call("echoPoint", JsonNode.class, JSON.readTree("{\"x\":1,\"y\":2,\"label\":\"p\"}"))
        .get(5, TimeUnit.SECONDS);

    assertThat(tree).isEqualTo(JSON.readTree("{\"x\":1,\"y\":2,\"label\":\"p\"}"));
  }
}
