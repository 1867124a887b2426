package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.reliability.Wire.Framing;
import io.courier.server.RpcServer;
import io.courier.server.RpcServerBuilder;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.RawHttp;
import io.courier.testing.RawWebSocket;
import io.courier.testing.Sockets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Small requests that must not buy large memory or time: a declared HTTP body reserves nothing; bytes held in
 * unfinished messages are bounded server-wide; a message in progress on any transport is under the partial
 * timer from its first byte; one address cannot hold every connection; a condition is logged once.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class SmallRequestsIT {

  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

  private final Harness harness = new Harness(Duration.ofMillis(500));
  private final List<AutoCloseable> sockets = new ArrayList<>();
  private RpcServer server;

  private RpcServer start(Consumer<RpcServerBuilder> config) {
    server = harness.start(config);
    return server;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable s : sockets) {
      s.close();
    }
    harness.close();
  }

  private <T extends AutoCloseable> T keep(T socket) {
    sockets.add(socket);
    return socket;
  }

  private void assertServed() throws IOException {
    try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
      long start = System.nanoTime();
      JsonNode r = w.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}");
      assertThat(r.path("result").asInt()).as("a fresh client is served").isEqualTo(5);
      assertThat(Probe.ms(start)).isLessThan(1000);
    }
  }

  private static String postHead(int port, long contentLength) {
    return "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + contentLength + "\r\n\r\n";
  }

  // ------------------------------------------------------------------------------------- declared lengths

  @Test
  void aDeclaredContentLengthReservesNothingBeforeTheBodyArrives() throws Exception {
    start(b -> {});
    assertServed();
    long before = Probe.allocatorUsed();
    for (int i = 0; i < 40; i++) {
      RawHttp http = keep(new RawHttp(server.port(), 0));
      http.send(postHead(server.port(), 4 * MIB - 200) + "{\"jsonrpc\":\"2.0\",");
    }
    Thread.sleep(300);
    long grown = Probe.allocatorUsed() - before;
    System.out.printf("40 requests declaring 4 MiB bodies: the allocator grew by %,d bytes%n", grown);
    // Reserving the declared bodies took 160 MiB; what arrived is a few hundred bytes each.
    assertThat(grown).as("allocator growth").isLessThan(32L * MIB);
    assertServed();
  }

  // ------------------------------------------------------------------------------------ the server budget

  /** Sends {@code bytes} of a message that never ends, over one of the transports. */
  private enum Unfinished {
    RAW_TCP {
      @Override
      void send(int port, int bytes, SmallRequestsIT test) throws IOException {
        Socket s = test.keep(new Socket());
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        write(s.getOutputStream(), "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"", bytes);
      }
    },
    HTTP_BODY {
      @Override
      void send(int port, int bytes, SmallRequestsIT test) throws IOException {
        RawHttp http = test.keep(new RawHttp(port, 0));
        write(http.out, postHead(port, 4 * MIB - 1) + "{\"jsonrpc\":\"2.0\",\"params\":[\"", bytes);
      }
    },
    WEBSOCKET_FRAME {
      @Override
      void send(int port, int bytes, SmallRequestsIT test) throws IOException {
        RawWebSocket ws = test.keep(RawWebSocket.connect(port, "/ws"));
        ws.raw(RawWebSocket.header(true, 1, 4 * MIB - 1, new byte[] {1, 2, 3, 4}));
        byte[] payload = new byte[bytes];
        Arrays.fill(payload, (byte) 'a');
        ws.raw(payload);
      }
    };

    abstract void send(int port, int bytes, SmallRequestsIT test) throws IOException;

    static void write(OutputStream out, String start, int bytes) throws IOException {
      out.write(start.getBytes(StandardCharsets.US_ASCII));
      byte[] filler = new byte[bytes - start.length()];
      Arrays.fill(filler, (byte) 'a');
      out.write(filler);
      out.flush();
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Unfinished.class)
  void pastTheServerWideBudgetTheLargestHoldersOfUnfinishedMessagesAreClosedFirst(Unfinished how)
      throws Exception {
    start(b -> b.partialMessageBudget(8 * MIB));
    assertServed();
    try (LogCapture log = new LogCapture()) {
      List<Socket> connections = new ArrayList<>();
      // 0.5 + 1 + 1.5 + 2 + 3 = 8 MiB held, within the budget...
      int[] sizes = {MIB / 2, MIB, 3 * MIB / 2, 2 * MIB, 3 * MIB};
      for (int size : sizes) {
        how.send(server.port(), size, this);
        connections.add(lastSocket());
        Thread.sleep(150);
      }
      assertThat(log.lines("partialMessageBudget")).as("within the budget").isZero();
      // ...and 1 MiB more passes it: the largest holder goes, and only it.
      how.send(server.port(), MIB, this);
      connections.add(lastSocket());
      assertThat(Sockets.awaitEof(connections.get(4), connections.get(4).getInputStream(), 3000))
          .as("the 3 MiB holder is closed").isGreaterThanOrEqualTo(0);
      Thread.sleep(200);
      for (int i : new int[] {0, 1, 2, 3, 5}) {
        assertThat(isOpen(connections.get(i))).as("connection %d stays", i).isTrue();
      }
      assertThat(log.lines("partialMessageBudget")).as("one log line").isEqualTo(1);
      assertServed();
    }
  }

  private Socket lastSocket() {
    AutoCloseable last = sockets.get(sockets.size() - 1);
    return last instanceof Socket s ? s : last instanceof RawHttp h ? h.socket : ((RawWebSocket) last).socket();
  }

  /** Whether the server has left the connection open: a read times out rather than meeting the end. */
  private static boolean isOpen(Socket s) throws IOException {
    return Sockets.awaitEof(s, s.getInputStream(), 100) < 0;
  }

  // --------------------------------------------------------------------------- messages still arriving

  @Test
  void httpHeadersTrickledInAreUnderThePartialMessageTimer() throws Exception {
    start(b -> b.partialFrameTimeout(Duration.ofMillis(800)));
    try (RawHttp http = new RawHttp(server.port(), 0)) {
      String head = postHead(server.port(), 2);
      long start = System.nanoTime();
      long closedAt = -1;
      for (int i = 0; i < head.length() - 4 && closedAt < 0; i++) {
        try {
          http.send(head.substring(i, i + 1));
        } catch (IOException closed) {
          closedAt = Probe.ms(start);
        }
        Thread.sleep(100);
        if (Sockets.awaitEof(http.socket, http.in, 1) >= 0) {
          closedAt = Probe.ms(start);
        }
      }
      System.out.println("HTTP header trickle closed after " + closedAt + " ms");
      assertThat(closedAt).as("closed by the 800 ms partial timer, not the idle timer").isBetween(700L, 2500L);
    }
  }

  @Test
  void aSingleWebSocketFrameLeftShortIsUnderThePartialMessageTimer() throws Exception {
    start(b -> b.partialFrameTimeout(Duration.ofMillis(800)));
    try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws")) {
      ws.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}");
      assertThat(ws.readText()).contains("\"result\":3");
      long start = System.nanoTime();
      ws.raw(RawWebSocket.header(true, 1, 100, new byte[] {1, 2, 3, 4}));
      ws.raw(new byte[99]); // one byte short, and nothing more
      long closedAfter = ws.awaitEof(5000);
      System.out.println("WebSocket frame one byte short closed after " + Probe.ms(start) + " ms");
      assertThat(closedAfter).isGreaterThanOrEqualTo(0);
      assertThat(Probe.ms(start)).as("the 800 ms partial timer").isBetween(700L, 2500L);
    }
  }

  // ------------------------------------------------------------------------------------- per-address cap

  @Test
  void oneAddressCannotHoldMoreThanItsShareOfConnections() throws Exception {
    start(b -> b.maxConnectionsPerAddress(3));
    try (LogCapture log = new LogCapture()) {
      List<Wire> wires = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        wires.add(keep(new Wire(server.port(), Framing.NEWLINE)));
        assertThat(wires.get(i).call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":1}")
            .path("result").asInt()).isEqualTo(2);
      }
      for (int i = 0; i < 5; i++) {
        try (Wire extra = new Wire(server.port(), Framing.NEWLINE)) {
          assertThat(extra.awaitClose(2000)).as("the 4th connection is closed at once").isGreaterThanOrEqualTo(0);
        }
      }
      assertThat(log.lines("maxConnectionsPerAddress")).as("refusals go through the rate-limited log")
          .isBetween(1L, 2L);
      wires.get(0).close();
      Thread.sleep(200);
      try (Wire again = new Wire(server.port(), Framing.NEWLINE)) {
        assertThat(again.call("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,2],\"id\":2}")
            .path("result").asInt()).as("a closed connection frees its place").isEqualTo(4);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ log floods

  @Test
  void aConnectionClosedByATimerIsLoggedOnceEvenWhileItsCloseIsPending() throws Exception {
    // One I/O thread, held by a method that blocks it (which @NonBlocking methods must not do): closes the
    // sweeper asks for stay pending for a second, over several sweeps.
    start(b -> b.ioThreads(1).protocolDetectionTimeout(Duration.ofMillis(200)));
    try (LogCapture log = new LogCapture()) {
      List<Socket> silent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Socket s = keep(new Socket());
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
        silent.add(s);
      }
      try (Wire w = new Wire(server.port(), Framing.NEWLINE)) {
        w.call("{\"jsonrpc\":\"2.0\",\"method\":\"blockIo\",\"params\":[1500],\"id\":1}");
      }
      for (Socket s : silent) {
        assertThat(Sockets.awaitEof(s, s.getInputStream(), 3000)).isGreaterThanOrEqualTo(0);
      }
      assertThat(log.lines("no protocol detected")).as("one line per connection").isEqualTo(5);
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"tcp", "http", "ws"})
  void aResetConnectionIsLoggedOnce(String transport) throws Exception {
    start(b -> {});
    try (LogCapture log = new LogCapture()) {
      Socket s;
      String partial;
      switch (transport) {
        case "tcp" -> {
          s = new Socket();
          s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
          partial = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"abc";
        }
        case "http" -> {
          s = new RawHttp(server.port(), 0).socket;
          partial = postHead(server.port(), 100) + "{\"jsonrpc\":";
        }
        default -> {
          s = RawWebSocket.connect(server.port(), "/ws").socket();
          partial = new String(RawWebSocket.header(true, 1, 100, new byte[] {1, 2, 3, 4}),
              StandardCharsets.ISO_8859_1) + "abc";
        }
      }
      int port = s.getLocalPort();
      s.getOutputStream().write(partial.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      Thread.sleep(100);
      s.setSoLinger(true, 0);
      s.close(); // a reset
      Thread.sleep(500);
      assertThat(log.lines(":" + port)).as("lines about the reset connection").isLessThanOrEqualTo(1);
    }
  }
}
