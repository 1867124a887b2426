package io.courier.bench;

import io.courier.bench.GrpcCodecs.AddReply;
import io.courier.bench.GrpcCodecs.AddRequest;
import io.courier.bench.GrpcCodecs.Codec;
import io.courier.bench.GrpcCodecs.EchoReply;
import io.courier.bench.GrpcCodecs.EchoRequest;
import io.courier.bench.GrpcCodecs.Methods;
import io.courier.bench.GrpcCodecs.TicksRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * gRPC-java (Netty, shaded) with unary calls through {@link GrpcCodecs}' descriptors, plaintext, no deadline,
 * by default in gRPC's fastest setting: {@code directExecutor()} on the server and on the channel. With
 * {@code --executor default} (and a client made with {@code direct} false) both keep gRPC's default executor,
 * a shared cached thread pool, as Courier's defaults keep methods and callbacks off the I/O threads. The client
 * is one channel (one connection) with the asynchronous stub call {@link ClientCalls#asyncUnaryCall}.
 *
 * <p>The stream workload is the server-streaming {@code Ticks} with gRPC's own flow control: the server emits
 * while {@link ServerCallStreamObserver#isReady()} and resumes in its on-ready handler (so it never queues
 * more than gRPC's outbound threshold over what the HTTP/2 window lets out), and the client turns automatic
 * inbound flow control off and requests with the {@link StreamMeter} policy through
 * {@link ClientCallStreamObserver#request}, as Courier's subscriber does.
 *
 * <p>{@code main} is the server:
 * {@code java -cp courier-bench.jar io.courier.bench.GrpcTarget --codec json|binary [--executor direct|default]
 * --port P}.
 */
public final class GrpcTarget {

  private GrpcTarget() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    Codec codec = Codec.valueOf(TargetServer.takeOption(rest, "--codec", "json").toUpperCase(Locale.ROOT));
    String executor = TargetServer.takeOption(rest, "--executor", "direct");
    if (!executor.equals("direct") && !executor.equals("default")) {
      throw new IllegalArgumentException("--executor: " + executor + " (expected: direct or default)");
    }
    Methods methods = Methods.of(codec);
    boolean direct = executor.equals("direct");
    TargetServer.serve(rest.toArray(String[]::new), (host, port) -> startServer(host, port, methods, direct));
  }

  static TargetServer.Running startServer(String host, int port, Methods methods, boolean direct)
      throws Exception {
    BenchService impl = new BenchService.Impl();
    ServerServiceDefinition service = ServerServiceDefinition.builder(GrpcCodecs.SERVICE)
        .addMethod(methods.add(), ServerCalls.asyncUnaryCall(
            (AddRequest request, StreamObserver<AddReply> reply) -> {
              reply.onNext(new AddReply(impl.add(request.a(), request.b())));
              reply.onCompleted();
            }))
        .addMethod(methods.echo(), ServerCalls.asyncUnaryCall(
            (EchoRequest request, StreamObserver<EchoReply> reply) -> {
              reply.onNext(new EchoReply(impl.echo(request.s())));
              reply.onCompleted();
            }))
        .addMethod(methods.ticks(), ServerCalls.asyncServerStreamingCall(
            (TicksRequest request, StreamObserver<Integer> items) ->
                ticks((ServerCallStreamObserver<Integer>) items)))
        .build();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port));
    if (direct) {
      builder.directExecutor();
    }
    Server server = builder.addService(service).build().start();
    return new TargetServer.Running(server.getPort(),
        () -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
  }

  /** Streams 0, 1, 2, … for as long as the call lasts, as fast as gRPC's flow control lets it. */
  private static void ticks(ServerCallStreamObserver<Integer> items) {
    int[] next = {0}; // the on-ready handler's calls never overlap
    items.setOnCancelHandler(() -> {}); // the client cancels to end it; isReady() turns false then
    items.setOnReadyHandler(() -> {
      while (items.isReady() && !items.isCancelled()) {
        items.onNext(next[0]++);
      }
    });
  }

  /**
   * The client for one cell: {@code cell.connections()} channels, one connection each. Several channels are
   * connected before the loop starts, by a first call on each, as the other targets' many connections are.
   */
  static Driver client(String host, int port, Codec codec, boolean direct, Cell cell)
      throws InterruptedException {
    Client client = new Client(host, port, Methods.of(codec), direct, cell.connections());
    if (cell.connections() > 1) {
      try {
        Calls.onEachConnection(cell.connections(), (i, done) -> client.add(client.channels.get(i), done));
      } catch (InterruptedException | RuntimeException e) {
        client.close();
        throw e;
      }
    }
    return client;
  }

  /** Opens {@code count} channels, makes one {@code add} call on each, and returns them, idle. */
  static AutoCloseable holdIdle(String host, int port, Codec codec, int count) throws Exception {
    Client client = new Client(host, port, Methods.of(codec), true, count);
    Calls.onEachConnection(count, (i, done) -> client.add(client.channels.get(i), done));
    return client;
  }

  /** Channels and the calls made on them; with several channels, calls take them in turn. Thread-safe. */
  static final class Client implements Driver {
    private final Methods methods;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    /** @param direct run callbacks on the channel's I/O thread ({@code directExecutor()}), else on gRPC's pool */
    Client(String host, int port, Methods methods, boolean direct, int connections) {
      this.methods = methods;
      for (int i = 0; i < connections; i++) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(new InetSocketAddress(host, port)).usePlaintext();
        if (direct) {
          builder.directExecutor();
        }
        channels.add(builder.build());
      }
    }

    @Override
    public void call(Workload workload, int slot, Completion done) {
      ManagedChannel channel = channels.size() == 1
          ? channels.get(0)
          : channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
      if (workload.isAdd()) {
        add(channel, done);
      } else {
        String payload = workload.payload();
        ClientCalls.asyncUnaryCall(channel.newCall(methods.echo(), CallOptions.DEFAULT), new EchoRequest(payload),
            new Checking<>(reply -> payload.equals(reply.value()), done));
      }
    }

    /** The stream workload: one {@code Ticks} call on the first channel, read by a {@link StreamMeter}. */
    @Override
    public List<Sample> measure(String target, Cell cell, Duration warmup, Duration window, int repetitions)
        throws InterruptedException {
      if (!cell.workload().isStream()) {
        return Driver.super.measure(target, cell, warmup, window, repetitions);
      }
      StreamMeter meter = new StreamMeter();
      ClientCall<TicksRequest, Integer> call = channels.get(0).newCall(methods.ticks(), CallOptions.DEFAULT);
      ClientCalls.asyncServerStreamingCall(call, TicksRequest.INSTANCE, new MeteredTicks(meter));
      try {
        return meter.measure(target, cell, warmup, window, repetitions);
      } finally {
        call.cancel("measured", null);
      }
    }

    void add(ManagedChannel channel, Completion done) {
      int a = JsonRpcLines.operand();
      int b = JsonRpcLines.operand();
      ClientCalls.asyncUnaryCall(channel.newCall(methods.add(), CallOptions.DEFAULT), new AddRequest(a, b),
          new Checking<>(reply -> reply.value() == a + b, done));
    }

    @Override
    public void close() {
      channels.forEach(ManagedChannel::shutdownNow);
      for (ManagedChannel c : channels) {
        try {
          c.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Feeds the stream's items to a {@link StreamMeter}, with inbound flow control by its policy. */
  private static final class MeteredTicks implements ClientResponseObserver<TicksRequest, Integer> {
    private final StreamMeter meter;
    private ClientCallStreamObserver<TicksRequest> call;

    MeteredTicks(StreamMeter meter) {
      this.meter = meter;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<TicksRequest> call) {
      this.call = call;
      call.disableAutoRequestWithInitial(StreamMeter.INITIAL);
    }

    @Override
    public void onNext(Integer item) {
      if (meter.item(item == null ? -1 : item)) {
        call.request(StreamMeter.TOP_UP);
      }
    }

    @Override
    public void onError(Throwable t) {
      meter.ended();
    }

    @Override
    public void onCompleted() {
      meter.ended();
    }
  }

  /** Completes a call once gRPC has ended it: right when its one reply passed {@code check}. */
  private static final class Checking<T> implements StreamObserver<T> {
    private final Predicate<T> check;
    private final Driver.Completion done;
    private boolean right;

    Checking(Predicate<T> check, Driver.Completion done) {
      this.check = check;
      this.done = done;
    }

    @Override
    public void onNext(T reply) {
      right = reply != null && check.test(reply);
    }

    @Override
    public void onError(Throwable t) {
      done.complete(false);
    }

    @Override
    public void onCompleted() {
      done.complete(right);
    }
  }
}
