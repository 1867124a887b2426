package io.courier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written JSON-RPC peer on a plain {@link ServerSocket} at 127.0.0.1: it reads newline-framed requests and
 * answers each with whatever line its {@link Responder} writes, so tests can send replies no Courier server
 * would. Thread-safe; close it after the test.
 */
public final class FakeJsonRpcServer implements AutoCloseable {

  /** Chooses the reply to one request: a JSON line without its newline, or null to send nothing. */
  @FunctionalInterface
  public interface Responder {
    String reply(JsonNode request) throws IOException;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerSocket serverSocket;
  private final Responder responder;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstRequest = new CountDownLatch(1);
  private final Thread acceptor;

  public FakeJsonRpcServer(Responder responder) throws IOException {
    this.responder = responder;
    this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.acceptor = new Thread(this::acceptLoop, "fake-jsonrpc-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Returns a reply line for {@code request}'s id with the given error object (as JSON text). */
  public static String errorReply(JsonNode request, String errorJson) {
    return "{\"jsonrpc\":\"2.0\",\"error\":" + errorJson + ",\"id\":" + request.get("id") + "}";
  }

  public int port() {
    return serverSocket.getLocalPort();
  }

  /** Returns every request read so far, in order. */
  public List<JsonNode> received() {
    return List.copyOf(received);
  }

  /** Waits for the first request to arrive. */
  public boolean awaitFirstRequest(long timeout, TimeUnit unit) throws InterruptedException {
    return firstRequest.await(timeout, unit);
  }

  /** Closes every accepted connection (the listening socket stays open). */
  public void dropConnections() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return;
      }
      sockets.add(socket);
      Thread reader = new Thread(() -> serve(socket), "fake-jsonrpc-conn");
      reader.setDaemon(true);
      reader.start();
    }
  }

  private void serve(Socket socket) {
    try (socket;
        BufferedReader in = new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
      OutputStream out = socket.getOutputStream();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode request = JSON.readTree(line);
        received.add(request);
        firstRequest.countDown();
        String reply = responder.reply(request);
        if (reply != null) {
          synchronized (out) {
            out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        }
      }
    } catch (SocketException closed) {
      // dropConnections() or close()
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
    dropConnections();
  }
}
