package io.courier.cli;

import io.courier.Endpoint;
import io.courier.Framing;
import io.courier.RpcException;
import io.courier.client.ClientInterceptor;
import io.courier.client.ClientTls;
import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options every client command takes (timeouts, token, TLS, framing), and the {@link RpcClient} they build.
 * A picocli mixin: each command holds one, and picocli fills it in. Not thread-safe; used once per run.
 */
final class ClientOptions {

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "How long a call may take, connecting included: 500ms, 5s, 2m (default ${DEFAULT-VALUE}). "
          + "A subscription (listen) has none.")
  Duration timeout;

  @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long opening a connection may take (default 10s).")
  Duration connectTimeout;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "A bearer token to authenticate with. Sent only over TLS unless --allow-plaintext-token.")
  String token;

  @Option(names = "--allow-plaintext-token",
      description = "Send --token over a connection without TLS too (loopback or a network you trust).")
  boolean allowPlaintextToken;

  @Option(names = "--cacert", paramLabel = "FILE",
      description = "Trust only the CA certificates in this PEM file (default: the JDK's trusted CAs).")
  Path cacert;

  @Option(names = "--cert", paramLabel = "FILE", description = "A client certificate chain (PEM), for mutual TLS.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE",
      description = "The unencrypted PKCS#8 key (PEM) of --cert, for mutual TLS.")
  Path key;

  @Option(names = {"-k", "--insecure"},
      description = "Development only: trust whatever certificate the servers present, for any host name.")
  boolean insecure;

  @Option(names = {"-H", "--header"}, paramLabel = "NAME:VALUE",
      description = "Metadata to send with the call (repeatable): in the request's meta member, and as an HTTP "
          + "header over http(s)://. The server reads it with RpcContext.metadata(NAME).")
  List<String> headers = new ArrayList<>();

  @Option(names = "--framing", paramLabel = "newline|content-length", converter = FramingConverter.class,
      description = "How messages are delimited on tcp:// and tls:// (default newline; content-length for "
          + "Language Server Protocol peers).")
  Framing framing;

  static final String TARGET_HELP = "The server: tcp://HOST:PORT (or HOST:PORT), tls://HOST:PORT, "
      + "http(s)://HOST:PORT/rpc, ws(s)://HOST:PORT/ws, several with commas (tcp://h1:p1,h2:p2), or "
      + "zk://ZK_HOST:PORT/SERVICE.";

  private static final Pattern TLS_TARGET = Pattern.compile("(?i)(tls|https|wss)://([^/]+)(/.*)?");

  /** What a command does with its client; returns the exit status. */
  @FunctionalInterface
  interface Work {
    int run(RpcClient rpc) throws ExecutionException, InterruptedException;
  }

  /**
   * Builds the client of {@code target}, runs {@code work} with it and closes it. A connection that cannot be
   * made, an error reply and a lost connection become the exit status {@link Replies#failure} gives them.
   */
  int run(CommandSpec spec, String target, PrintStream err, Work work) throws InterruptedException {
    RpcClient rpc;
    try {
      rpc = build(spec, target, err);
    } catch (ConnectFailure e) {
      return Replies.failure(e, target, err);
    }
    try (rpc) {
      return work.run(rpc);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HeaderRejected refused) {
        // The client checks metadata where it is added: a name or value that cannot be sent is bad usage.
        throw Main.usage(spec, "--header: " + refused.getMessage());
      }
      return Replies.failure(e, target, err);
    } catch (RpcException e) {
      return Replies.failure(e, target, err);
    }
  }

  /**
   * Builds the client of {@code target}.
   *
   * @throws picocli.CommandLine.ParameterException (exit status 2) for a target, option or file that cannot
   *     be used
   */
  RpcClient build(CommandSpec spec, String target, PrintStream err) {
    // One HTTP connection: the CLI makes one call at a time, and notify's confirming ping then follows the
    // notification on the same connection, so that the server has read the notification when the ping returns.
    RpcClientBuilder builder = RpcClient.builder().callTimeout(timeout).maxHttpConnections(1);
    try {
      builder.target(target);
      if (connectTimeout != null) {
        builder.connectTimeout(connectTimeout);
      }
      if (framing != null) {
        builder.framing(framing);
      }
      if (token != null) {
        builder.bearerToken(token).allowPlaintextToken(allowPlaintextToken);
      }
      if (!headers.isEmpty()) {
        builder.intercept(metadata(spec));
      }
      ClientTls tls = tls(spec, target, err);
      if (tls != null) {
        builder.tls(tls);
      }
      return builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // The builder's messages name its methods; here the user knows the options.
      throw Main.usage(spec, e.getMessage().replace("allowPlaintextToken(true)", "--allow-plaintext-token"));
    }
  }

  /** Adds the {@code --header}s to each call as its metadata. */
  private ClientInterceptor metadata(CommandSpec spec) {
    Map<String, String> entries = new LinkedHashMap<>();
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw Main.usage(spec, "--header " + header + ": expected NAME:VALUE");
      }
      String name = header.substring(0, colon).trim();
      if (entries.put(name, header.substring(colon + 1).trim()) != null) {
        throw Main.usage(spec, "--header " + name + ": given twice");
      }
    }
    return chain -> {
      try {
        entries.forEach(chain::metadata);
      } catch (IllegalArgumentException e) {
        throw new HeaderRejected(e.getMessage());
      }
      return chain.proceed();
    };
  }

  /** A --header the client refused to send: bad usage, told apart from any other failure of the call. */
  private static final class HeaderRejected extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    HeaderRejected(String message) {
      super(message);
    }
  }

  private ClientTls tls(CommandSpec spec, String target, PrintStream err) {
    if ((cert == null) != (key == null)) {
      throw Main.usage(spec, "--cert and --key go together (mutual TLS)");
    }
    if (cacert == null && cert == null && !insecure) {
      return null;
    }
    ClientTls.Builder tls = ClientTls.builder();
    if (cert != null) {
      tls.keyPair(cert, key);
    }
    if (insecure) {
      if (cacert != null) {
        throw Main.usage(spec, "--insecure and --cacert exclude each other");
      }
      err.println("courier: WARNING: --insecure: any certificate is trusted, for any host name; anyone on the "
          + "path can read and change this call. Use it only in development.");
      tls.trustedCertificates(presentedCertificates(spec, target)).hostnameVerification(false);
    } else if (cacert != null) {
      tls.trustedCertificates(cacert);
    }
    return tls.build();
  }

  /**
   * The client API trusts CAs from files only, on purpose (there is no "trust anything" switch in the library).
   * So the CLI fetches the certificates each listed server presents, in a handshake that trusts anything
   * (Netty's {@code InsecureTrustManagerFactory}), and writes them to a temporary PEM file that the real client
   * then trusts, with hostname verification off: the server's own certificate is then its trust anchor.
   */
  private static Path presentedCertificates(CommandSpec spec, String target) {
    Matcher m = TLS_TARGET.matcher(target);
    if (!m.matches()) {
      throw Main.usage(spec, "--insecure works with tls://, https:// and wss:// targets that list their servers, "
          + "not " + target);
    }
    StringBuilder pem = new StringBuilder();
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      for (Endpoint server : endpoints(m.group(1), m.group(2))) {
        for (Certificate certificate : fetch(context, server)) {
          pem.append("-----BEGIN CERTIFICATE-----\n")
              .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded()))
              .append("\n-----END CERTIFICATE-----\n");
        }
      }
      Path file = Files.createTempFile("courier-insecure-", ".pem");
      file.toFile().deleteOnExit();
      Files.writeString(file, pem, StandardCharsets.US_ASCII);
      return file;
    } catch (GeneralSecurityException | IOException e) {
      // Nothing to trust means nothing to connect to: the call fails as a connection failure would.
      throw new ConnectFailure("TLS handshake with " + target + " failed: " + e.getMessage(), e);
    }
  }

  private static List<Endpoint> endpoints(String scheme, String hosts) {
    int defaultPort = scheme.equalsIgnoreCase("tls") ? -1 : 443;
    List<Endpoint> endpoints = new ArrayList<>();
    for (String host : hosts.split(",")) {
      boolean hasPort = host.lastIndexOf(':') > host.lastIndexOf(']');
      endpoints.add(hasPort || defaultPort < 0 ? Endpoint.parse(host) : Endpoint.of(host, defaultPort));
    }
    return endpoints;
  }

  private static Certificate[] fetch(SSLContext context, Endpoint server) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(server.host(), server.port()), 10_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return socket.getSession().getPeerCertificates();
    }
  }

  /** A failure to reach the server found before the client exists: exit status 3. */
  static final class ConnectFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConnectFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Reads {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT5S}). */
  static final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = SIMPLE.matcher(value.trim().toLowerCase(Locale.ROOT));
      Duration duration;
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        duration = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      } else {
        try {
          duration = Duration.parse(value);
        } catch (RuntimeException e) {
          throw new TypeConversionException("'" + value + "' (expected a duration such as 500ms, 5s, 2m)");
        }
      }
      if (duration.isZero() || duration.isNegative()) {
        throw new TypeConversionException("'" + value + "' (expected: a positive duration)");
      }
      return duration;
    }
  }

  /** Reads {@code newline} or {@code content-length}. */
  static final class FramingConverter implements ITypeConverter<Framing> {

    @Override
    public Framing convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "newline" -> Framing.NEWLINE;
        case "content-length" -> Framing.CONTENT_LENGTH;
        default -> throw new TypeConversionException("'" + value + "' (expected: newline or content-length)");
      };
    }
  }
}
