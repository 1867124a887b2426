package io.courier.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.courier.ConnectionException;
import io.courier.Identity;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.TlsEngine;
import io.courier.client.ClientTls;
import io.courier.client.RpcClient;
import io.courier.server.MutualTlsAuth;
import io.courier.server.RpcServer;
import io.courier.server.ServerTls.ClientAuth;
import io.courier.server.ServerTls;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * T37, TLS and mutual TLS through {@link RpcServer} and {@link RpcClient}, on both engines (server and client use
 * the engine under test): a client without a certificate, a client certificate from the wrong CA, a server
 * certificate for the wrong host, a 20 KiB ClientHello, and certificate files swapped under a running server;
 * and the mutual-TLS happy path over tls://, https:// and wss:// with {@link MutualTlsAuth}.
 */
@Timeout(60)
@ExtendWith(NettyLeakCheck.class)
class TlsIT {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final int KIB = 1024;

  /** The secure transports, as scheme and path. */
  enum Secure {
    TLS("tls", ""), HTTPS("https", "/rpc"), WSS("wss", "/ws");

    final String scheme;
    final String path;

    Secure(String scheme, String path) {
      this.scheme = scheme;
      this.path = path;
    }

    String target(int port) {
      return scheme + "://127.0.0.1:" + port + path;
    }
  }

  /** Who the server thinks is calling, as the method sees it. */
  public interface Who {
    /** The authenticated identity's name. */
    String whoami();

    /** The common name of the certificate the connection's peer presented, or "none". */
    String peerCn();
  }

  static final class WhoImpl implements Who {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String whoami() {
      calls.incrementAndGet();
      return RpcContext.current().identity().map(Identity::name).orElse("anonymous");
    }

    @Override
    public String peerCn() {
      calls.incrementAndGet();
      return RpcContext.current().peer().peerCertificate().map(MutualTlsAuth::commonName).orElse("none");
    }
  }

  private static TestPki pki;

  @TempDir Path dir;

  private final WhoImpl who = new WhoImpl();
  private Harness harness;

  @BeforeAll
  static void createPki(@TempDir Path pkiDir) {
    pki = TestPki.create(pkiDir);
  }

  @BeforeEach
  void setUp() {
    harness = new Harness(Duration.ofMillis(200));
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  static Stream<Arguments> enginesAndTransports() {
    List<Arguments> all = new ArrayList<>();
    for (TlsEngine engine : TlsEngine.values()) {
      for (Secure transport : Secure.values()) {
        all.add(Arguments.of(engine, transport));
      }
    }
    return all.stream();
  }

  private static void requireAvailable(TlsEngine engine) {
    // Not an assumption: a missing engine must fail the battery, not skip half of it silently.
    assertThat(engine.isAvailable()).as("TLS engine %s available: %s", engine, engine.unavailabilityCause())
        .isTrue();
  }

  /** A server on {@link Api} and {@link Who} with {@code tls}, and optionally interceptors. */
  private RpcServer start(ServerTls tls, MutualTlsAuth auth) {
    return harness.start(b -> {
      b.service(Who.class, who).tls(tls);
      if (auth != null) {
        b.intercept(auth);
      }
    });
  }

  private static ServerTls.Builder requireClientCert(TlsEngine engine) {
    return ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem()).engine(engine)
        .clientAuth(ClientAuth.REQUIRE).trustedCertificates(pki.caPem());
  }

  private static ClientTls.Builder clientTls(TlsEngine engine) {
    return ClientTls.builder().trustedCertificates(pki.caPem()).engine(engine);
  }

  private RpcClient client(String target, ClientTls tls) {
    return harness.closeLater(RpcClient.builder().target(target).tls(tls).callTimeout(CALL_TIMEOUT).build());
  }

  /** Waits for a call that must fail, returning its failure. */
  private static Throwable failure(java.util.concurrent.CompletableFuture<?> call) throws InterruptedException {
    try {
      Object result = call.get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
      return fail("the call succeeded with %s", result);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      return fail("the call neither failed nor succeeded within %s", CALL_TIMEOUT.multipliedBy(2));
    }
  }

