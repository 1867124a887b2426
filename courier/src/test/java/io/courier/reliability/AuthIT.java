package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.courier.ConnectionException;
import io.courier.Identity;
import io.courier.RolesAllowed;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import io.courier.reliability.Wire.Framing;
import io.courier.server.BearerTokenAuth;
import io.courier.server.RpcServer;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.simple.SimpleLogger;

/**
 * T38, authentication before binding: a {@link BearerTokenAuth} interceptor in front of a method whose param type
 * is a canary (its Jackson creator counts the times it is bound). A missing or invalid token gets -32001 with the
 * canary untouched, on every transport; {@link RolesAllowed} gets -32008; the client refuses to send a token in
 * the clear unless allowed; and no token ever appears in a log line, with every logger at DEBUG.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class AuthIT {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  // Distinctive values, so that a log search cannot match anything else.
  private static final String USER_TOKEN = "T38tokUser_q7Zx4Lw9Vb2Kd8";
  private static final String ADMIN_TOKEN = "T38tokAdmin_m3Nh6Tc1Ry5Gf0";
  private static final String FORGED_TOKEN = "T38tokForged_p2Js8Wv4Xe7Ua1";
  private static final List<String> TOKENS = List.of(USER_TOKEN, ADMIN_TOKEN, FORGED_TOKEN);

  /** The canary param type: binding it goes through {@link #bind}, which counts. */
  public static final class Sealed {
    static final AtomicInteger BOUND = new AtomicInteger();

    private final String value;

    private Sealed(String value) {
      this.value = value;
    }

    @JsonCreator
    public static Sealed bind(@JsonProperty("value") String value) {
      BOUND.incrementAndGet();
      return new Sealed(value);
    }

    public String getValue() {
      return value;
    }
  }

  /** The guarded service. */
  public interface Vault {
    /** Returns the caller's identity name and the bound value, "name:value". */
    String open(Sealed sealed);

    /** Same, for admins only. */
    @RolesAllowed("admin")
    String admin(Sealed sealed);
  }

  static final class VaultImpl implements Vault {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String open(Sealed sealed) {
      calls.incrementAndGet();
      return RpcContext.current().identity().map(Identity::name).orElse("?") + ":" + sealed.getValue();
    }

    @Override
    public String admin(Sealed sealed) {
      return open(sealed);
    }
  }

  private final VaultImpl vault = new VaultImpl();
  private Harness harness;
  private RpcServer server;
  private DebugLogging debug;
  private LogCapture log;

  @BeforeEach
  void setUp() {
    Sealed.BOUND.set(0);
    debug = new DebugLogging();
    log = new LogCapture();
    harness = new Harness(Duration.ofMillis(200));
    server = harness.start(b -> Transports.serve(b).service(Vault.class, vault)
        .intercept(BearerTokenAuth.of(Map.of(USER_TOKEN, Identity.of("carol", "user"),
            ADMIN_TOKEN, Identity.of("dave", "user", "admin")))));
  }

  @AfterEach
  void tearDown() {
    try {
      harness.close();
    } finally {
      log.close();
      debug.close();
    }
    String text = log.text();
    for (String token : TOKENS) {
      assertThat(text).as("the logs of this test (%d lines, every logger at DEBUG) never show a token",
          text.lines().count()).doesNotContain(token);
    }
  }

  /** A client of the server over {@code transport}, with {@code token} (or none), allowed in the clear. */
  private RpcClient client(Transports transport, String token) {
    RpcClientBuilder b = transport.target(RpcClient.builder(), server.port()).callTimeout(CALL_TIMEOUT);
    if (token != null) {
      b.bearerToken(token).allowPlaintextToken(!transport.secure());
    }
    return harness.closeLater(b.build());
  }

  private static CompletableFuture<String> open(RpcClient client, String method, String value) {
    // Sent as a map, so that the test itself never constructs a Sealed.
    return client.call(method, String.class, Map.of("value", value));
  }

  private static RpcException refusal(CompletableFuture<?> call) throws InterruptedException {
    try {
      Object result = call.get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
      return fail("the call succeeded with %s", result);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).as("a JSON-RPC error, not a connection failure: %s", e.getCause())
          .isInstanceOf(RpcException.class).isNotInstanceOf(ConnectionException.class);
      return (RpcException) e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      return fail("no outcome within %s", CALL_TIMEOUT.multipliedBy(2));
    }
  }

  private void assertUnauthenticatedAndUnbound(String what, Transports transport, CompletableFuture<?> call)
      throws InterruptedException {
    long start = System.nanoTime();
    RpcException e = refusal(call);
    long ms = Probe.ms(start);
    System.out.printf("T38 %s %s: %d \"%s\" in %d ms; canary bound %d times, method ran %d times%n", transport,
        what, e.code(), e.error().message(), ms, Sealed.BOUND.get(), vault.calls.get());
    assertThat(e.code()).isEqualTo(RpcError.UNAUTHENTICATED_CODE);
    assertThat(e.error().message()).isEqualTo(RpcError.UNAUTHENTICATED.message());
    assertThat(e.error().data()).as("no data").isNull();
    assertThat(Sealed.BOUND.get()).as("params never bound").isZero();
    assertThat(vault.calls.get()).as("method never ran").isZero();
  }

  // ------------------------------------------------------------------------------------------------ refusals

  @ParameterizedTest
  @EnumSource(Transports.class)
  void t38_missingTokenIsUnauthenticatedBeforeParamsAreBound(Transports transport) throws Exception {
    RpcClient anonymous = client(transport, null);
    assertUnauthenticatedAndUnbound("no token", transport, open(anonymous, "open", "x"));
    assertUnauthenticatedAndUnbound("no token, admin method", transport, open(anonymous, "admin", "x"));
    assertThat(refusal(anonymous.call("add", Integer.class, 1, 2)).code()).as("every method is guarded")
        .isEqualTo(RpcError.UNAUTHENTICATED_CODE);
    assertThat(harness.impl.invocations.get()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Transports.class)
  void t38_invalidTokenIsUnauthenticatedBeforeParamsAreBound(Transports transport) throws Exception {
    RpcClient forged = client(transport, FORGED_TOKEN);
    assertUnauthenticatedAndUnbound("invalid token", transport, open(forged, "open", "x"));
    assertUnauthenticatedAndUnbound("invalid token, admin method", transport, open(forged, "admin", "x"));
    assertThat(forged.connectAttempts()).as("refused per call, the connection stays").isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ accepted

  @ParameterizedTest
  @EnumSource(Transports.class)
  void t38_validTokenRunsTheCallAndBindsItsParams(Transports transport) throws Exception {
    RpcClient carol = client(transport, USER_TOKEN);
    long start = System.nanoTime();
    String result = open(carol, "open", "x").get(10, TimeUnit.SECONDS);
    long ms = Probe.ms(start);
    int sum = carol.call("add", Integer.class, 2, 3).get(10, TimeUnit.SECONDS);
    System.out.printf("T38 %s valid token: %s in %d ms (first call, connection included); canary bound %d%n",
        transport, result, ms, Sealed.BOUND.get());
    assertThat(result).as("identity in the method, and the bound value").isEqualTo("carol:x");
    assertThat(Sealed.BOUND.get()).as("params bound once").isEqualTo(1);
    assertThat(vault.calls.get()).isEqualTo(1);
    assertThat(sum).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(Transports.class)
  void t38_rolesAllowedDeniesCallerWithoutTheRoleBeforeBindingAndAllowsOneWithIt(Transports transport)
      throws Exception {
    RpcClient carol = client(transport, USER_TOKEN);
    long start = System.nanoTime();
    RpcException denied = refusal(open(carol, "admin", "y"));
    long ms = Probe.ms(start);
    System.out.printf("T38 %s carol (user) -> admin: %d \"%s\" in %d ms; canary bound %d%n", transport,
        denied.code(), denied.error().message(), ms, Sealed.BOUND.get());
    assertThat(denied.code()).isEqualTo(RpcError.PERMISSION_DENIED_CODE);
    assertThat(denied.error().message()).isEqualTo("Permission denied: admin needs one of the roles [admin]");
    assertThat(Sealed.BOUND.get()).as("params never bound").isZero();
    assertThat(vault.calls.get()).isZero();

    RpcClient dave = client(transport, ADMIN_TOKEN);
    assertThat(open(dave, "admin", "y").get(10, TimeUnit.SECONDS)).isEqualTo("dave:y");
    assertThat(open(carol, "open", "z").get(10, TimeUnit.SECONDS)).as("carol keeps her own methods")
        .isEqualTo("carol:z");
    assertThat(Sealed.BOUND.get()).isEqualTo(2);
    assertThat(vault.calls.get()).isEqualTo(2);
  }

  // ------------------------------------------------------------------------------------------------ plaintext

  @ParameterizedTest
  @EnumSource(value = Transports.class, names = {"TCP", "HTTP", "WS"})
  void t38_clientRefusesToSendATokenInTheClearUnlessAllowed(Transports transport) throws Exception {
    RpcClientBuilder refused = transport.target(RpcClient.builder(), server.port()).bearerToken(USER_TOKEN);
    assertThatThrownBy(refused::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Refusing to send a bearer token over " + transport + "://, which has no TLS: use tls://, "
            + "https:// or wss://, or allowPlaintextToken(true) on a trusted network");
    assertThatThrownBy(transport.target(RpcClient.builder(), server.port()).bearerToken(USER_TOKEN)
        .allowPlaintextToken(false)::build).isInstanceOf(IllegalStateException.class);

    RpcClient allowed = harness.closeLater(transport.target(RpcClient.builder(), server.port())
        .bearerToken(USER_TOKEN).allowPlaintextToken(true).callTimeout(CALL_TIMEOUT).build());
    assertThat(open(allowed, "open", "clear").get(10, TimeUnit.SECONDS)).as("allowed, it works")
        .isEqualTo("carol:clear");
    // Over TLS no permission is needed.
    Transports secure = Transports.valueOf(transport == Transports.TCP ? "TLS" : transport.name() + "S");
    RpcClient overTls = harness.closeLater(secure.target(RpcClient.builder(), server.port())
        .bearerToken(USER_TOKEN).callTimeout(CALL_TIMEOUT).build());
    assertThat(open(overTls, "open", "tls").get(10, TimeUnit.SECONDS)).isEqualTo("carol:tls");
    System.out.printf("T38 %s: plaintext token refused by build(); allowed: ok; %s: ok%n", transport, secure);
  }

  // ------------------------------------------------------------------------------------------------ raw wire

  @Test
  void t38_wrongBearerHeaderIsHttp200WithJsonRpcError() throws Exception {
    String call = "{\"jsonrpc\":\"2.0\",\"method\":\"open\",\"params\":[{\"value\":\"raw\"}],\"id\":1}";
    JsonNode expected = Wire.JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,"
        + "\"message\":\"Unauthenticated: missing or invalid credentials\"}}");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      socket.setSoTimeout(5000);
      for (String authorization : new String[] {"Authorization: Bearer wrong\r\n", ""}) {
        long start = System.nanoTime();
        RawHttp r = RawHttp.post(socket, "/rpc", authorization, call);
        long ms = Probe.ms(start);
        System.out.printf("T38 raw HTTP %s: %s, %s in %d ms%n",
            authorization.isEmpty() ? "without Authorization" : authorization.trim(), r.statusLine, r.body, ms);
        assertThat(r.statusLine).as("auth is a JSON-RPC error, not HTTP 401").isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.headers.get("content-type")).startsWith("application/json");
        assertThat(Wire.JSON.readTree(r.body)).isEqualTo(expected);
      }
    }
    assertThat(Sealed.BOUND.get()).isZero();
    assertThat(vault.calls.get()).isZero();
  }

  @Test
  void t38_rawTcpAuthenticateNotificationThenCalls() throws Exception {
    String call = "{\"jsonrpc\":\"2.0\",\"method\":\"open\",\"params\":[{\"value\":\"raw\"}],\"id\":%d}";
    String authenticate = "{\"jsonrpc\":\"2.0\",\"method\":\"$/authenticate\",\"params\":{\"token\":\"%s\"}}";
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      assertThat(w.call(String.format(call, 1))).as("before $/authenticate").isEqualTo(Wire.JSON.readTree(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,"
              + "\"message\":\"Unauthenticated: missing or invalid credentials\"}}"));
      w.send(String.format(authenticate, FORGED_TOKEN));
      assertThat(w.call(String.format(call, 2))).as("after a forged token").isEqualTo(Wire.JSON.readTree(
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32001,"
              + "\"message\":\"Unauthenticated: missing or invalid credentials\"}}"));
      assertThat(Sealed.BOUND.get()).isZero();
      w.send(String.format(authenticate, USER_TOKEN));
      assertThat(w.call(String.format(call, 3))).as("after a valid token")
          .isEqualTo(Wire.JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"carol:raw\"}"));
    }
    assertThat(Sealed.BOUND.get()).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ logs

  /**
   * Every refusal path with distinctive tokens, every logger at DEBUG, all output captured: refused builds,
   * missing, forged and under-privileged tokens on every transport, and the token inside broken messages. The
   * check itself runs after each test of this class (see {@link #tearDown()}); this one also proves that the
   * capture saw the refusals.
   */
  @Test
  void t38_tokensNeverAppearInLogs() throws Exception {
    assertThat(LoggerFactory.getLogger(io.courier.server.AuthInterceptor.class).isDebugEnabled())
        .as("DEBUG is on").isTrue();
    // The refusal warnings share one rate limit (one line per second, then a count): one of each kind first.
    RpcClient first = client(Transports.TCP, USER_TOKEN);
    refusal(open(first, "admin", "c"));
    Thread.sleep(1100);
    refusal(open(client(Transports.TCP, FORGED_TOKEN), "open", "f"));
    for (Transports transport : Transports.values()) {
      if (!transport.secure()) {
        for (String token : TOKENS) {
          try {
            transport.target(RpcClient.builder(), server.port()).bearerToken(token).build().close();
            fail("build() accepted a plaintext token over %s", transport);
          } catch (IllegalStateException expected) {
            assertThat(expected.getMessage()).doesNotContain(token);
          }
        }
      }
      RpcClient forged = client(transport, FORGED_TOKEN);
      RpcClient carol = client(transport, USER_TOKEN);
      RpcClient dave = client(transport, ADMIN_TOKEN);
      RpcClient anonymous = client(transport, null);
      List<CompletableFuture<String>> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        calls.add(open(forged, "open", "f"));
        calls.add(open(anonymous, "admin", "a"));
        calls.add(open(carol, "admin", "c"));
        calls.add(open(carol, "open", "c"));
        calls.add(open(dave, "admin", "d"));
      }
      for (CompletableFuture<String> c : calls) {
        c.handle((r, e) -> r).get(10, TimeUnit.SECONDS);
      }
    }
    Thread.sleep(1100);
    refusal(open(first, "admin", "c")); // logs the count of those suppressed meanwhile
    // Broken messages that carry a token: a truncated $/authenticate, one with trailing garbage, a token where a
    // string must not be, and an HTTP request with a bad Content-Length behind a bearer header.
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      w.raw("{\"jsonrpc\":\"2.0\",\"method\":\"$/authenticate\",\"params\":{\"token\":[\"" + USER_TOKEN
          + "\"]}}\n");
      w.raw("{\"jsonrpc\":\"2.0\",\"method\":\"$/authenticate\",\"params\":{\"token\":\"" + ADMIN_TOKEN
          + "\"}}xyz\n");
      w.raw("{\"jsonrpc\":\"2.0\",\"method\":\"" + FORGED_TOKEN + "\",\"id\":1}\n");
      w.raw("{\"jsonrpc\":\"2.0\",\"method\":\"$/authenticate\",\"params\":{\"token\":\"" + FORGED_TOKEN + "\n");
      w.awaitClose(1000);
    } catch (IOException closed) {
      // the server may close on the broken input: fine
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + FORGED_TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: 12a\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.getInputStream().readAllBytes();
    } catch (IOException closed) {
      // reset or timed out: either way the server saw it
    }
    Thread.sleep(100);
    String text = log.text();
    long refusals = log.lines("Refused an unauthenticated call");
    long denials = log.lines("Refused carol a call to admin");
    System.out.printf("T38 logs: %d lines captured at DEBUG, %d unauthenticated-refusal lines, %d role-denial "
        + "lines, %d DEBUG lines, 0 tokens%n", text.lines().count(), refusals, denials, log.lines("DEBUG"));
    assertThat(refusals).as("the capture saw the refusals").isGreaterThanOrEqualTo(1);
    assertThat(denials).as("and the denials").isGreaterThanOrEqualTo(2);
    assertThat(log.lines("more since the last report")).as("and the count of suppressed ones").isEqualTo(1);
    // The tokens themselves are checked in tearDown(), after the server has stopped and logged its last.
  }

  // ------------------------------------------------------------------------------------------------ plumbing

  /** One HTTP/1.1 exchange on a raw socket (keep-alive; the body read by its Content-Length). */
  private record RawHttp(String statusLine, Map<String, String> headers, String body) {

    static RawHttp post(Socket socket, String path, String extraHeaders, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + extraHeaders + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream(); // unbuffered: the next exchange must find its bytes unread
      String status = line(in);
      Map<String, String> headers = new java.util.HashMap<>();
      for (String h; !(h = line(in)).isEmpty(); ) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
      assertThat(length).as("a Content-Length in %s", headers).isGreaterThanOrEqualTo(0);
      byte[] reply = in.readNBytes(length);
      return new RawHttp(status, headers, new String(reply, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new IOException("closed mid-line: " + b);
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * Turns every slf4j-simple logger to DEBUG, those that exist (by reflection: slf4j-simple has no API for it)
   * and those made meanwhile (through the configuration's default level), and puts them back when closed.
   */
  static final class DebugLogging implements AutoCloseable {
    private final Map<SimpleLogger, Integer> before = new IdentityHashMap<>();
    private final ConcurrentMap<String, org.slf4j.Logger> loggers;
    private final Field level;
    private final Object config;
    private final Field defaultLevel;
    private final int defaultBefore;

    @SuppressWarnings("unchecked")
    DebugLogging() {
      try {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        Field map = factory.getClass().getDeclaredField("loggerMap");
        map.setAccessible(true);
        loggers = (ConcurrentMap<String, org.slf4j.Logger>) map.get(factory);
        level = SimpleLogger.class.getDeclaredField("currentLogLevel");
        level.setAccessible(true);
        Field debugField = SimpleLogger.class.getDeclaredField("LOG_LEVEL_DEBUG");
        debugField.setAccessible(true);
        int debug = debugField.getInt(null);
        Field configField = SimpleLogger.class.getDeclaredField("CONFIG_PARAMS");
        configField.setAccessible(true);
        config = configField.get(null);
        defaultLevel = config.getClass().getDeclaredField("defaultLogLevel");
        defaultLevel.setAccessible(true);
        defaultBefore = defaultLevel.getInt(config);
        defaultLevel.setInt(config, debug);
        for (org.slf4j.Logger l : loggers.values()) {
          if (l instanceof SimpleLogger s) {
            before.put(s, level.getInt(s));
            level.setInt(s, debug);
          }
        }
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new AssertionError("Cannot turn slf4j-simple to DEBUG (" + LoggerFactory.getILoggerFactory() + ")", e);
      }
    }

    @Override
    public void close() {
      try {
        defaultLevel.setInt(config, defaultBefore);
        for (org.slf4j.Logger l : loggers.values()) {
          if (l instanceof SimpleLogger s) {
            level.setInt(s, before.getOrDefault(s, defaultBefore));
          }
        }
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
  }
}
