package io.courier.opentelemetry;

import static io.courier.opentelemetry.RpcAttributes.JSONRPC_REQUEST_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.server.RpcServer;
import io.courier.testing.LineSocket;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Trace context as peers that are not Courier send it: a {@code traceparent} HTTP header, or a {@code meta} member
 * on a raw TCP line. The server span continues the trace they name, and starts a new one when it is malformed.
 */
@Timeout(30)
class TracingWireIT {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";

  private final RecordingTracing tracing = new RecordingTracing();
  private RpcServer server;

  @BeforeEach
  void startServer() {
    server = RpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .intercept(CourierTelemetry.create(tracing.openTelemetry()).serverInterceptor())
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server.stop(Duration.ofSeconds(1));
    tracing.close();
  }

  private String post(String body, String traceparent) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rpc"))
        .header("Content-Type", "application/json")
        .header("traceparent", traceparent)
        .timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private String tcpLine(String line) throws Exception {
    try (LineSocket socket = new LineSocket(server.port())) {
      return socket.call(line);
    }
  }

  @Test
  void aTraceparentHeaderOnAnHttpPostIsTheServerSpansParent() throws Exception {
    String reply = post("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}", TRACEPARENT);

    assertThat(reply).contains("\"result\":3");
    SpanData span = tracing.awaitSpan("add", SpanKind.SERVER);
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT_ID);
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
    assertThat(span.getParentSpanContext().isSampled()).isTrue();
    assertThat(span.getAttributes().get(JSONRPC_REQUEST_ID)).isEqualTo("1");
  }

  @Test
  void aTraceparentInTheMetaMemberOfARawTcpLineIsTheServerSpansParent() throws Exception {
    String reply = tcpLine("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":\"req-7\","
        + "\"meta\":{\"traceparent\":\"" + TRACEPARENT + "\"}}");

    assertThat(reply).contains("\"result\":3");
    SpanData span = tracing.awaitSpan("add", SpanKind.SERVER);
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT_ID);
    assertThat(span.getAttributes().get(JSONRPC_REQUEST_ID)).as("a string id, unquoted").isEqualTo("req-7");
  }

  @Test
  void eachServerSpanNamesTheConnectionItsCallCameOnWhenConnectionsTakeTurns() throws Exception {
    try (LineSocket a = new LineSocket(server.port()); LineSocket b = new LineSocket(server.port())) {
      String add = "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":\"%s\"}";
      assertThat(a.call(add.formatted("a1"))).contains("\"result\":3");
      assertThat(b.call(add.formatted("b1"))).contains("\"result\":3");
      assertThat(a.call(add.formatted("a2"))).contains("\"result\":3");
      List<SpanData> spans = tracing.awaitSpans(3);
      Map<String, Long> portById = new HashMap<>();
      for (SpanData span : spans) {
        Long port = span.getAttributes().get(RpcAttributes.CLIENT_PORT);
        assertThat(span.getAttributes().get(RpcAttributes.NETWORK_PEER_PORT)).isEqualTo(port);
        assertThat(span.getAttributes().get(RpcAttributes.CLIENT_ADDRESS)).isEqualTo("127.0.0.1");
        portById.put(span.getAttributes().get(JSONRPC_REQUEST_ID), port);
      }
      long portA = ((InetSocketAddress) a.localAddress()).getPort();
      long portB = ((InetSocketAddress) b.localAddress()).getPort();
      assertThat(portById).containsEntry("a1", portA).containsEntry("b1", portB).containsEntry("a2", portA);
    }
  }

  @Test
  void aMalformedTraceparentStartsANewTraceAndTheCallIsStillAnswered() throws Exception {
    String reply = post("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}",
        "00-" + TRACE_ID + "-not-a-span-id-01");

    assertThat(reply).contains("\"result\":3");
    SpanData span = tracing.awaitSpan("add", SpanKind.SERVER);
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getTraceId()).isNotEqualTo(TRACE_ID);
  }

  @Test
  void aNotificationHasAServerSpanWithoutARequestId() throws Exception {
    // A notification gets no reply: its span ending is what shows it was served.
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],"
          + "\"meta\":{\"traceparent\":\"" + TRACEPARENT + "\"}}\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      tracing.awaitSpans(1);
    }

    SpanData span = tracing.awaitSpan("add", SpanKind.SERVER);
    assertThat(span.getAttributes().get(JSONRPC_REQUEST_ID)).isNull();
    assertThat(span.getParentSpanId()).isEqualTo(PARENT_ID);
  }
}
