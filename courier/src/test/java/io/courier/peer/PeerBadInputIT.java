package io.courier.peer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.ConnectionException;
import io.courier.Peer;
import io.courier.RpcContext;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a peer may send that matches nothing, and ends that come while calls between peers are in flight: each is
 * logged and dropped (or ends its calls exactly once), and the connection, or the server, goes on.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class PeerBadInputIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private RpcServer server(RpcServer server) {
    closing.add(server);
    return server;
  }

  /** One raw connection: lines out, lines in. */
  private static final class Raw implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final BufferedReader in;

    Raw(int port) throws Exception {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    void send(String line) throws Exception {
      out.write((line + "\n").getBytes(UTF_8));
      out.flush();
    }

    JsonNode read() throws Exception {
      String line = in.readLine();
      assertThat(line).as("a message from the server").isNotNull();
      return JSON.readTree(line);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void responsesThatMatchNoCallAreCountedAndDroppedAndTheConnectionServesOn() throws Exception {
    RpcServer server = server(RpcServer.builder().host("127.0.0.1")
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .build().start());
    try (Raw raw = new Raw(server.port())) {
      raw.send("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":\"for a call never made\"}");
      raw.send("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":1,\"message\":\"for a notification\"}}");
      raw.send("{\"jsonrpc\":\"2.0\",\"method\":\"$/items\",\"params\":{\"id\":7,\"items\":[1,2]}}");
      raw.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"add\",\"params\":[2,3]}");

      JsonNode reply = raw.read();
      assertThat(reply.get("id").asInt()).isEqualTo(1);
      assertThat(reply.get("result").asInt()).isEqualTo(5);
    }
    assertThat(server.droppedLateReplies()).isEqualTo(3);
  }

  @Test
  void aFloodOfDemandsForNoSubscriptionClosesTheConnection() throws Exception {
    RpcServer server = server(RpcServer.builder().host("127.0.0.1").method("add", args -> 0).build().start());
    try (Raw raw = new Raw(server.port())) {
      StringBuilder flood = new StringBuilder();
      for (int i = 0; i <= InboundCalls.MAX_UNMATCHED_CANCELS; i++) {
        flood.append("{\"jsonrpc\":\"2.0\",\"method\":\"$/demand\",\"params\":{\"id\":").append(i)
            .append(",\"n\":1}}\n");
      }
      raw.out.write(flood.toString().getBytes(UTF_8));
      raw.out.flush();

      assertThat(raw.in.readLine()).as("closed without a reply").isNull();
    }
  }

  @Test
  void aDemandThatIsNotPositiveFailsTheSubscriptionWithInvalidParams() throws Exception {
    RpcServer server = server(RpcServer.builder().host("127.0.0.1")
        .method("ticks", args -> (Flow.Publisher<Integer>) new SubscriptionsIT.CountingRange(10))
        .build().start());
    try (Raw raw = new Raw(server.port())) {
      raw.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ticks\"}");
      raw.send("{\"jsonrpc\":\"2.0\",\"method\":\"$/demand\",\"params\":{\"id\":3,\"n\":0}}");

      JsonNode reply = raw.read();
      assertThat(reply.get("id").asInt()).isEqualTo(3);
      assertThat(reply.at("/error/code").asInt()).isEqualTo(-32602);
    }
  }

  @Test
  void aCallToAPeerInFlightWhenTheServerStopsFailsOnceAndTheClientMethodIsCancelled() throws Exception {
    AtomicReference<CompletableFuture<String>> pending = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Boolean> cancelledOnClient = new AtomicReference<>();
    CountDownLatch clientMethodEnded = new CountDownLatch(1);
    RpcServer server = RpcServer.builder().host("127.0.0.1")
        .shutdownGrace(Duration.ofMillis(100))
        .method("startSlow", args -> {
          Peer peer = RpcContext.current().peer();
          pending.set(peer.call("slow", String.class));
          return "started";
        })
        .build()
        .start();
    RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port())
        .method("slow", args -> {
          started.countDown();
          try {
            Thread.sleep(20_000);
            return "late";
          } catch (InterruptedException e) {
            cancelledOnClient.set(RpcContext.current().isCancelled());
            throw e;
          } finally {
            clientMethodEnded.countDown();
          }
        })
        .build();
    closing.add(client);
    assertThat(client.call("startSlow", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("started");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    server.stop(Duration.ofMillis(100));

    assertThatThrownBy(() -> pending.get().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ConnectionException.class);
    assertThat(clientMethodEnded.await(10, TimeUnit.SECONDS)).as("the client's method was stopped").isTrue();
    assertThat(cancelledOnClient.get()).isTrue();
  }
}
