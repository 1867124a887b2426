package io.courier.server;

import io.courier.peer.Calling;
import io.courier.peer.RateLimitedLog;
import io.courier.peer.Serving;
import io.courier.transport.AllowedHosts;
import io.courier.transport.FrameDecoder;
import io.courier.transport.HttpOptions;
import io.courier.transport.HttpServerHandler;
import io.courier.transport.ProtocolDetector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every pipeline a server connection can have, in one place. An accepted connection gets a protocol detector
 * and its {@link ServerConnection}; once the detector has recognised the protocol from the first bytes, it
 * asks for that protocol's stack, each installed by one method below: TLS (then the detection runs again
 * inside), HTTP (which installs WebSocket itself on upgrade), or raw TCP framing. One per server; sharable.
 */
final class ServerPipeline extends ChannelInitializer<Channel> implements ProtocolDetector.Stacks {

  private static final Logger log = LoggerFactory.getLogger(ServerPipeline.class);
  private static final String BROWSER_CLIENT = "/io/courier/web/courier.js";

  private final Limits limits;
  private final Serving serving;
  private final Calling calling;
  /** Every open connection's channel, for maxConnections and for closing them all at stop. */
  private final ChannelGroup channels;
  /** Every open connection's handler, for the sweeper, the budget and stop. */
  private final Set<ServerConnection> connections;
  private final PartialMessageBudget partialBudget;
  private final ParseBudget parseBudget;
  private final ConnectionsPerAddress perAddress;
  private final ServerTls tls;
  /** Whether clients without TLS are served. */
  private final boolean plaintext;
  private final HttpOptions http;
  /** What answers the {@code GET}s of paths the user added, by path. */
  private final Map<String, HttpGetHandler> httpGets;
  /** Refused connections, logged at most once a second: a flood of them must not become a flood of lines. */
  private final RateLimitedLog refusalLog = new RateLimitedLog(Duration.ofSeconds(1));
  private final RateLimitedLog getFailureLog = new RateLimitedLog(Duration.ofSeconds(1));

  /** {@code console} is the web console's snapshot method when it is on, else null. */
  ServerPipeline(RpcServerBuilder builder, ConsoleMethod console, Limits limits, Serving serving, Calling calling,
      ChannelGroup channels, Set<ServerConnection> connections, PartialMessageBudget partialBudget,
      BooleanSupplier draining) {
    this.limits = limits;
    this.serving = serving;
    this.calling = calling;
    this.channels = channels;
    this.connections = connections;
    this.partialBudget = partialBudget;
    this.parseBudget = ParseBudget.forHeap(Runtime.getRuntime().maxMemory(), limits.maxMessageBytes());
    this.perAddress = new ConnectionsPerAddress(limits.maxConnectionsPerAddress());
    this.tls = builder.tls;
    this.plaintext = builder.plaintext;
    this.httpGets = gets(builder, console);
    this.http = new HttpOptions(RpcServerBuilder.RPC_PATHS, builder.webSocketPath, builder.corsOrigins,
        allowedHosts(builder.host, builder.allowedHosts), limits.maxMessageBytes(), staticFiles(builder),
        httpGets.keySet(), draining);
  }

  @Override
  protected void initChannel(Channel ch) {
    if (channels.size() >= limits.maxConnections()) {
      refusalLog.warn(log, "Refusing a connection from {}: {} connections are open (maxConnections)",
          ch.remoteAddress(), channels.size());
      ch.close();
      return;
    }
    if (!perAddress.admit(ch)) {
      refusalLog.warn(log, "Refusing a connection from {}: {} connections from that address are open "
          + "(maxConnectionsPerAddress)", ch.remoteAddress(), limits.maxConnectionsPerAddress());
      ch.close();
      return;
    }
    channels.add(ch);
    ch.pipeline()
        .addLast("detect", new ProtocolDetector(this, tls != null, plaintext))
        .addLast("rpc", new ServerConnection(serving, calling, limits, partialBudget, parseBudget, connections,
            httpGets, getFailureLog));
  }

  @Override
  public void tls(ChannelHandlerContext detector) {
    detector.pipeline()
        .addAfter(detector.name(), "tls", tls.newHandler(detector.alloc()))
        .addAfter("tls", "detect-inner", new ProtocolDetector(this, false, true));
  }

  @Override
  public void http(ChannelHandlerContext detector) {
    // The encoder goes first: on upgrade, the WebSocket encoder takes its place, and must sit before the
    // WebSocket decoder so that the close frames the decoder sends on protocol errors get encoded.
    HttpServerHandler handler = new HttpServerHandler(http);
    detector.pipeline()
        .addAfter(detector.name(), "http-encoder", new HttpResponseEncoder())
        .addAfter("http-encoder", "http-decoder", handler.newDecoder())
        .addAfter("http-decoder", "http", handler);
  }

  @Override
  public void raw(ChannelHandlerContext detector) {
    detector.pipeline().addAfter(detector.name(), "framer", new FrameDecoder(limits.maxMessageBytes()));
  }

  @Override
  public boolean isSharable() {
    return true;
  }

  private static AllowedHosts allowedHosts(String bindHost, Set<String> configured) {
    // Looked up here, on the thread building the server: the lookup may be slow, and is useless on loopback.
    Set<String> machine = AllowedHosts.isLoopbackBinding(bindHost) ? Set.of() : AllowedHosts.machineNames();
    return AllowedHosts.forServer(bindHost, configured, machine);
  }

  /** The {@code GET} paths answered past the interceptors: the builder's, and the console's snapshot. */
  private static Map<String, HttpGetHandler> gets(RpcServerBuilder builder, ConsoleMethod console) {
    if (console == null) {
      return Map.copyOf(builder.httpGets);
    }
    Map<String, HttpGetHandler> gets = new HashMap<>(builder.httpGets);
    gets.put(ConsoleMethod.HTTP_PATH, console.httpGet());
    return Map.copyOf(gets);
  }

  /** The browser client, and the web console's files when it is on. */
  private static Map<String, HttpOptions.Resource> staticFiles(RpcServerBuilder builder) {
    if (!builder.console) {
      return browserClient();
    }
    Map<String, HttpOptions.Resource> files = new HashMap<>(browserClient());
    files.putAll(ConsoleFiles.load(builder.webSocketPath));
    return files;
  }

  /** The browser client, served at {@code /courier.js} when its file is on the class path. */
  private static Map<String, HttpOptions.Resource> browserClient() {
    try (InputStream in = ServerPipeline.class.getResourceAsStream(BROWSER_CLIENT)) {
      if (in == null) {
        return Map.of();
      }
      return Map.of(RpcServerBuilder.BROWSER_CLIENT_PATH,
          new HttpOptions.Resource("text/javascript; charset=utf-8", in.readAllBytes()));
    } catch (IOException e) {
      log.warn("Cannot read the browser client {}: not serving /courier.js", BROWSER_CLIENT, e);
      return Map.of();
    }
  }
}
