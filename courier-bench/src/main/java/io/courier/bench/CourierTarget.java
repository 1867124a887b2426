package io.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.NonBlocking;
import io.courier.client.ClientTls;
import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.server.ServerTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Courier: the server serves {@link BenchService} with Courier's defaults (raw TCP with newline framing,
 * HTTP/1.1 and WebSocket on one port; all inside TLS with {@code --tls DIR}); the client is one
 * {@link RpcClient} (one connection, many calls in flight; over HTTP one call per request, pipelined on one
 * keep-alive connection) calling through a proxy whose methods return {@code CompletableFuture}, with the
 * transport picked by its target URI's scheme.
 *
 * <p>The scale and idle rows need hundreds or thousands of connections, and a {@code RpcClient} owns an I/O
 * thread and a timer thread, so there the server is driven by {@link LineClient}, a lean newline client of our
 * own, sending the requests a Courier client sends. {@code main} is the server:
 * {@code java -cp courier-bench.jar io.courier.bench.CourierTarget --port P}.
 */
public final class CourierTarget {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  private CourierTarget() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    boolean ioThread = rest.remove("--io-thread");
    String tls = TargetServer.takeOption(rest, "--tls", null);
    Path tlsDir = tls == null ? null : Path.of(tls);
    TargetServer.serve(rest.toArray(String[]::new), (host, port) -> startServer(host, port, ioThread, tlsDir));
  }

  /** The bench service marked as never blocking, so that Courier runs it on the I/O thread. */
  @NonBlocking
  static final class NonBlockingImpl implements BenchService {
    private final BenchService impl = new BenchService.Impl();

    @Override
    public int add(int a, int b) {
      return impl.add(a, b);
    }

    @Override
    public String echo(String s) {
      return impl.echo(s);
    }
  }

  /** @param tlsDir the run's certificates ({@link BenchPki}) to serve everything inside TLS, or null */
  static TargetServer.Running startServer(String host, int port, boolean ioThread, Path tlsDir) {
    RpcServerBuilder builder = RpcServer.builder()
        .host(host)
        .port(port)
        .service(BenchService.class, ioThread ? new NonBlockingImpl() : new BenchService.Impl())
        // Every load and idle connection comes from 127.0.0.1: the scale rows open more than the default allows.
        .maxConnectionsPerAddress(Integer.MAX_VALUE);
    if (tlsDir != null) {
      builder.tls(ServerTls.builder(BenchPki.serverCertPem(tlsDir), BenchPki.serverKeyPem(tlsDir)).build());
    }
    RpcServer server = builder.build().start();
    return new TargetServer.Running() {
      @Override
      public int port() {
        return server.port();
      }

      @Override
      public void stop() {
        server.stop(Duration.ofSeconds(1));
      }
    };
  }

  /**
   * The client for one cell: a {@link RpcClient} for one connection, {@link LineClient} for more (raw TCP in the
   * clear only).
   *
   * @param scheme the target URI's: {@code tcp}, {@code tls}, {@code http}, {@code https}, {@code ws} or
   *     {@code wss}
   * @param tlsDir the run's certificates ({@link BenchPki}) for the secure schemes, else null
   */
  static Driver client(String scheme, String host, int port, Path tlsDir, Cell cell, boolean ioThread)
      throws Exception {
    if (cell.connections() == 1) {
      return new Client(uri(scheme, host, port), tlsDir == null ? null : BenchPki.caPem(tlsDir), ioThread);
    }
    if (!scheme.equals("tcp")) {
      throw new UnsupportedOperationException("the scale rows are measured over tcp:// only, not " + scheme);
    }
    return new ManyConnections(LineClient.connect(host, port, cell.connections()));
  }

  /** The client's target URI for a scheme, with Courier's default paths for HTTP and WebSocket. */
  static String uri(String scheme, String host, int port) {
    String path = switch (scheme) {
      case "http", "https" -> "/rpc";
      case "ws", "wss" -> "/ws";
      default -> "";
    };
    return scheme + "://" + host + ":" + port + path;
  }

  /** Opens {@code count} connections, makes one {@code add} call on each, and returns them, idle. */
  static AutoCloseable holdIdle(String host, int port, int count) throws Exception {
    ManyConnections client = new ManyConnections(LineClient.connect(host, port, count));
    LineClient lines = client.lines;
    Calls.onEachConnection(count, (i, done) -> {
      int a = JsonRpcLines.operand();
      int b = JsonRpcLines.operand();
      long id = client.ids.incrementAndGet();
      lines.send(i, Unpooled.wrappedBuffer(JsonRpcLines.request(Workload.ADD, a, b, id)),
          client.checking(id, Workload.ADD, a, b, done));
    });
    return client;
  }

  /** The asynchronous view of {@link BenchService} that the client's proxy implements. */
  public interface AsyncBench {
    CompletableFuture<Integer> add(int a, int b);

    CompletableFuture<String> echo(String s);
  }

  /** One {@link RpcClient}, so one connection with every call of the cell in flight on it. Thread-safe. */
  static final class Client implements Driver {
    private final RpcClient client;
    private final AsyncBench bench;

    /**
     * @param target the target URI, such as {@code tcp://127.0.0.1:7000} or {@code wss://127.0.0.1:7000/ws}
     * @param caPem the CA to trust for a secure target, else null
     * @param direct complete futures on the I/O thread (the callbacks never block), as gRPC's direct executor
     */
    Client(String target, Path caPem, boolean direct) {
      RpcClientBuilder builder = RpcClient.builder()
          .target(target)
          .callTimeout(CALL_TIMEOUT);
      if (caPem != null) {
        builder.tls(ClientTls.builder().trustedCertificates(caPem).build());
      }
      if (direct) {
        builder.callbackExecutor(Runnable::run);
      }
      this.client = builder.build();
      this.bench = client.create(AsyncBench.class);
    }

    @Override
    public void call(Workload workload, int slot, Completion done) {
      if (workload.isAdd()) {
        int a = JsonRpcLines.operand();
        int b = JsonRpcLines.operand();
        bench.add(a, b).whenComplete((sum, failure) ->
            done.complete(failure == null && sum != null && sum == a + b));
      } else {
        String payload = workload.payload();
        bench.echo(payload).whenComplete((s, failure) -> done.complete(failure == null && payload.equals(s)));
      }
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /**
   * JSON-RPC requests, as a Courier client writes them, over many connections of a {@link LineClient}, one call
   * at a time per connection. Thread-safe.
   */
  static final class ManyConnections implements Driver {
    private final LineClient lines;
    private final AtomicLong ids = new AtomicLong();

    ManyConnections(LineClient lines) {
      this.lines = lines;
    }

    @Override
    public void call(Workload workload, int slot, Completion done) {
      int a = workload.isAdd() ? JsonRpcLines.operand() : 0;
      int b = workload.isAdd() ? JsonRpcLines.operand() : 0;
      long id = ids.incrementAndGet();
      ByteBuf request = Unpooled.wrappedBuffer(JsonRpcLines.request(workload, a, b, id));
      lines.send(request, checking(id, workload, a, b, done));
    }

    LineClient.Reply checking(long id, Workload workload, int a, int b, Completion done) {
      return LineClient.Reply.checking(line -> {
        JsonNode reply;
        try {
          reply = JsonRpcLines.MAPPER.readTree(new ByteBufInputStream(line));
        } catch (IOException e) {
          reply = null;
        }
        return JsonRpcLines.isRightReply(reply, id, workload, a, b);
      }, done);
    }

    @Override
    public void close() {
      lines.close();
    }
  }
}
