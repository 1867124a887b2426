package io.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.NonBlocking;
import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import io.courier.server.RpcServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Courier over TCP with newline framing: the server serves {@link BenchService} with Courier's defaults; the
 * client is one {@link RpcClient} (one connection, many calls in flight) calling through a proxy whose methods
 * return {@code CompletableFuture}.
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
    TargetServer.serve(rest.toArray(String[]::new), (host, port) -> startServer(host, port, ioThread));
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

  static TargetServer.Running startServer(String host, int port, boolean ioThread) {
    RpcServer server = RpcServer.builder()
        .host(host)
        .port(port)
        .service(BenchService.class, ioThread ? new NonBlockingImpl() : new BenchService.Impl())
        .build()
        .start();
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

  /** The client for one cell: a {@link RpcClient} for one connection, {@link LineClient} for more. */
  static Driver client(String host, int port, Cell cell, boolean ioThread) throws Exception {
    if (cell.connections() == 1) {
      return new Client(host, port, ioThread);
    }
    return new ManyConnections(LineClient.connect(host, port, cell.connections()));
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

    /** @param direct complete futures on the I/O thread (the callbacks never block), as gRPC's direct executor */
    Client(String host, int port, boolean direct) {
      RpcClientBuilder builder = RpcClient.builder()
          .target("tcp://" + host + ":" + port)
          .callTimeout(CALL_TIMEOUT);
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