  private static String chain(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      s.append(c.getClass().getName()).append(": ").append(c.getMessage()).append(" <- ");
    }
    return s.toString();
  }

  // ------------------------------------------------------------------------------------------------ happy path

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("enginesAndTransports")
  void t37_mutualTlsCallerIsIdentifiedByCertificateCommonName(TlsEngine engine, Secure transport)
      throws Exception {
    requireAvailable(engine);
    RpcServer server = start(requireClientCert(engine).build(),
        MutualTlsAuth.byCommonName(Map.of("alice", Set.of("user"))));
    RpcClient alice = client(transport.target(server.port()),
        clientTls(engine).keyPair(pki.clientCertPem("alice"), pki.clientKeyPem("alice")).build());

    long start = System.nanoTime();
    String name = alice.call("whoami", String.class).get(10, TimeUnit.SECONDS);
    long firstMs = Probe.ms(start);
    start = System.nanoTime();
    String cn = alice.call("peerCn", String.class).get(10, TimeUnit.SECONDS);
    int sum = alice.call("add", Integer.class, 2, 3).get(10, TimeUnit.SECONDS);
    long nextMs = Probe.ms(start);

    System.out.printf("T37 %s %s mTLS: identity %s, peer CN %s; first call (handshake) %d ms, next two %d ms%n",
        engine, transport.scheme, name, cn, firstMs, nextMs);
    assertThat(name).as("RpcContext.current().identity() in the method").isEqualTo("alice");
    assertThat(cn).as("the connection's peer certificate").isEqualTo("alice");
    assertThat(sum).isEqualTo(5);
    assertThat(alice.connectAttempts()).as("one connection for all three calls").isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ refusals

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("enginesAndTransports")
  void t37_clientWithoutCertificateIsRejectedAtHandshake(TlsEngine engine, Secure transport) throws Exception {
    requireAvailable(engine);
    RpcServer server = start(requireClientCert(engine).build(),
        MutualTlsAuth.byCommonName(Map.of("alice", Set.of("user"))));
    RpcClient anonymous = client(transport.target(server.port()), clientTls(engine).build());

    assertRejectedAtHandshake("no client certificate", engine, transport,
        anonymous.call("add", Integer.class, 1, 2));
  }

  /**
   * Through {@link ClientTls}: the client's key manager withholds mallory's certificate (its issuer is not among
   * the CAs the server asks for), so the server sees no certificate; the next test forces the chain on it.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("enginesAndTransports")
  void t37_clientCertificateFromTheWrongCaIsRejectedAtHandshake(TlsEngine engine, Secure transport)
      throws Exception {
    requireAvailable(engine);
    RpcServer server = start(requireClientCert(engine).build(),
        MutualTlsAuth.byCommonName(Map.of("mallory", Set.of("user"), "alice", Set.of("user"))));
    TestPki.Issued mallory = pki.untrustedClient();
    RpcClient client = client(transport.target(server.port()),
        clientTls(engine).keyPair(mallory.certPem(), mallory.keyPem()).build());

    assertRejectedAtHandshake("client certificate from an untrusted CA", engine, transport,
        client.call("add", Integer.class, 1, 2));
  }

  /**
   * The case above does not reach the server's chain check: both engines' key managers withhold a client
   * certificate whose issuer is not among the CAs the server's CertificateRequest names, so the server sees an
   * empty chain. Here a plain JDK socket presents mallory's certificate regardless, and the server (on the engine
   * under test) must refuse the chain itself.
   */
  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void t37_untrustedClientChainPresentedAnywayIsRejectedByTheServer(TlsEngine engine) throws Exception {
    requireAvailable(engine);
    RpcServer server = start(requireClientCert(engine).build(),
        MutualTlsAuth.byCommonName(Map.of("mallory", Set.of("user"))));
    TestPki.Issued mallory = pki.untrustedClient();

    long start = System.nanoTime();
    String outcome;
    byte[] reply = new byte[0];
    try (SSLSocket socket = (SSLSocket) sslContext(mallory).getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      socket.setSoTimeout(5000);
      try {
        socket.startHandshake(); // in TLSv1.3 the client is done before the server judges its certificate
        socket.getOutputStream().write(
            "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}\n".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        reply = socket.getInputStream().readAllBytes();
        outcome = "closed, " + reply.length + " bytes read";
      } catch (IOException refused) {
        outcome = refused.getClass().getName() + ": " + refused.getMessage();
      }
    }
    long ms = Probe.ms(start);
    Thread.sleep(50);
    System.out.printf("T37 %s untrusted chain presented anyway: %s after %d ms%n", engine, outcome, ms);
    assertThat(reply).as("no reply to the call").isEmpty();
    assertThat(outcome).as("refused with a fatal alert").containsIgnoringCase("alert");
    assertThat(ms).isLessThan(2000);
    assertThat(harness.impl.invocations.get()).as("the method never ran").isZero();
  }

  private void assertRejectedAtHandshake(String what, TlsEngine engine, Secure transport,
      java.util.concurrent.CompletableFuture<Integer> call) throws Exception {
    long start = System.nanoTime();
    Throwable failure = failure(call);
    long ms = Probe.ms(start);
    System.out.printf("T37 %s %s %s: failed after %d ms with %s%n", engine, transport.scheme, what, ms,
        chain(failure));
    assertThat(failure).as(chain(failure)).isInstanceOf(ConnectionException.class);
    assertThat(((ConnectionException) failure).code()).isEqualTo(RpcError.CONNECTION_LOST_CODE);
    assertThat(ms).as("refused at the handshake, not at the call timeout").isLessThan(2000);
    Thread.sleep(50);
    assertThat(harness.impl.invocations.get()).as("the method never ran").isZero();
    assertThat(who.calls.get()).isZero();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("enginesAndTransports")
  void t37_serverCertificateForAnotherHostFailsAtTheClientUnlessVerificationIsOff(TlsEngine engine,
      Secure transport) throws Exception {
    requireAvailable(engine);
    RpcServer server = start(ServerTls.builder(pki.wrongHostCertPem(), pki.wrongHostKeyPem()).engine(engine)
        .build(), null);
    String target = transport.target(server.port());
    RpcClient verifying = client(target, clientTls(engine).build());

    long start = System.nanoTime();
    Throwable failure = failure(verifying.call("add", Integer.class, 1, 2));
    long failedMs = Probe.ms(start);
    RpcClient lenient = client(target, clientTls(engine).hostnameVerification(false).build());
    start = System.nanoTime();
    int sum = lenient.call("add", Integer.class, 2, 3).get(10, TimeUnit.SECONDS);
    long okMs = Probe.ms(start);

    System.out.printf("T37 %s %s wrong host: failed after %d ms with %s; without hostname verification: %d in "
        + "%d ms%n", engine, transport.scheme, failedMs, chain(failure), sum, okMs);
    assertThat(failure).as(chain(failure)).isInstanceOf(ConnectionException.class);
    assertThat(failure.getMessage()).contains("handshake with " + target + " failed");
    assertThat(chain(failure)).contains("No subject alternative names matching IP address 127.0.0.1");
    assertThat(failedMs).isLessThan(2000);
    assertThat(sum).as("hostnameVerification(false) connects").isEqualTo(5);
    assertThat(harness.impl.invocations.get()).as("only the lenient client's call ran").isEqualTo(1);
  }

  // ------------------------------------------------------------------------------------------------ ClientHello

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void t37_twentyKibClientHelloIsClosedPromptly(TlsEngine engine) throws Exception {
    requireAvailable(engine);
    RpcServer server = start(ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem()).engine(engine).build(),
        null);
    Random random = new Random(37);
    int size = 20 * KIB;

    // One handshake record whose header claims 20 KiB, more than a record may hold (16 KiB + 2 KiB).
    byte[] oneRecord = new byte[5 + size];
    random.nextBytes(oneRecord);
    oneRecord[0] = 22;
    oneRecord[1] = 3;
    oneRecord[2] = 1;
    oneRecord[3] = (byte) (size >>> 8);
    oneRecord[4] = (byte) size;

    // A ClientHello message of 20 KiB, in two records of legal size (10 KiB + 2 bytes each).
    byte[] hello = new byte[4 + size];
    random.nextBytes(hello);
    hello[0] = 1; // client_hello
    hello[1] = (byte) (size >>> 16);
    hello[2] = (byte) (size >>> 8);
    hello[3] = (byte) size;
    hello[4] = 3;
    hello[5] = 3; // client_version TLSv1.2, then random bytes
    int half = hello.length / 2;
    ByteArrayOutputStream twoRecords = new ByteArrayOutputStream();
    for (int off = 0; off < hello.length; off += half) {
      int len = Math.min(half, hello.length - off);
      twoRecords.writeBytes(new byte[] {22, 3, 1, (byte) (len >>> 8), (byte) len});
      twoRecords.write(hello, off, len);
    }

    for (Map.Entry<String, byte[]> input : List.of(Map.entry("one 20 KiB record", oneRecord),
        Map.entry("20 KiB ClientHello in two records", twoRecords.toByteArray()))) {
      RawResult r = sendAndAwaitClose(server.port(), input.getValue(), 3000);
      System.out.printf("T37 %s %s: closed=%s %d ms after the last byte, %d bytes back%s%n", engine,
          input.getKey(), r.closed, r.ms, r.reply.length,
          r.reply.length > 0 ? " (first byte " + r.reply[0] + ")" : "");
      assertThat(r.closed).as("%s: closed by the server", input.getKey()).isTrue();
      assertThat(r.ms).as("%s: closed promptly", input.getKey()).isLessThanOrEqualTo(1000);
    }
    RpcClient good = client(Secure.TLS.target(server.port()), clientTls(engine).build());
    assertThat(good.call("add", Integer.class, 2, 3).get(10, TimeUnit.SECONDS)).as("a good client is still served")
        .isEqualTo(5);
  }

  private record RawResult(boolean closed, long ms, byte[] reply) {}

  /** Writes {@code bytes} on a plain socket and reads until the server closes, for at most {@code boundMs}. */
  private static RawResult sendAndAwaitClose(int port, byte[] bytes, long boundMs) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      long sent;
      try {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
      } catch (SocketException closedWhileWriting) {
        return new RawResult(true, 0, reply.toByteArray());
      }
      sent = System.nanoTime();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[4096];
      long end = sent + TimeUnit.MILLISECONDS.toNanos(boundMs);
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
          return new RawResult(false, Probe.ms(sent), reply.toByteArray());
        }
        socket.setSoTimeout((int) left);
        try {
          int n = in.read(buf);
          if (n < 0) {
            return new RawResult(true, Probe.ms(sent), reply.toByteArray());
          }
          reply.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
          return new RawResult(false, Probe.ms(sent), reply.toByteArray());
        } catch (SocketException reset) {
          return new RawResult(true, Probe.ms(sent), reply.toByteArray());
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ reload

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void t37_swappedCertificateFilesAreServedToNewConnectionsWhileOldOnesKeepRunning(TlsEngine engine)
      throws Exception {
    requireAvailable(engine);
    Path cert = Files.copy(pki.serverCertPem(), dir.resolve("served.pem"));
    Path key = Files.copy(pki.serverKeyPem(), dir.resolve("served-key.pem"));
    Duration interval = Duration.ofSeconds(1);
    RpcServer server = start(ServerTls.builder(cert, key).engine(engine).reloadInterval(interval).build(), null);
    BigInteger oldSerial = pki.server().serial();

    RpcClient before = client(Secure.TLS.target(server.port()), clientTls(engine).build());
    assertThat(before.call("add", Integer.class, 1, 1).get(10, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(servedSerial(server.port())).as("served before the swap").isEqualTo(oldSerial);

    TestPki.Issued renewed = pki.issueServerCert();
    assertThat(renewed.serial()).isNotEqualTo(oldSerial);
    replaceAtomically(renewed.certPem(), cert);
    replaceAtomically(renewed.keyPem(), key);
    long swapped = System.nanoTime();

    BigInteger served = oldSerial;
    int probes = 0;
    long bound = interval.toMillis() + 1000;
    while (!served.equals(renewed.serial()) && Probe.ms(swapped) <= bound + 1000) {
      Thread.sleep(20);
      served = servedSerial(server.port());
      probes++;
    }
    long reloadMs = Probe.ms(swapped);

    // The client connected before the swap keeps calling, on its old connection.
    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertThat(before.call("add", Integer.class, i, 1).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
    }
    long oldCallsMs = Probe.ms(start);
    RpcClient after = client(Secure.TLS.target(server.port()), clientTls(engine).build());
    int viaNew = after.call("add", Integer.class, 20, 22).get(10, TimeUnit.SECONDS);

    System.out.printf("T37 %s reload: serial %s -> %s presented %d ms after the swap (interval %d ms, %d probes); "
        + "old connection: 20 calls in %d ms, %d connect attempt(s)%n", engine, oldSerial, served, reloadMs,
        interval.toMillis(), probes, oldCallsMs, before.connectAttempts());
    assertThat(served).as("new connections present the new certificate").isEqualTo(renewed.serial());
    assertThat(reloadMs).as("reload <= interval + 1 s").isLessThanOrEqualTo(bound);
    assertThat(before.connectAttempts()).as("the old client kept its connection").isEqualTo(1);
    assertThat(viaNew).as("a new client with the same trust connects").isEqualTo(42);
  }

  private static void replaceAtomically(Path source, Path target) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The serial of the certificate the server presents to a new connection, seen by a plain JDK
   * {@link SSLSocket} that trusts the test CA. A new {@link SSLContext} each time, so that no session is resumed
   * (a resumed session reports the certificate of the session it resumes).
   */
  private static BigInteger servedSerial(int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) sslContext(null).getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /**
   * A JDK client context that trusts the test CA and, when {@code presented} is not null, presents that
   * certificate whatever CAs the server asks for.
   */
  private static SSLContext sslContext(TestPki.Issued presented) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pki.caPem())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManager[] keys = null;
    if (presented != null) {
      String pem = Files.readString(presented.keyPem());
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
      PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      X509Certificate[] chain = {presented.certificate()};
      keys = new KeyManager[] {new X509ExtendedKeyManager() {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
          return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
          return "client"; // whatever the issuers the server named
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
          return "client";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
          return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
          return chain;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
          return key;
        }
      }};
    }
    // A new context each time, so that no TLS session is resumed across probes.
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(keys, tmf.getTrustManagers(), null);
    return ssl;
  }
}
