package io.courier.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.googlecode.jsonrpc4j.JsonRpcBasicServer;
import com.googlecode.jsonrpc4j.StreamServer;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * jsonrpc4j 1.6: its socket {@link StreamServer} around a {@link JsonRpcBasicServer} serving
 * {@link BenchService}. ({@code StreamServer} takes the transport-neutral {@code JsonRpcBasicServer};
 * {@code JsonRpcServer} only adds servlet and portlet handling, and loading it needs the servlet API.) The
 * server reads one JSON value at a time and answers it before reading the next, so a connection carries one
 * call at a time: the client opens one socket per call in flight (N sockets for N in flight), each running a
 * request/response loop of newline-terminated JSON-RPC requests, its replies read with Jackson.
 *
 * <p>{@code main} is the server:
 * {@code java -cp courier-bench.jar io.courier.bench.Jsonrpc4jTarget --port P}.
 */
public final class Jsonrpc4jTarget {

  /**
   * The server's thread pool: one thread per open connection (more connections wait in its queue, unserved),
   * so it must cover the 10,000 idle connections of the idle row and a few more.
   */
  static final int SERVER_THREADS = 12_288;

  private Jsonrpc4jTarget() {}

  public static void main(String[] args) throws Exception {
    TargetServer.serve(args, Jsonrpc4jTarget::startServer);
  }

  static TargetServer.Running startServer(String host, int port) throws IOException {
    ServerSocket socket = new NoDelayServerSocket(port, 1024, InetAddress.getByName(host));
    JsonRpcBasicServer rpc = new JsonRpcBasicServer(new ObjectMapper(), new BenchService.Impl(),
        BenchService.class);
    StreamServer server = new StreamServer(rpc, SERVER_THREADS, socket);
    server.start();
    return new TargetServer.Running(socket.getLocalPort(), server::stop);
  }

  /**
   * A server socket whose connections send small writes at once ({@code TCP_NODELAY}), as every other target's
   * do. {@code StreamServer} leaves Nagle's algorithm on, and it writes each reply's trailing newline as a
   * write of its own; that byte then waits for the client's delayed ACK, about 40 ms per call at one call in
   * flight, which would measure the TCP stack's defaults rather than jsonrpc4j.
   */
  private static final class NoDelayServerSocket extends ServerSocket {
    NoDelayServerSocket(int port, int backlog, InetAddress address) throws IOException {
      super(port, backlog, address);
    }

    @Override
    public Socket accept() throws IOException {
      Socket s = super.accept();
      s.setTcpNoDelay(true);
      return s;
    }
  }

  /** The client for one cell: as many sockets as calls in flight, or as the cell's connections if more. */
  static Driver client(String host, int port, Cell cell) throws IOException {
    return new Client(host, port, Math.max(cell.inFlight(), cell.connections()));
  }

  /** Opens {@code count} sockets, makes one {@code add} call on each, and returns them, idle. */
  static AutoCloseable holdIdle(String host, int port, int count) throws IOException {
    Client client = new Client(host, port, count);
    for (Connection c : client.all) {
      if (!c.call(Workload.ADD)) {
        client.close();
        throw new IllegalStateException("a first call on an idle connection failed");
      }
    }
    return client;
  }

  /**
   * Blocking calls, each on a socket that nothing else uses meanwhile: a call takes the socket that has waited
   * longest and gives it back when done. Thread-safe.
   */
  static final class Client implements Driver {
    private final List<Connection> all = new ArrayList<>();
    private final BlockingQueue<Connection> idle;

    Client(String host, int port, int sockets) throws IOException {
      idle = new ArrayBlockingQueue<>(sockets);
      try {
        for (int i = 0; i < sockets; i++) {
          Connection c = new Connection(host, port);
          all.add(c);
          idle.add(c);
        }
      } catch (IOException e) {
        close();
        throw e;
      }
    }

    @Override
    public boolean blocking() {
      return true;
    }

    @Override
    public void call(Workload workload, int slot, Completion done) {
      Connection c;
      try {
        c = idle.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done.complete(false);
        return;
      }
      boolean ok;
      try {
        ok = c.call(workload);
      } catch (IOException | RuntimeException e) {
        ok = false;
      } finally {
        idle.add(c);
      }
      done.complete(ok);
    }

    @Override
    public void close() {
      for (Connection c : all) {
        c.close();
      }
    }
  }

  /** One socket: writes a request line, reads the one JSON value that answers it. Used by one thread at a time. */
  private static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private JsonParser replies; // made on the first reply: making it reads the first bytes
    private long ids;

    Connection(String host, int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 10_000);
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      in = socket.getInputStream();
    }

    boolean call(Workload workload) throws IOException {
      int a = workload.isAdd() ? JsonRpcLines.operand() : 0;
      int b = workload.isAdd() ? JsonRpcLines.operand() : 0;
      long id = ++ids;
      JsonRpcLines.writeRequest(out, workload, a, b, id);
      out.flush();
      if (replies == null) {
        replies = JsonRpcLines.MAPPER.getFactory().createParser(in);
      }
      if (replies.nextToken() != JsonToken.START_OBJECT) {
        throw new EOFException("no reply to call " + id);
      }
      JsonNode reply = JsonRpcLines.MAPPER.readTree(replies);
      return JsonRpcLines.isRightReply(reply, id, workload, a, b);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
