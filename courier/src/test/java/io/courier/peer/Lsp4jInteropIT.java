package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.courier.Framing;
import io.courier.Peer;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.services.JsonNotification;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Courier and Eclipse's lsp4j JSON-RPC (the base of Java language servers and clients), a peer nobody here wrote,
 * calling each other on one socket over the Language Server Protocol's {@code Content-Length} framing, both ways
 * and in both roles: a Courier client ({@link Framing#CONTENT_LENGTH}) with an lsp4j endpoint that accepted the
 * socket, and an lsp4j endpoint that connected to a Courier server, which detects the framing. Each side calls
 * the other back while answering, notifies it, and gets its errors with their codes.
 *
 * <p>lsp4j sends a method's single object parameter as the params themselves (by name, as LSP's param objects
 * go), and several parameters by position, as Courier's proxies send them; so single-parameter methods here take
 * a {@link Named} object, as LSP methods do, and {@code greetIn} takes two by position.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class Lsp4jInteropIT {

  /** The code lsp4j's {@code greet} refuses {@code nobody} with. */
  private static final int LSP_NOBODY_CODE = 4244;
  /** The code Courier's {@code greet} refuses {@code nobody} with. */
  private static final int COURIER_NOBODY_CODE = 4001;

  /** The params of single-parameter methods: {@code {"name": ...}}. Gson fills it, so it is mutable. */
  public static final class Named {
    public String name;

    public Named() {
    }

    Named(String name) {
      this.name = name;
    }
  }

  /** What an lsp4j end serves. */
  public interface Greeter {
    /** Answers "hello NAME", and refuses {@code nobody} by throwing a {@link ResponseErrorException}. */
    @JsonRequest
    CompletableFuture<String> greet(Named who);

    /** Two parameters, so lsp4j takes them by position. */
    @JsonRequest
    CompletableFuture<String> greetIn(String name, String language);

    @JsonNotification
    void note(Named who);
  }

  /** What an lsp4j end serves when it is called first: {@code ask} calls the caller's {@code greet} back. */
  public interface Asker extends Greeter {
    @JsonRequest
    CompletableFuture<String> ask(Named who);
  }

  /** The Courier end, as lsp4j's proxy calls it: Courier serves these as functions or methods. */
  public interface CourierEnd {
    @JsonRequest
    CompletableFuture<String> ask(Named who);

    @JsonRequest
    CompletableFuture<String> greet(Named who);

    @JsonNotification
    void note(Named who);
  }

  /** {@link Greeter#greetIn} as a Courier proxy calls it. */
  public interface GreeterProxy {
    String greetIn(String name, String language);
  }

  private final ExecutorService lspThreads = Executors.newCachedThreadPool();
  /** Closed in reverse order after each test; lsp4j's accepting thread adds to it too. */
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  /** What the lsp4j end was notified of. */
  private final BlockingQueue<String> lspHeard = new LinkedBlockingQueue<>();
  /** What the Courier end was notified of. */
  private final BlockingQueue<String> courierHeard = new LinkedBlockingQueue<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    lspThreads.shutdownNow();
    assertThat(lspThreads.awaitTermination(10, TimeUnit.SECONDS)).as("lsp4j's threads ended").isTrue();
  }

  /** The lsp4j end: serves {@link Asker} and calls the Courier end through {@code courier}. */
  private final class LspEnd implements Asker {
    volatile CourierEnd courier;

    @Override
    public CompletableFuture<String> greet(Named who) {
      if (who.name.equals("nobody")) {
        throw new ResponseErrorException(new ResponseError(LSP_NOBODY_CODE, "no greeting for nobody", null));
      }
      return CompletableFuture.completedFuture("hello " + who.name);
    }

    @Override
    public CompletableFuture<String> greetIn(String name, String language) {
      return CompletableFuture.completedFuture((language.equals("fr") ? "bonjour " : "hello ") + name);
    }

    @Override
    public void note(Named who) {
      lspHeard.add("note " + who.name);
    }

    @Override
    public CompletableFuture<String> ask(Named who) {
      // Calls the Courier end back before answering, and notifies it before the answer goes.
      return courier.greet(who).handle((greeting, failure) -> {
        courier.note(who);
        return "peer said: " + (failure == null ? greeting : describe(failure));
      });
    }
  }

  /** An lsp4j error reply as "code message". */
  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof ResponseErrorException error) {
      return error.getResponseError().getCode() + " " + error.getResponseError().getMessage();
    }
    throw new AssertionError("not an error reply", cause);
  }

  /** Runs lsp4j on {@code socket} with {@code end} as its service; closed after the test. */
  private void launch(Socket socket, LspEnd end) throws IOException {
    Launcher<CourierEnd> launcher = new Launcher.Builder<CourierEnd>()
        .setLocalService(end)
        .setRemoteInterface(CourierEnd.class)
        .setInput(socket.getInputStream())
        .setOutput(socket.getOutputStream())
        .setExecutorService(lspThreads)
        .create();
    end.courier = launcher.getRemoteProxy();
    Future<Void> listening = launcher.startListening();
    closing.add(() -> listening.cancel(true));
    closing.add(socket);
  }

  // ------------------------------------------------------------------------------- Courier client, lsp4j server

  private RpcClient courierClientOf(int port) {
    RpcClient client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + port)
        .framing(Framing.CONTENT_LENGTH)
        .callTimeout(Duration.ofSeconds(10))
        .method("greet", args -> {
          String name = args.kwarg("name", String.class);
          if (name.equals("nobody")) {
            throw new RpcException(RpcError.of(COURIER_NOBODY_CODE, "no greeting for nobody"));
          }
          return "hello " + name;
        })
        .method("note", args -> courierHeard.add("note " + args.kwarg("name", String.class)))
        .build();
    closing.add(client);
    return client;
  }

  /** Accepts one socket on loopback and runs lsp4j on it; returns the port to connect to. */
  private int lsp4jListening(LspEnd end) throws IOException {
    ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    closing.add(listener);
    listener.setSoTimeout(20_000);
    lspThreads.execute(() -> {
      try {
        launch(listener.accept(), end);
      } catch (IOException e) {
        lspHeard.add("accept failed: " + e);
      }
    });
    return listener.getLocalPort();
  }

  @Test
  void anLsp4jServerAnswersACourierClientAfterCallingItBackAndNotifyingIt() throws Exception {
    RpcClient client = courierClientOf(lsp4jListening(new LspEnd()));

    assertThat(client.callNamed("ask", String.class, Map.of("name", "courier")).get(10, TimeUnit.SECONDS))
        .isEqualTo("peer said: hello courier");
    assertThat(courierHeard.poll(10, TimeUnit.SECONDS)).isEqualTo("note courier");
    assertThat(client.callNamed("ask", String.class, Map.of("name", "nobody")).get(10, TimeUnit.SECONDS))
        .as("the Courier client's error, as lsp4j got it")
        .isEqualTo("peer said: " + COURIER_NOBODY_CODE + " no greeting for nobody");
    assertThat(courierHeard.poll(10, TimeUnit.SECONDS)).isEqualTo("note nobody");
  }

  @Test
  void aCourierClientCallsAndNotifiesAnLsp4jServerAndGetsItsErrors() throws Exception {
    RpcClient client = courierClientOf(lsp4jListening(new LspEnd()));

    assertThat(client.callNamed("greet", String.class, Map.of("name", "ann")).get(10, TimeUnit.SECONDS))
        .isEqualTo("hello ann");
    assertThat(client.create(GreeterProxy.class).greetIn("ann", "fr")).isEqualTo("bonjour ann");

    ExecutionException failed = catchThrowableOfType(ExecutionException.class,
        () -> client.callNamed("greet", String.class, Map.of("name", "nobody")).get(10, TimeUnit.SECONDS));
    assertThat(failed.getCause()).isInstanceOf(RpcException.class);
    assertThat(((RpcException) failed.getCause()).code()).isEqualTo(LSP_NOBODY_CODE);
    assertThat(failed.getCause()).hasMessageContaining("no greeting for nobody");

    client.notifyNamed("note", Map.of("name", "ann"));
    assertThat(lspHeard.poll(10, TimeUnit.SECONDS)).isEqualTo("note ann");
  }

  // ------------------------------------------------------------------------------- lsp4j client, Courier server

  /**
   * Courier's {@code ask} calls the lsp4j peer back by name and through a proxy, and notifies it; its
   * {@code note} records the notifications lsp4j sends.
   */
  private RpcServer courierServer() {
    RpcServer server = RpcServer.builder()
        .host("127.0.0.1")
        .peerCallTimeout(Duration.ofSeconds(10))
        .method("ask", args -> {
          String name = args.kwarg("name", String.class);
          Peer peer = RpcContext.current().peer();
          String greeting = joined(peer.callNamed("greet", String.class, Map.of("name", name)));
          String inFrench = peer.create(GreeterProxy.class).greetIn(name, "fr");
          peer.notify("note", Map.of("name", name));
          return "peer said: " + greeting + ", " + inFrench;
        })
        .method("note", args -> courierHeard.add("note " + args.kwarg("name", String.class)))
        .build()
        .start();
    closing.add(server);
    return server;
  }

  /** Waits for a call and throws its RpcException as is, so that a handler sends the peer's error on. */
  private static <T> T joined(CompletableFuture<T> call) {
    try {
      return call.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RpcException error ? error : e;
    }
  }

  /** Connects lsp4j to the Courier server; returns the proxy it calls Courier with. */
  private CourierEnd lsp4jConnectedTo(RpcServer server) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    LspEnd end = new LspEnd();
    launch(socket, end);
    return end.courier;
  }

  @Test
  void aCourierServerCallsAnLsp4jClientBackAndNotifiesItWhileAnswering() throws Exception {
    CourierEnd courier = lsp4jConnectedTo(courierServer());

    assertThat(courier.ask(new Named("lsp4j")).get(10, TimeUnit.SECONDS))
        .isEqualTo("peer said: hello lsp4j, bonjour lsp4j");
    assertThat(lspHeard.poll(10, TimeUnit.SECONDS)).isEqualTo("note lsp4j");
  }

  @Test
  void anLsp4jErrorReachesTheCourierServerAndGoesBackAsItsOwn() throws Exception {
    CourierEnd courier = lsp4jConnectedTo(courierServer());

    ExecutionException failed = catchThrowableOfType(ExecutionException.class,
        () -> courier.ask(new Named("nobody")).get(10, TimeUnit.SECONDS));
    // lsp4j's greet refused; Courier's ask passed the RpcException on, so its error is lsp4j's.
    assertThat(describe(failed.getCause())).isEqualTo(LSP_NOBODY_CODE + " no greeting for nobody");
  }

  @Test
  void anLsp4jClientNotifiesACourierServer() throws Exception {
    CourierEnd courier = lsp4jConnectedTo(courierServer());

    courier.note(new Named("lsp4j"));
    assertThat(courierHeard.poll(10, TimeUnit.SECONDS)).isEqualTo("note lsp4j");
  }
}
