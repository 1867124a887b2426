package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.CallEvent;
import io.courier.CallTimeoutException;
import io.courier.Identity;
import io.courier.Peer;
import io.courier.RpcError;
import io.courier.RpcEventListener;
import io.courier.client.RpcClient;
import io.courier.testing.LineSocket;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Event listeners over real sockets: what a server reports of its connections, the calls it serves and the
 * messages it refuses before any method runs, and what a client reports of the calls it makes.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class EventListenersIT {

  /** Everything a listener was told, in order, for the test to take one at a time. */
  private static final class Recorder implements RpcEventListener {
    final BlockingQueue<String> connections = new LinkedBlockingQueue<>();
    final BlockingQueue<CallEvent> started = new LinkedBlockingQueue<>();
    final BlockingQueue<CallEvent> ended = new LinkedBlockingQueue<>();
    final BlockingQueue<String> rejected = new LinkedBlockingQueue<>();

    @Override
    public void connectionOpened(Peer connection) {
      connections.add("opened " + connection.protocol());
    }

    @Override
    public void connectionClosed(Peer connection) {
      connections.add("closed " + connection.protocol());
    }

    @Override
    public void callStarted(CallEvent call) {
      started.add(call);
    }

    @Override
    public void callEnded(CallEvent call) {
      ended.add(call);
    }

    @Override
    public void callRejected(Peer connection, String method, RpcError error) {
      rejected.add(method + " " + error.code());
    }

    CallEvent nextEnded() throws InterruptedException {
      CallEvent call = ended.poll(5, TimeUnit.SECONDS);
      assertThat(call).as("a call ended").isNotNull();
      return call;
    }

    String nextRejected() throws InterruptedException {
      String refusal = rejected.poll(5, TimeUnit.SECONDS);
      assertThat(refusal).as("a message rejected").isNotNull();
      return refusal;
    }
  }

  private final Recorder events = new Recorder();
  private final CountDownLatch holding = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private RpcServer server;

  private RpcServer start(RpcServerBuilder builder) {
    server = builder
        .host("127.0.0.1")
        .port(0)
        .eventListener(events)
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .method("fail", args -> {
          throw new IllegalStateException("broken");
        })
        .method("hold", args -> {
          holding.countDown();
          release.await(10, TimeUnit.SECONDS);
          return "held";
        })
        .method("log", args -> null)
        .build()
        .start();
    return server;
  }

  /** A raw connection to the server, closed after the test. */
  private LineSocket line() throws IOException {
    LineSocket line = new LineSocket(server.port());
    closing.add(line);
    return line;
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
  }


  @Test
  void aServedCallIsReportedWithItsSizesDurationAndOutcome() throws Exception {
    start(RpcServer.builder());
    LineSocket line = line();
    String request = "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":7}";
    String reply = line.call(request);
    assertThat(reply).contains("\"result\":5");
    CallEvent call = events.nextEnded();
    assertThat(events.started.poll()).isSameAs(call);
    assertThat(call.served()).isTrue();
    assertThat(call.method()).isEqualTo("add");
    assertThat(call.id().toString()).contains("7");
    assertThat(call.protocol()).isEqualTo("tcp");
    assertThat(call.remoteAddress()).isEqualTo(line.localAddress());
    assertThat(call.error()).isNull();
    assertThat(call.ran()).isTrue();
    assertThat(call.requestBytes()).isEqualTo(request.length());
    assertThat(call.responseBytes()).isEqualTo(reply.length());
    assertThat(call.durationNanos()).isPositive().isGreaterThanOrEqualTo(call.queuedNanos());
    assertThat(events.connections.poll(5, TimeUnit.SECONDS)).isEqualTo("opened tcp");
    line.close();
    assertThat(events.connections.poll(5, TimeUnit.SECONDS)).isEqualTo("closed tcp");
  }

  @Test
  void aFailingMethodEndsWithItsErrorAndANotificationWithNoResponse() throws Exception {
    start(RpcServer.builder());
    LineSocket line = line();
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"id\":1}")).contains("-32603");
    CallEvent failed = events.nextEnded();
    assertThat(failed.error().code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
    assertThat(failed.ran()).isTrue();

    line.send("{\"jsonrpc\":\"2.0\",\"method\":\"log\",\"params\":[1]}");
    CallEvent notification = events.nextEnded();
    assertThat(notification.method()).isEqualTo("log");
    assertThat(notification.id()).isNull();
    assertThat(notification.error()).isNull();
    assertThat(notification.responseBytes()).isEqualTo(-1);
  }

  @Test
  void messagesRefusedBeforeAnyMethodRunsAreReportedWithTheirErrors() throws Exception {
    start(RpcServer.builder().maxBatchItems(2).maxMessageBytes(4096).openRpc(false));
    LineSocket line = line();
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":1}")).contains("-32601");
    assertThat(events.nextRejected()).isEqualTo("nope -32601");
    line.send("{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}");
    assertThat(events.nextRejected()).isEqualTo("nope -32601");
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":1,\"id\":2}")).contains("-32600");
    assertThat(events.nextRejected()).isEqualTo("null -32600");
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,],\"id\":3}")).contains("-32700");
    assertThat(events.nextRejected()).isEqualTo("null -32700");
    assertThat(line.call("[{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":1},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":2},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":3}]"))
        .contains(String.valueOf(RpcError.LIMIT_EXCEEDED_CODE));
    assertThat(events.nextRejected()).isEqualTo("null " + RpcError.LIMIT_EXCEEDED_CODE);
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[\"" + "x".repeat(5000)
        + "\"],\"id\":9}"))
        .contains(String.valueOf(RpcError.LIMIT_EXCEEDED_CODE));
    assertThat(events.nextRejected()).isEqualTo("null " + RpcError.LIMIT_EXCEEDED_CODE);
    assertThat(events.started).as("no refused message counts as a call").isEmpty();
  }

  @Test
  void aCallRefusedByAuthenticationEndsWithoutTheMethodRunning() throws Exception {
    start(RpcServer.builder().allowPlaintext(true)
        .intercept(BearerTokenAuth.of(Map.of("secret", Identity.of("ann", "user")))));
    LineSocket line = line();
    assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}"))
        .contains(String.valueOf(RpcError.UNAUTHENTICATED_CODE));
    CallEvent refused = events.nextEnded();
    assertThat(refused.error().code()).isEqualTo(RpcError.UNAUTHENTICATED_CODE);
    assertThat(refused.ran()).isFalse();
  }

  @Test
  void aCallRefusedAsBusyEndsWithoutRunning() throws Exception {
    start(RpcServer.builder().workerThreads(1).queueCapacity(0));
    LineSocket holder = line();
    holder.send("{\"jsonrpc\":\"2.0\",\"method\":\"hold\",\"id\":1}");
    assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
    LineSocket refused = line();
    assertThat(refused.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[3,4],\"id\":3}"))
        .contains(String.valueOf(RpcError.SERVER_BUSY_CODE));
    CallEvent busy = events.nextEnded();
    assertThat(busy.method()).isEqualTo("add");
    assertThat(busy.error().code()).isEqualTo(RpcError.SERVER_BUSY_CODE);
    assertThat(busy.ran()).isFalse();
  }

  @Test
  void aCallThatWaitedForAThreadReportsItsWait() throws Exception {
    start(RpcServer.builder().workerThreads(1));
    LineSocket holder = line();
    holder.send("{\"jsonrpc\":\"2.0\",\"method\":\"hold\",\"id\":1}");
    assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
    LineSocket queued = line();
    queued.send("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":2}");
    Thread.sleep(200);
    release.countDown();
    assertThat(queued.readLine()).contains("\"result\":3");
    List<CallEvent> both = List.of(events.nextEnded(), events.nextEnded());
    CallEvent add = both.stream().filter(c -> c.method().equals("add")).findFirst().orElseThrow();
    assertThat(add.error()).isNull();
    assertThat(add.ran()).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(add.queuedNanos())).as("waited behind hold")
        .isGreaterThanOrEqualTo(150);
  }

  @Test
  void aListenerThatThrowsChangesNoOutcomeAndIsLogged() throws Exception {
    RpcEventListener broken = new RpcEventListener() {
      @Override
      public void callStarted(CallEvent call) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (LogCapture log = new LogCapture()) {
      start(RpcServer.builder().eventListener(broken));
      LineSocket line = line();
      assertThat(line.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}"))
          .contains("\"result\":5");
      assertThat(events.nextEnded().error()).isNull();
      assertThat(log.lines("listener bug")).isPositive();
    }
  }

  @Test
  void aClientReportsTheCallsItMakesAndItsConnections() throws Exception {
    start(RpcServer.builder());
    Recorder made = new Recorder();
    RpcClient client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + server.port())
        .callTimeout(Duration.ofSeconds(5))
        .eventListener(made)
        .build();
    closing.add(client);
    assertThat(client.call("add", Integer.class, 2, 3).get(5, TimeUnit.SECONDS)).isEqualTo(5);
    CallEvent call = made.nextEnded();
    assertThat(call.served()).isFalse();
    assertThat(call.method()).isEqualTo("add");
    assertThat(call.protocol()).isEqualTo("tcp");
    assertThat(call.remoteAddress()).isInstanceOf(InetSocketAddress.class);
    assertThat(((InetSocketAddress) call.remoteAddress()).getPort()).isEqualTo(server.port());
    assertThat(call.requestBytes()).isPositive();
    assertThat(call.responseBytes()).isPositive();
    assertThat(call.error()).isNull();
    assertThat(call.ran()).isTrue();
    assertThat(made.connections.poll(5, TimeUnit.SECONDS)).isEqualTo("opened tcp");
    // The server saw the same call, as large as the client sent it.
    assertThat(events.nextEnded().requestBytes()).isEqualTo(call.requestBytes());

    CompletableFuture<String> slow = client.withCallTimeout(Duration.ofMillis(200)).call("hold", String.class);
    assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(CallTimeoutException.class);
    CallEvent timedOut = made.nextEnded();
    assertThat(timedOut.method()).isEqualTo("hold");
    assertThat(timedOut.error().code()).isEqualTo(RpcError.TIMEOUT_CODE);
    assertThat(timedOut.responseBytes()).isEqualTo(-1);
    client.close();
    assertThat(made.connections.poll(5, TimeUnit.SECONDS)).isEqualTo("closed tcp");
  }

  @Test
  void aClientCallThatNeverReachedAServerReportsNoConnection() throws Exception {
    start(RpcServer.builder());
    int port = server.port();
    server.stop(Duration.ofSeconds(1));
    server = null;
    Recorder made = new Recorder();
    RpcClient client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + port)
        .callTimeout(Duration.ofSeconds(2))
        .eventListener(made)
        .build();
    closing.add(client);
    assertThatThrownBy(() -> client.call("add", Integer.class, 1, 1).get(5, TimeUnit.SECONDS));
    CallEvent call = made.nextEnded();
    assertThat(call.error().code()).isEqualTo(RpcError.CONNECTION_LOST_CODE);
    assertThat(call.ran()).isFalse();
    assertThat(call.requestBytes()).isEqualTo(-1);
    assertThat(call.remoteAddress()).isNull();
  }
}
