package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.ConnectionException;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Subscriptions over real sockets: a server method returning a {@link Flow.Publisher} streams to a client proxy
 * (or {@code subscribe}) with demand-driven backpressure end to end, and cancellation, completion, errors and
 * lost connections each end a subscription exactly once on both sides.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class SubscriptionsIT {

  /** What the server publishes. */
  public interface Feeds {
    Flow.Publisher<Integer> count(int n);

    Flow.Publisher<String> failing(int after);

    Flow.Publisher<Integer> watched();

    Flow.Publisher<Integer> runaway();
  }

  /** A publisher that records what it was asked for and whether it was cancelled. */
  static final class Watched implements Flow.Publisher<Integer> {
    final AtomicLong requested = new AtomicLong();
    final CountDownLatch cancelled = new CountDownLatch(1);
    final CountDownLatch subscribed = new CountDownLatch(1);
    final AtomicInteger next = new AtomicInteger();

    @Override
    public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          requested.addAndGet(n);
          for (long i = 0; i < n; i++) {
            subscriber.onNext(next.getAndIncrement());
          }
        }

        @Override
        public void cancel() {
          cancelled.countDown();
        }
      });
      subscribed.countDown();
    }
  }

  /** Emits far more than asked for, at once: a publisher that breaks the Reactive Streams contract. */
  static final class Runaway implements Flow.Publisher<Integer> {
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
      AtomicBoolean stop = new AtomicBoolean();
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          for (int i = 0; i < 100_000 && !stop.get(); i++) {
            subscriber.onNext(i);
          }
        }

        @Override
        public void cancel() {
          stop.set(true);
          cancelled.countDown();
        }
      });
    }
  }

  /** Records every signal; requests {@code initial} on subscribe. */
  static class Recorder<T> implements Flow.Subscriber<T> {
    final List<T> items = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final AtomicInteger terminals = new AtomicInteger();
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private final long initial;
    private final CountDownLatch itemsSeen;

    Recorder(long initial, int awaitItems) {
      this.initial = initial;
      this.itemsSeen = new CountDownLatch(awaitItems);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.set(s);
      if (initial > 0) {
        s.request(initial);
      }
    }

    @Override
    public void onNext(T item) {
      items.add(item);
      itemsSeen.countDown();
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
      terminals.incrementAndGet();
      done.countDown();
    }

    @Override
    public void onComplete() {
      terminals.incrementAndGet();
      done.countDown();
    }

    void awaitItems() throws InterruptedException {
      assertThat(itemsSeen.await(10, TimeUnit.SECONDS)).as("items arrived").isTrue();
    }

    void awaitDone() throws InterruptedException {
      assertThat(done.await(10, TimeUnit.SECONDS)).as("subscription ended").isTrue();
    }
  }

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final Watched watched = new Watched();
  private final Runaway runaway = new Runaway();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private RpcServer server() {
    RpcServer server = Transports.serve(RpcServer.builder().host("127.0.0.1")
            .service(Feeds.class, new Feeds() {
              @Override
              public Flow.Publisher<Integer> count(int n) {
                return subscriber -> new CountingRange(n).subscribe(subscriber);
              }

              @Override
              public Flow.Publisher<String> failing(int after) {
                return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
                  private int sent;

                  @Override
                  public void request(long n) {
                    for (long i = 0; i < n && sent < after; i++) {
                      subscriber.onNext("item " + sent++);
                    }
                    if (sent == after) {
                      subscriber.onError(new RpcException(RpcError.of(4040, "feed ran dry", null)));
                    }
                  }

                  @Override
                  public void cancel() {}
                });
              }

              @Override
              public Flow.Publisher<Integer> watched() {
                return watched;
              }

              @Override
              public Flow.Publisher<Integer> runaway() {
                return runaway;
              }
            }))
        .build()
        .start();
    closing.add(server);
    return server;
  }

  private RpcClient client(Transports transport, RpcServer server) {
    RpcClient client = transport.target(RpcClient.builder(), server.port()).build();
    closing.add(client);
    return client;
  }

  /** 0 to n-1, on demand, then completion. */
  static final class CountingRange implements Flow.Publisher<Integer> {
    private final int n;

    CountingRange(int n) {
      this.n = n;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
      subscriber.onSubscribe(new Flow.Subscription() {
        private int next;
        private boolean done;

        @Override
        public synchronized void request(long k) {
          for (long i = 0; i < k && next < n; i++) {
            subscriber.onNext(next++);
          }
          if (next == n && !done) {
            done = true;
            subscriber.onComplete();
          }
        }

        @Override
        public void cancel() {}
      });
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transports.class, names = {"TCP", "WS", "TLS", "WSS"})
  void aProxyMethodReturningAPublisherSubscribesAndGetsEveryItemThenCompletion(Transports transport)
      throws Exception {
    Feeds feeds = client(transport, server()).create(Feeds.class);
    Recorder<Integer> recorder = new Recorder<>(Long.MAX_VALUE, 5);

    feeds.count(5).subscribe(recorder);

    recorder.awaitDone();
    assertThat(recorder.items).containsExactly(0, 1, 2, 3, 4);
    assertThat(recorder.error.get()).isNull();
    assertThat(recorder.terminals.get()).isEqualTo(1);
  }

  @Test
  void aSubscriberGetsOnlyWhatItRequestedAndThePublisherIsAskedForNoMore() throws Exception {
    RpcClient client = client(Transports.TCP, server());
    Recorder<Integer> recorder = new Recorder<>(3, 3);

    client.subscribe("watched", Integer.class).subscribe(recorder);

    recorder.awaitItems();
    Thread.sleep(300); // room for anything more to arrive, which must not
    assertThat(recorder.items).containsExactly(0, 1, 2);
    assertThat(watched.requested.get()).isEqualTo(3);

    recorder.subscription.get().request(2);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (recorder.items.size() < 5 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(recorder.items).containsExactly(0, 1, 2, 3, 4);
    assertThat(watched.requested.get()).isEqualTo(5);
  }

  @Test
  void aSubscriberThatNeverRequestsDrainsNothing() throws Exception {
    RpcClient client = client(Transports.TCP, server());
    Recorder<Integer> recorder = new Recorder<>(0, 1);

    client.subscribe("watched", Integer.class).subscribe(recorder);

    assertThat(watched.subscribed.await(10, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(300);
    assertThat(watched.requested.get()).isZero();
    assertThat(recorder.items).isEmpty();
  }

  @Test
  void cancellingTheSubscriptionCancelsThePublisherOnTheServer() throws Exception {
    RpcClient client = client(Transports.WS, server());
    Recorder<Integer> recorder = new Recorder<>(2, 2);
    client.subscribe("watched", Integer.class).subscribe(recorder);
    recorder.awaitItems();

    recorder.subscription.get().cancel();

    assertThat(watched.cancelled.await(10, TimeUnit.SECONDS)).as("server publisher cancelled").isTrue();
    Thread.sleep(200);
    assertThat(recorder.terminals.get()).as("no signal after cancel").isZero();
  }

  @Test
  void aPublishersErrorReachesTheSubscriberWithItsCodeAfterTheItemsBeforeIt() throws Exception {
    Feeds feeds = client(Transports.TCP, server()).create(Feeds.class);
    Recorder<String> recorder = new Recorder<>(10, 2);

    feeds.failing(2).subscribe(recorder);

    recorder.awaitDone();
    assertThat(recorder.items).containsExactly("item 0", "item 1");
    assertThat(recorder.error.get()).isInstanceOf(RpcException.class);
    assertThat(((RpcException) recorder.error.get()).code()).isEqualTo(4040);
    assertThat(recorder.terminals.get()).isEqualTo(1);
  }

  @Test
  void aLostConnectionEndsTheSubscriptionWithOneErrorAndCancelsThePublisher() throws Exception {
    RpcClient client = client(Transports.TCP, server());
    Recorder<Integer> recorder = new Recorder<>(1, 1);
    client.subscribe("watched", Integer.class).subscribe(recorder);
    recorder.awaitItems();

    client.close();

    recorder.awaitDone();
    assertThat(recorder.error.get()).isInstanceOf(ConnectionException.class);
    assertThat(watched.cancelled.await(10, TimeUnit.SECONDS)).as("server publisher cancelled").isTrue();
    Thread.sleep(200);
    assertThat(recorder.terminals.get()).isEqualTo(1);
  }

  @Test
  void aServerThatStopsEndsTheSubscriptionWithOneErrorAndCancelsThePublisher() throws Exception {
    RpcServer server = server();
    RpcClient client = client(Transports.WS, server);
    Recorder<Integer> recorder = new Recorder<>(1, 1);
    client.subscribe("watched", Integer.class).subscribe(recorder);
    recorder.awaitItems();

    server.stop(java.time.Duration.ofMillis(100));

    recorder.awaitDone();
    assertThat(recorder.error.get()).isInstanceOf(RpcException.class);
    assertThat(watched.cancelled.await(10, TimeUnit.SECONDS)).as("server publisher cancelled").isTrue();
    Thread.sleep(200);
    assertThat(recorder.terminals.get()).isEqualTo(1);
  }

  @Test
  void aPublisherThatEmitsMoreThanAskedIsCancelledAndTheSubscriptionFails() throws Exception {
    RpcClient client = client(Transports.TCP, server());
    Recorder<Integer> recorder = new Recorder<>(5, 0);

    client.subscribe("runaway", Integer.class).subscribe(recorder);

    recorder.awaitDone();
    assertThat(runaway.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(recorder.error.get()).isInstanceOf(RpcException.class)
        .hasMessageContaining("more items than were asked");
    assertThat(recorder.items.size()).isLessThanOrEqualTo(5);
  }

  /** What an item that cannot be read as the subscriber's type is: an object where the server sends an int. */
  record Named(String name) {}

  @Test
  void anItemThatDoesNotBindFailsTheSubscriptionAndCancelsThePublisher() throws Exception {
    RpcClient client = client(Transports.TCP, server());
    Recorder<Named> recorder = new Recorder<>(5, 0);

    client.subscribe("watched", Named.class).subscribe(recorder);

    recorder.awaitDone();
    assertThat(recorder.error.get()).isInstanceOf(RpcException.class).hasMessageContaining("does not bind");
    assertThat(recorder.items).isEmpty();
    assertThat(watched.cancelled.await(10, TimeUnit.SECONDS)).as("server publisher cancelled").isTrue();
  }

  @Test
  void aSubscriberThatThrowsIsTreatedAsCancellingIt() throws Exception {
    RpcClient client = client(Transports.TCP, server());
    Recorder<Integer> thrower = new Recorder<>(5, 0) {
      @Override
      public void onNext(Integer item) {
        super.onNext(item);
        throw new IllegalStateException("subscriber bug");
      }
    };

    client.subscribe("watched", Integer.class).subscribe(thrower);

    assertThat(watched.cancelled.await(10, TimeUnit.SECONDS)).as("server publisher cancelled").isTrue();
    Thread.sleep(200);
    assertThat(thrower.items).containsExactly(0);
    assertThat(thrower.terminals.get()).as("no signal after the subscriber threw").isZero();
  }

  @Test
  void anItemOverTheOutboundLimitFailsTheSubscriptionWithLimitExceeded() throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    RpcServer server = RpcServer.builder().host("127.0.0.1")
        .maxOutboundMessageBytes(2048)
        .method("big", args -> (Flow.Publisher<String>) subscriber -> subscriber.onSubscribe(
            new Flow.Subscription() {
              private boolean sent;

              @Override
              public void request(long n) {
                if (!sent) {
                  sent = true;
                  subscriber.onNext("small");
                  subscriber.onNext("x".repeat(4096));
                }
              }

              @Override
              public void cancel() {
                cancelled.countDown();
              }
            }))
        .build()
        .start();
    closing.add(server);
    RpcClient client = client(Transports.TCP, server);
    Recorder<String> recorder = new Recorder<>(10, 0);

    client.subscribe("big", String.class).subscribe(recorder);

    recorder.awaitDone();
    assertThat(recorder.items).containsExactly("small");
    assertThat(recorder.error.get()).isInstanceOf(RpcException.class);
    assertThat(((RpcException) recorder.error.get()).code()).isEqualTo(RpcError.LIMIT_EXCEEDED_CODE);
    assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("publisher cancelled").isTrue();
  }

  @Test
  void aRequestForNoItemsFailsTheSubscription() throws Exception {
    RpcClient client = client(Transports.TCP, server());
    Recorder<Integer> recorder = new Recorder<>(0, 0);
    client.subscribe("watched", Integer.class).subscribe(recorder);
    assertThat(watched.subscribed.await(10, TimeUnit.SECONDS)).as("the server subscribed").isTrue();

    recorder.subscription.get().request(0);

    recorder.awaitDone();
    assertThat(recorder.error.get()).isInstanceOf(IllegalArgumentException.class);
    assertThat(watched.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void httpCannotSubscribe() throws Exception {
    RpcServer server = server();
    RpcClient client = client(Transports.HTTP, server);
    assertThatThrownBy(() -> client.subscribe("count", Integer.class, 3))
        .isInstanceOf(UnsupportedOperationException.class);
    // A plain HTTP call of the method gets an error, not a hang.
    assertThatThrownBy(() -> client.call("count", Object.class, 3).get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(RpcException.class)
        .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(RpcError.INVALID_REQUEST_CODE));
  }

  @Test
  void theServerSubscribesToAPublisherTheClientServes() throws Exception {
    AtomicReference<List<Integer>> got = new AtomicReference<>();
    RpcServer server = RpcServer.builder().host("127.0.0.1")
        .method("pull", args -> {
          Recorder<Integer> recorder = new Recorder<>(Long.MAX_VALUE, 0);
          RpcContext.current().peer().subscribe("ticks", Integer.class, 4).subscribe(recorder);
          recorder.awaitDone();
          got.set(recorder.items);
          return recorder.items.size();
        })
        .build()
        .start();
    closing.add(server);
    RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port())
        .method("ticks", args -> new CountingRange(args.arg(0, Integer.class)))
        .build();
    closing.add(client);

    assertThat(client.call("pull", Integer.class).get(20, TimeUnit.SECONDS)).isEqualTo(4);
    assertThat(got.get()).containsExactly(0, 1, 2, 3);
  }

  @Test
  void aPlainSocketAndAJsonLibraryCanFollowASubscription() throws Exception {
    RpcServer server = server();
    ObjectMapper json = new ObjectMapper();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"count\",\"params\":[3]}\n"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"$/demand\",\"params\":{\"id\":1,\"n\":10}}\n")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      List<Integer> items = new ArrayList<>();
      JsonNode end = null;
      while (end == null) {
        JsonNode message = json.readTree(in.readLine());
        if ("$/items".equals(message.path("method").asText())) {
          assertThat(message.at("/params/id").asInt()).isEqualTo(1);
          message.at("/params/items").forEach(item -> items.add(item.asInt()));
        } else {
          end = message;
        }
      }
      assertThat(items).containsExactly(0, 1, 2);
      assertThat(end.get("id").asInt()).isEqualTo(1);
      assertThat(end.has("result")).isTrue();
      assertThat(end.get("result").isNull()).isTrue();
    }
  }
}
