package io.courier.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.Framing;
import io.courier.RpcContext;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RpcClientBuilder#framing}: a client sends the framing it was built with from its first byte on (a raw
 * socket reads what arrives), a Courier server detects {@code Content-Length} framing and answers in it, calls go
 * both ways in it, and the option is refused where it means nothing.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class ClientFramingIT {

  private static final Pattern HEADER = Pattern.compile("Content-Length: (\\d+)\r\n\r\n");

  @ParameterizedTest
  @EnumSource(value = Transports.class, names = {"TCP", "TLS"})
  void aContentLengthClientCallsACourierServerAndIsCalledBack(Transports transport) throws Exception {
    BlockingQueue<String> notified = new LinkedBlockingQueue<>();
    try (RpcServer server = Transports.serve(RpcServer.builder()
            .host("127.0.0.1")
            .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
            .method("ask", args -> {
              RpcContext.current().peer().notify("heard", List.of(args.arg(0, String.class)));
              return "client said: " + RpcContext.current().peer()
                  .call("clientGreet", String.class, args.arg(0, String.class)).join();
            }))
        .build()
        .start();
        RpcClient client = transport.target(RpcClient.builder(), server.port())
            .framing(Framing.CONTENT_LENGTH)
            .method("clientGreet", args -> "hello " + args.arg(0, String.class))
            .notificationListener((method, params) -> notified.add(method + params))
            .build()) {

      assertThat(client.call("add", Integer.class, 2, 3).get(10, TimeUnit.SECONDS)).isEqualTo(5);
      assertThat(client.call("ask", String.class, "ann").get(10, TimeUnit.SECONDS))
          .isEqualTo("client said: hello ann");
      assertThat(notified.poll(10, TimeUnit.SECONDS)).isEqualTo("heard[\"ann\"]");
    }
  }

  @Test
  void aContentLengthClientSendsContentLengthHeadersFromItsFirstMessage() throws Exception {
    String sent = firstMessageSentBy(RpcClient.builder().framing(Framing.CONTENT_LENGTH));

    Matcher header = HEADER.matcher(sent);
    assertThat(header.lookingAt()).as("the first bytes: %s", sent).isTrue();
    String body = sent.substring(header.end());
    assertThat(body).startsWith("{").contains("\"method\":\"add\"").endsWith("}");
    assertThat(body.getBytes(UTF_8)).hasSize(Integer.parseInt(header.group(1)));
  }

  @Test
  void aClientSendsNewlineDelimitedJsonByDefault() throws Exception {
    String sent = firstMessageSentBy(RpcClient.builder());

    assertThat(sent).startsWith("{").contains("\"method\":\"add\"").endsWith("}\n");
  }

  @Test
  void framingIsRefusedWhereItMeansNothing() {
    assertThatThrownBy(() -> RpcClient.builder().target("http://127.0.0.1:1/rpc")
        .framing(Framing.CONTENT_LENGTH).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("applies to tcp:// and tls:// targets and to a command only, not http://");
    assertThatThrownBy(() -> RpcClient.builder().target("ws://127.0.0.1:1/ws").framing(Framing.NEWLINE).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not ws://");
    assertThatThrownBy(() -> RpcClient.builder().target("tcp://127.0.0.1:1").dialect(Dialect.SEED)
        .framing(Framing.NEWLINE).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seed dialect");
    assertThatThrownBy(() -> RpcClient.builder().framing(null)).isInstanceOf(NullPointerException.class);
  }

  /**
   * Calls {@code add} on a raw socket that never answers and returns the bytes of the call, read until the
   * message is complete: its length header and body, or its newline.
   */
  private static String firstMessageSentBy(RpcClientBuilder builder) throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        RpcClient client = builder.target("tcp://127.0.0.1:" + listener.getLocalPort())
            .callTimeout(Duration.ofSeconds(20))
            .maxAttempts(1)
            .build()) {
      listener.setSoTimeout(10_000);
      CompletableFuture<Integer> call = client.call("add", Integer.class, 2, 3);
      try (Socket socket = listener.accept()) {
        socket.setSoTimeout(10_000);
        return readOneMessage(socket.getInputStream());
      } finally {
        call.cancel(true);
      }
    }
  }

  private static String readOneMessage(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (;;) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + bytes.toString(UTF_8));
      }
      bytes.write(b);
      String sofar = bytes.toString(UTF_8);
      if (sofar.startsWith("{") && b == '\n') {
        return sofar;
      }
      Matcher header = HEADER.matcher(sofar);
      if (header.lookingAt() && bytes.size() - header.end() == Integer.parseInt(header.group(1))) {
        return sofar;
      }
      if (bytes.size() > 64 * 1024) {
        throw new IOException("no complete message in " + sofar.substring(0, 200));
      }
    }
  }
}
