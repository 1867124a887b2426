package io.courier.testing.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.testing.NettyLeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each toxic of {@link ChaosProxy} against a tiny blocking-socket server on loopback. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class ChaosProxyIT {

  /** A target server on plain java.net sockets: echoes, or swallows and records the size of each read. */
  private static final class TargetServer implements AutoCloseable {
    final ServerSocket socket;
    final boolean echo;
    final List<Integer> readSizes = new CopyOnWriteArrayList<>();
    final AtomicLong received = new AtomicLong();
    final List<Socket> accepted = new CopyOnWriteArrayList<>();

    TargetServer(boolean echo) throws IOException {
      this.echo = echo;
      this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      Thread acceptor = new Thread(this::acceptLoop, "chaos-it-target");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          accepted.add(s);
          Thread t = new Thread(() -> serve(s), "chaos-it-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      byte[] buf = new byte[64 * 1024];
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          readSizes.add(n);
          received.addAndGet(n);
          if (echo) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // peer reset or closed
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T t) {
    closeables.add(t);
    return t;
  }

  private ChaosProxy proxyTo(TargetServer server) throws InterruptedException {
    return closeLater(ChaosProxy.start(server.port()));
  }

  private Socket connect(ChaosProxy proxy) throws IOException {
    Socket s = closeLater(new Socket("127.0.0.1", proxy.port()));
    s.setTcpNoDelay(true);
    s.setSoTimeout(5_000);
    return s;
  }

  private static byte[] readExactly(Socket s, int n) throws IOException {
    byte[] out = new byte[n];
    int off = 0;
    while (off < n) {
      int r = s.getInputStream().read(out, off, n - off);
      if (r < 0) {
        throw new IOException("EOF after " + off + " of " + n + " bytes");
      }
      off += r;
    }
    return out;
  }

  private static long roundTripMillis(Socket s, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    long start = System.nanoTime();
    s.getOutputStream().write(bytes);
    assertThat(readExactly(s, bytes.length)).isEqualTo(bytes);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void forwardsBytesUnchangedAndCounts() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    byte[] data = new byte[256 * 1024];
    new Random(1).nextBytes(data);
    Thread writer = new Thread(() -> {
      try {
        s.getOutputStream().write(data);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    assertThat(readExactly(s, data.length)).isEqualTo(data);
    writer.join();
    assertThat(proxy.bytesForwarded(Direction.UPSTREAM)).isEqualTo(data.length);
    assertThat(proxy.bytesForwarded(Direction.DOWNSTREAM)).isEqualTo(data.length);
    assertThat(proxy.bytesForwarded(Direction.BOTH)).isEqualTo(2L * data.length);
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);
    assertThat(proxy.openConnections()).isEqualTo(1);
  }

  @Test
  void latencyDelaysEachWayAndCanBeSwitchedOffOnAnOpenConnection() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    assertThat(roundTripMillis(s, "warm-up")).isLessThan(1_000);
    long baseline = roundTripMillis(s, "baseline");

    proxy.latency(Direction.DOWNSTREAM, Duration.ofMillis(200), Duration.ofMillis(50));
    long delayed = roundTripMillis(s, "down");
    assertThat(delayed).isBetween(150L, 450L);

    proxy.latency(Direction.BOTH, Duration.ofMillis(100), Duration.ZERO);
    assertThat(roundTripMillis(s, "both")).isBetween(200L, 450L);

    proxy.heal();
    assertThat(roundTripMillis(s, "healed")).isLessThan(baseline + 100);
  }

  @Test
  void latencyKeepsOrderDespiteJitter() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    proxy.latency(Direction.UPSTREAM, Duration.ofMillis(20), Duration.ofMillis(20));
    Socket s = connect(proxy);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (int i = 0; i < 50; i++) {
      byte[] piece = ("<" + i + ">").getBytes(StandardCharsets.US_ASCII);
      s.getOutputStream().write(piece);
      sent.writeBytes(piece);
      Thread.sleep(2);
    }
    assertThat(readExactly(s, sent.size())).isEqualTo(sent.toByteArray());
  }

  @Test
  void blackHoleDropsDataKeepsTheSocketOpenAndHeals() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    roundTripMillis(s, "before");

    proxy.blackHole();
    s.setSoTimeout(500);
    s.getOutputStream().write("lost".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    assertThat(s.isClosed()).isFalse();

    // The same connection carries data again once the toxic is gone.
    proxy.heal();
    s.setSoTimeout(5_000);
    roundTripMillis(s, "after");
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void blackHoleDoesNotPassACloseOn() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    roundTripMillis(s, "before");
    proxy.blackHole();
    server.close(); // the server side goes away; the client must not hear of it
    s.setSoTimeout(500);
    assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void resetPeerResetsOpenConnections() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    roundTripMillis(s, "before");

    proxy.resetPeer();
    assertThatThrownBy(() -> {
      // The RST may arrive between the write and the read; either one then fails.
      for (int i = 0; i < 50; i++) {
        s.getOutputStream().write('x');
        if (s.getInputStream().read() < 0) {
          throw new AssertionError("got a FIN (EOF), expected a reset");
        }
        Thread.sleep(10);
      }
    }).isInstanceOf(SocketException.class).hasMessageContaining("reset");

    // New connections are not affected.
    roundTripMillis(connect(proxy), "new connection");
  }

  @Test
  void resetPeerOnDataResetsWhenDataArrives() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    roundTripMillis(s, "before");
    proxy.resetPeerOnData(Direction.UPSTREAM);
    s.getOutputStream().write("boom".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
        .hasMessageContaining("reset");
  }

  @Test
  void slicerDeliversIdenticalBytesInSmallSegments() throws Exception {
    TargetServer server = closeLater(new TargetServer(false));
    ChaosProxy proxy = proxyTo(server);
    proxy.slice(Direction.UPSTREAM, 1, 7, Duration.ofMillis(5));
    Socket s = connect(proxy);
    byte[] data = new byte[300];
    new Random(2).nextBytes(data);
    s.getOutputStream().write(data);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (server.received.get() < data.length && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.received.get()).isEqualTo(data.length);
    // With 5 ms between segments (of 4 bytes on average), most arrive as reads of their own; timer slack may
    // bunch a few together, so only the typical read is checked.
    List<Integer> sizes = new ArrayList<>(server.readSizes);
    assertThat(sizes).hasSizeGreaterThan(20);
    sizes.sort(null);
    assertThat(sizes.get(sizes.size() / 2)).as("median read size of %s", sizes).isLessThanOrEqualTo(7);

    // Content is intact: echo through a slicing proxy both ways.
    TargetServer echo = closeLater(new TargetServer(true));
    ChaosProxy echoProxy = proxyTo(echo);
    echoProxy.slice(Direction.BOTH, 1, 7, Duration.ZERO);
    Socket e = connect(echoProxy);
    byte[] big = new byte[100_000];
    new Random(3).nextBytes(big);
    Thread writer = new Thread(() -> {
      try {
        e.getOutputStream().write(big);
      } catch (IOException ex) {
        throw new IllegalStateException(ex);
      }
    });
    writer.start();
    assertThat(readExactly(e, big.length)).isEqualTo(big);
    writer.join();
  }

  @Test
  void cutAfterClosesAfterExactlyThatManyBytes() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    roundTripMillis(s, "before the cut"); // bytes before the toxic do not count
    proxy.cutAfter(Direction.DOWNSTREAM, 1000);
    byte[] data = new byte[5000];
    Arrays.fill(data, (byte) 'z');
    s.getOutputStream().write(data);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    try {
      while ((n = s.getInputStream().read(buf)) > 0) {
        got.write(buf, 0, n);
      }
    } catch (SocketException reset) {
      // the close may turn into a reset because the client still had unread input at the proxy; fine too
    }
    assertThat(got.size()).isEqualTo(1000);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (proxy.openConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(proxy.openConnections()).isZero();
  }

  @Test
  void pausedReadsStopDeliveryAndResume() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = proxyTo(server);
    Socket s = connect(proxy);
    roundTripMillis(s, "before");

    proxy.pauseReads(Direction.DOWNSTREAM);
    Thread.sleep(50);
    s.getOutputStream().write("held".getBytes(StandardCharsets.US_ASCII));
    s.setSoTimeout(400);
    assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    proxy.resumeReads(Direction.DOWNSTREAM);
    s.setSoTimeout(5_000);
    assertThat(new String(readExactly(s, 4), StandardCharsets.US_ASCII)).isEqualTo("held");
  }

  @Test
  void pausedReadsPushBackOnTheSender() throws Exception {
    TargetServer server = closeLater(new TargetServer(false));
    ChaosProxy proxy = proxyTo(server);
    proxy.pauseReads(Direction.UPSTREAM);
    Socket s = connect(proxy);
    s.setSendBufferSize(64 * 1024);
    long total = 64L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    Thread writer = new Thread(() -> {
      byte[] chunk = new byte[16 * 1024];
      try {
        while (written.get() < total) {
          s.getOutputStream().write(chunk);
          written.addAndGet(chunk.length);
        }
      } catch (IOException e) {
        // closed at the end of the test
      }
    });
    writer.setDaemon(true);
    writer.start();
    Thread.sleep(700);
    long stalled = written.get();
    Thread.sleep(300);
    // The writer is blocked: kernel buffers filled and nothing more is taken.
    assertThat(written.get()).isEqualTo(stalled).isLessThan(total);
    assertThat(server.received.get()).isZero();

    proxy.resumeReads(Direction.UPSTREAM);
    writer.join(10_000);
    assertThat(written.get()).isEqualTo(total);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (server.received.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.received.get()).isEqualTo(total);
  }

  @Test
  void mergeCoalescesReadsByCountAndByWindow() throws Exception {
    TargetServer server = closeLater(new TargetServer(false));
    ChaosProxy proxy = proxyTo(server);
    proxy.merge(Direction.UPSTREAM, 5, Duration.ofSeconds(5));
    Socket s = connect(proxy);
    for (int i = 0; i < 5; i++) {
      s.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(30); // separate reads at the proxy
    }
    awaitReceived(server, 50);
    assertThat(server.readSizes).containsExactly(50);

    proxy.merge(Direction.UPSTREAM, 0, Duration.ofMillis(200));
    long start = System.nanoTime();
    s.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
    Thread.sleep(20);
    s.getOutputStream().write("def".getBytes(StandardCharsets.US_ASCII));
    awaitReceived(server, 56);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
    assertThat(server.readSizes).containsExactly(50, 6);
  }

  @Test
  void closeClosesConnections() throws Exception {
    TargetServer server = closeLater(new TargetServer(true));
    ChaosProxy proxy = ChaosProxy.start(server.port());
    Socket s = connect(proxy);
    roundTripMillis(s, "before");
    proxy.close();
    assertThat(s.getInputStream().read()).isEqualTo(-1);
  }

  private static void awaitReceived(TargetServer server, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (server.received.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(server.received.get()).isEqualTo(n);
  }
}
