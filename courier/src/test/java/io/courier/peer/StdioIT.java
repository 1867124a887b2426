package io.courier.peer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.ConnectionException;
import io.courier.Framing;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A peer over standard input and output: a client launches a Courier stdio server as a child process and talks
 * to it both ways in either framing, and a server serves piped streams and ends with them, even mid-message.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class StdioIT {

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** The command that starts {@link StdioServerMain} in a JVM of its own, with this test's class path. */
  static String[] childCommand() {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    return new String[] {java.toString(), "-cp", System.getProperty("java.class.path"),
        StdioServerMain.class.getName()};
  }

  private RpcClient launch(Framing framing) {
    RpcClient client = RpcClient.builder()
        .command(childCommand())
        .framing(framing)
        .method("greet", args -> "hello " + args.arg(0, String.class))
        .build();
    closing.add(client);
    return client;
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  void aClientLaunchesAStdioServerAndTheyCallEachOther(Framing framing) throws Exception {
    RpcClient client = launch(framing);
    StdioServerMain.Tools tools = client.create(StdioServerMain.Tools.class);

    assertThat(tools.add(2, 3)).isEqualTo(5);
    assertThat(tools.askParent("child")).isEqualTo("stdio: hello child");
    assertThat(tools.noisy()).isEqualTo("quiet");
    SubscriptionsIT.Recorder<Integer> recorder = new SubscriptionsIT.Recorder<>(Long.MAX_VALUE, 3);
    tools.count(3).subscribe(recorder);
    recorder.awaitDone();
    assertThat(recorder.items).containsExactly(0, 1, 2);
  }

  @Test
  void whenTheProgramExitsPendingCallsFailAndItIsNotStartedAgain() throws Exception {
    RpcClient client = launch(Framing.NEWLINE);
    StdioServerMain.Tools tools = client.create(StdioServerMain.Tools.class);
    assertThat(tools.add(1, 1)).isEqualTo(2);

    CompletableFuture<Object> exiting = client.call("exit", Object.class);

    assertThatThrownBy(() -> exiting.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ConnectionException.class);
    assertThatThrownBy(() -> client.call("add", Integer.class, 1, 2).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConnectionException.class)
        .hasMessageContaining("not start it again");
  }

  @Test
  void aServerServesPipedStreamsAndReturnsWhenTheInputEndsMidMessage() throws Exception {
    PipedOutputStream toServer = new PipedOutputStream();
    PipedInputStream serverIn = new PipedInputStream(toServer, 64 * 1024);
    PipedInputStream fromServer = new PipedInputStream(64 * 1024);
    PipedOutputStream serverOut = new PipedOutputStream(fromServer);
    RpcServer server = RpcServer.builder()
        .method("add", args -> args.arg(0, Integer.class) + args.arg(1, Integer.class))
        .build();
    CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> server.serveStdio(serverIn, serverOut));

    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"add\",\"params\":[2,3]}";
    toServer.write(("Content-Length: " + body.getBytes(UTF_8).length + "\r\n\r\n" + body).getBytes(UTF_8));
    toServer.flush();
    String reply = readMessage(fromServer);
    assertThat(reply).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":5,\"id\":1}");

    toServer.write("Content-Length: 80\r\n\r\n{\"jsonrpc\":\"2.0\",".getBytes(UTF_8)); // and then the input ends
    toServer.close();

    serving.get(20, TimeUnit.SECONDS);
    assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
  }

  /** Reads one {@code Content-Length}-framed message. */
  private static String readMessage(InputStream in) throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    while (!header.toString(UTF_8).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("end of stream in a header: " + header.toString(UTF_8));
      }
      header.write(b);
    }
    String text = header.toString(UTF_8).trim();
    int length = Integer.parseInt(text.substring(text.indexOf(':') + 1).trim());
    return new String(in.readNBytes(length), UTF_8);
  }
}
