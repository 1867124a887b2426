package io.courier.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.courier.TlsEngine;
import io.courier.client.ClientTls;
import io.courier.client.ClientTlsAccess;
import io.courier.server.ServerTls.ClientAuth;
import io.courier.server.ServerTls;
import io.courier.server.ServerTlsAccess;
import io.courier.testing.LogCapture;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.TestPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS and mutual TLS through {@link ServerTls} and {@link ClientTls} over real sockets on 127.0.0.1, every case
 * on both engines: handshakes, client certificates, hostname checks, refused protocol versions, hostile
 * handshakes, and certificate reloading.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsSupportTest {

  /** How long any one expected event may take; generous, as CI machines are shared. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static TestPki pki;
  private static EventLoopGroup group;

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void createPkiAndLoops(@TempDir Path dir) {
    pki = TestPki.create(dir);
    group = EventLoops.newGroup(2, "tls-test");
  }

  @AfterAll
  static void shutDownLoops() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  private static void assumeAvailable(TlsEngine engine) {
    assumeTrue(engine.isAvailable(), () -> "TLS engine " + engine + " is not available here (netty-tcnative "
        + "missing or not loadable), so its cases are skipped: " + engine.unavailabilityCause().orElse(null));
  }

  private static ServerTls.Builder server(TlsEngine engine) {
    return ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem()).engine(engine);
  }

  private static ClientTls.Builder client(TlsEngine engine) {
    return ClientTls.builder().trustedCertificates(pki.caPem()).engine(engine);
  }

  // ---------------------------------------------------------------- handshakes

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void handshakeSucceedsAndDataRoundTrips(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).build());

    Conn conn = connect(client(engine).build(), "localhost", server.port());

    conn.awaitHandshake();
    assertThat(conn.roundTrip("ping")).isEqualTo("ping");
    assertThat(conn.ssl.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(conn.serverSerial()).isEqualTo(pki.server().serial());
    assertThat(server.nextOutcome().clientCertificate()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void ipLiteralIsVerifiedAgainstTheIpAddressInTheCertificate(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).build());

    Conn conn = connect(client(engine).build(), "127.0.0.1", server.port());

    conn.awaitHandshake();
    assertThat(conn.roundTrip("by address")).isEqualTo("by address");
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void tls12ClientIsAccepted(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).build());
    SslContext tls12 = SslContextBuilder.forClient()
        .sslProvider(engine == TlsEngine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols("TLSv1.2")
        .trustManager(pki.server().certificate(), caCertificate())
        .build();

    Conn conn = connect(alloc -> tls12.newHandler(alloc, "localhost", server.port()), server.port());

    conn.awaitHandshake();
    assertThat(conn.ssl.engine().getSession().getProtocol()).isEqualTo("TLSv1.2");
    assertThat(conn.roundTrip("old but fine")).isEqualTo("old but fine");
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void tls11OnlyClientIsRefused(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).build());

    byte[] reply = sendRaw(server.port(), tls11ClientHello());

    // One alert record: type 21, two bytes of body, level fatal (2), description protocol_version (70).
    assertThat(reply).hasSize(7);
    assertThat(reply[0]).as("record type").isEqualTo((byte) 21);
    assertThat(reply[5]).as("alert level").isEqualTo((byte) 2);
    assertThat(reply[6]).as("alert description").isEqualTo((byte) 70);
    assertThat(server.nextOutcome().failure()).isInstanceOf(SSLHandshakeException.class);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void oversizedHandshakeRecordIsRejectedWithoutHanging(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).build());
    byte[] record = new byte[5 + 20 * 1024];
    new Random(42).nextBytes(record);
    // A handshake record header claiming 20 KiB, more than TLS allows in one record (16 KiB + 2 KiB).
    record[0] = 22;
    record[1] = 3;
    record[2] = 1;
    record[3] = (byte) ((20 * 1024) >>> 8);
    record[4] = (byte) (20 * 1024);

    sendRaw(server.port(), record);

    assertThat(server.nextOutcome().failure()).isInstanceOf(SSLException.class);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void twentyKibOfGarbageIsRejectedWithoutHanging(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).build());
    byte[] garbage = new byte[20 * 1024];
    new Random(7).nextBytes(garbage);
    garbage[0] = 'G'; // not a TLS record type

    sendRaw(server.port(), garbage);

    assertThat(server.nextOutcome().failure()).isInstanceOf(NotSslRecordException.class);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void stalledHandshakeIsClosedAfterTheHandshakeTimeout(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).handshakeTimeout(Duration.ofMillis(500)).build());
    byte[] firstBytesOfClientHello = Arrays.copyOf(tls11ClientHello(), 20);

    long start = System.nanoTime();
    sendRaw(server.port(), firstBytesOfClientHello);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(WAIT);
    assertThat(server.nextOutcome().failure()).isInstanceOf(SslHandshakeTimeoutException.class);
  }

  // ---------------------------------------------------------------- client certificates

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void requireRejectsClientWithoutCertificate(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server =
        start(server(engine).clientAuth(ClientAuth.REQUIRE).trustedCertificates(pki.caPem()).build());

    Conn conn = connect(client(engine).build(), "localhost", server.port());

    assertThat(server.nextOutcome().failure()).isInstanceOf(SSLHandshakeException.class);
    // In TLSv1.3 the client finishes its side before the server judges its (empty) certificate, so the client
    // learns of the refusal from the alert and the close, not from its handshake.
    conn.awaitClosed();
    assertThat(conn.received).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void requireAcceptsTrustedClientCertificateAndShowsItsIdentity(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server =
        start(server(engine).clientAuth(ClientAuth.REQUIRE).trustedCertificates(pki.caPem()).build());

    Conn conn = connect(client(engine).keyPair(pki.clientCertPem("alice"), pki.clientKeyPem("alice")).build(),
        "localhost", server.port());

    conn.awaitHandshake();
    assertThat(conn.roundTrip("hello from alice")).isEqualTo("hello from alice");
    assertThat(server.nextOutcome().clientCertificate())
        .hasValueSatisfying(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=alice"));
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void clientCertificateFromUntrustedCaIsRejected(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server =
        start(server(engine).clientAuth(ClientAuth.REQUIRE).trustedCertificates(pki.caPem()).build());
    TestPki.Issued mallory = pki.untrustedClient();

    Conn conn = connect(client(engine).keyPair(mallory.certPem(), mallory.keyPem()).build(), "localhost",
        server.port());

    assertThat(server.nextOutcome().failure()).isInstanceOf(SSLHandshakeException.class);
    conn.awaitClosed();
    assertThat(conn.received).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void optionalAcceptsClientsWithAndWithoutCertificate(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server =
        start(server(engine).clientAuth(ClientAuth.OPTIONAL).trustedCertificates(pki.caPem()).build());

    Conn anonymous = connect(client(engine).build(), "localhost", server.port());
    anonymous.awaitHandshake();
    assertThat(anonymous.roundTrip("anonymous")).isEqualTo("anonymous");
    assertThat(server.nextOutcome().clientCertificate()).isEmpty();

    Conn bob = connect(client(engine).keyPair(pki.clientCertPem("bob"), pki.clientKeyPem("bob")).build(),
        "localhost", server.port());
    bob.awaitHandshake();
    assertThat(bob.roundTrip("bob")).isEqualTo("bob");
    assertThat(server.nextOutcome().clientCertificate())
        .hasValueSatisfying(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=bob"));
  }

  // ---------------------------------------------------------------- server certificates

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void clientRejectsServerCertificateForAnotherHost(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(ServerTls.builder(pki.wrongHostCertPem(), pki.wrongHostKeyPem()).engine(engine)
        .build());

    assertThat(connect(client(engine).build(), "localhost", server.port()).awaitHandshakeFailure())
        .hasStackTraceContaining("No subject alternative DNS name matching localhost");
    assertThat(connect(client(engine).build(), "127.0.0.1", server.port()).awaitHandshakeFailure())
        .hasStackTraceContaining("No subject alternative names matching IP address 127.0.0.1");
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void clientAcceptsServerCertificateForAnotherHostWithoutHostnameVerification(TlsEngine engine)
      throws Exception {
    assumeAvailable(engine);
    TestServer server = start(ServerTls.builder(pki.wrongHostCertPem(), pki.wrongHostKeyPem()).engine(engine)
        .build());

    Conn conn = connect(client(engine).hostnameVerification(false).build(), "localhost", server.port());

    conn.awaitHandshake();
    assertThat(conn.roundTrip("trusting the CA alone")).isEqualTo("trusting the CA alone");
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void clientRejectsServerCertificateFromUntrustedCa(TlsEngine engine) throws Exception {
    assumeAvailable(engine);
    TestServer server = start(server(engine).build());

    assertThat(connect(ClientTls.builder().trustedCertificates(pki.otherCaPem()).engine(engine).build(),
        "localhost", server.port()).awaitHandshakeFailure())
        .hasStackTraceContaining("unable to find valid certification path");
    // The test CA is in no JDK trust store either.
    assertThat(connect(ClientTls.builder().engine(engine).build(), "localhost", server.port())
        .awaitHandshakeFailure())
        .hasStackTraceContaining("unable to find valid certification path");
  }

  // ---------------------------------------------------------------- reloading

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void reloadServesRenewedCertificateToNewConnectionsAndKeepsOpenOnes(TlsEngine engine, @TempDir Path dir)
      throws Exception {
    assumeAvailable(engine);
    TestPki pki = TestPki.create(dir);
    Duration interval = Duration.ofSeconds(1);
    ServerTls tls = ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem()).engine(engine)
        .reloadInterval(interval).build();
    TestServer server = start(tls);
    ServerTlsAccess.startReloading(tls);
    closeables.add(() -> ServerTlsAccess.stopReloading(tls));
    ClientTls clientTls = ClientTls.builder().trustedCertificates(pki.caPem()).engine(engine).build();
    Conn before = connect(clientTls, "localhost", server.port());
    before.awaitHandshake();
    assertThat(before.serverSerial()).isEqualTo(pki.server().serial());

    TestPki.Issued renewed = pki.issueServerCert();
    try (LogCapture log = new LogCapture()) {
      replaceAtomically(renewed.keyPem(), pki.serverKeyPem());
      replaceAtomically(renewed.certPem(), pki.serverCertPem());
      Thread.sleep(interval.plusSeconds(1).toMillis());

      Conn after = connect(clientTls, "localhost", server.port());
      after.awaitHandshake();
      assertThat(after.serverSerial()).isEqualTo(renewed.serial()).isNotEqualTo(pki.server().serial());
      assertThat(after.roundTrip("new")).isEqualTo("new");
      assertThat(before.roundTrip("still open")).isEqualTo("still open");
      assertThat(before.serverSerial()).isEqualTo(pki.server().serial());
      assertThat(log.text()).contains("Reloaded TLS certificate from " + pki.serverCertPem());
    }
  }

  @Test
  void reloadChecksRunOnAThreadOfTheirOwnNeverOnAnEventLoop(@TempDir Path dir) throws Exception {
    TestPki pki = TestPki.create(dir);
    ServerTls tls = ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem())
        .reloadInterval(Duration.ofMillis(50)).build();
    // A server that shares the instance starts and stops it too: the thread lives while either runs.
    ServerTlsAccess.startReloading(tls);
    ServerTlsAccess.startReloading(tls);
    try {
      assertThat(reloadThreads()).hasSize(1);
      ServerTlsAccess.stopReloading(tls);
      assertThat(reloadThreads()).hasSize(1);
    } finally {
      ServerTlsAccess.stopReloading(tls);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!reloadThreads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(reloadThreads()).as("the reload thread ends with the last stop").isEmpty();
  }

  private static List<Thread> reloadThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(TlsSupport.ReloadingContext.RELOAD_THREAD))
        .toList();
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void reloadKeepsTheCurrentCertificateWhileTheFilesAreBrokenOrMismatched(TlsEngine engine, @TempDir Path dir)
      throws Exception {
    assumeAvailable(engine);
    TestPki pki = TestPki.create(dir);
    ServerTls tls = ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem()).engine(engine).build();
    TestServer server = start(tls);
    ClientTls clientTls = ClientTls.builder().trustedCertificates(pki.caPem()).engine(engine).build();
    TestPki.Issued renewed = pki.issueServerCert();
    String renewedPem = Files.readString(renewed.certPem());
    Path halfWritten = dir.resolve("half.pem");
    Files.writeString(halfWritten, renewedPem.substring(0, renewedPem.length() / 2));

    try (LogCapture log = new LogCapture()) {
      // A certificate file caught halfway through being written.
      replaceAtomically(halfWritten, pki.serverCertPem());
      assertThat(ServerTlsAccess.reloadIfChanged(tls)).isFalse();
      assertThat(ServerTlsAccess.reloadIfChanged(tls)).isFalse();
      assertThat(log.lines("Cannot reload TLS certificate")).as("one WARN per bad content").isEqualTo(1);
      assertThat(log.text()).contains(pki.serverCertPem().toString()).contains("truncated");
      assertThat(servedSerial(clientTls, server)).isEqualTo(pki.server().serial());

      // The renewed certificate, but still the old key.
      replaceAtomically(renewed.certPem(), pki.serverCertPem());
      assertThat(ServerTlsAccess.reloadIfChanged(tls)).isFalse();
      assertThat(log.text()).contains("does not match the certificate in " + pki.serverCertPem());
      assertThat(servedSerial(clientTls, server)).isEqualTo(pki.server().serial());

      // Now the key too: the next check loads both.
      replaceAtomically(renewed.keyPem(), pki.serverKeyPem());
      assertThat(ServerTlsAccess.reloadIfChanged(tls)).isTrue();
      assertThat(servedSerial(clientTls, server)).isEqualTo(renewed.serial());
      assertThat(ServerTlsAccess.reloadIfChanged(tls)).as("nothing changed since").isFalse();
    }
  }

  private BigInteger servedSerial(ClientTls clientTls, TestServer server) throws Exception {
    Conn conn = connect(clientTls, "localhost", server.port());
    conn.awaitHandshake();
    BigInteger serial = conn.serverSerial();
    conn.channel.close().syncUninterruptibly();
    return serial;
  }

  // ---------------------------------------------------------------- builder validation

  @Nested
  class BuilderValidation {

    @TempDir Path dir;

    @Test
    void missingCertificateFileIsNamed() {
      Path missing = dir.resolve("missing.pem");

      assertThatThrownBy(() -> ServerTls.builder(missing, pki.serverKeyPem()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("file not found");
    }

    @Test
    void fileThatIsNotPemIsNamed() throws IOException {
      Path notPem = Files.writeString(dir.resolve("server.der"), "this is not a certificate");

      assertThatThrownBy(() -> ServerTls.builder(notPem, pki.serverKeyPem()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(notPem.toString())
          .hasMessageContaining("not a PEM file");
    }

    @Test
    void certificateFileGivenAsKeyIsNamed() {
      assertThatThrownBy(() -> ServerTls.builder(pki.serverCertPem(), pki.serverCertPem()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("TLS private key from " + pki.serverCertPem())
          .hasMessageContaining("no PEM private key found");
    }

    @Test
    void traditionalOpenSslKeyIsRefusedWithTheConversionCommand() throws IOException {
      Path rsa = Files.writeString(dir.resolve("rsa.key"),
          "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
              + "-----END RSA PRIVATE KEY-----\n");

      assertThatThrownBy(() -> ServerTls.builder(pki.serverCertPem(), rsa).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(rsa.toString())
          .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
      assertThatThrownBy(() -> ServerTls.builder(pki.serverCertPem(), pki.wrongHostKeyPem()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(pki.wrongHostKeyPem().toString())
          .hasMessageContaining("does not match the certificate in " + pki.serverCertPem());
    }

    @Test
    void requireWithoutTrustedCertificatesIsRefused() {
      assertThatThrownBy(() -> ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem())
          .clientAuth(ClientAuth.REQUIRE).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("trustedCertificates");
    }

    @Test
    void trustedCertificatesWithoutClientAuthAreRefused() {
      assertThatThrownBy(() -> ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem())
          .trustedCertificates(pki.caPem()).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("clientAuth is NONE");
    }

    @Test
    void durationsAreChecked() {
      ServerTls.Builder builder = ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem());

      assertThatThrownBy(() -> builder.handshakeTimeout(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("handshakeTimeout: PT0S (expected: > 0)");
      assertThatThrownBy(() -> builder.reloadInterval(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("reloadInterval: PT-1S (expected: >= 0)");
      assertThat(builder.reloadInterval(Duration.ZERO).build().reloadInterval()).isZero();
    }

    @Test
    void serverDefaults() {
      ServerTls tls = ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem()).build();

      assertThat(tls.clientAuth()).isEqualTo(ClientAuth.NONE);
      assertThat(tls.engine()).isEqualTo(TlsEngine.JDK);
      assertThat(tls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(tls.reloadInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void clientMissingTrustFileIsNamed() {
      Path missing = dir.resolve("ca-missing.pem");

      assertThatThrownBy(() -> ClientTls.builder().trustedCertificates(missing).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("file not found");
    }

    @Test
    void clientSystemDefaults() {
      ClientTls system = ClientTls.system();

      assertThat(system).isSameAs(ClientTls.system());
      assertThat(system.hostnameVerification()).isTrue();
      assertThat(system.engine()).isEqualTo(TlsEngine.JDK);
      assertThat(system.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void openSslIsAvailableHere() {
      // The pom puts netty-tcnative on the test class path; if this fails, the OPENSSL cases were all skipped.
      assertThat(TlsEngine.OPENSSL.isAvailable()).as("OpenSSL: %s", TlsEngine.OPENSSL.unavailabilityCause())
          .isTrue();
      assertThat(TlsEngine.JDK.isAvailable()).isTrue();
    }
  }

  // ---------------------------------------------------------------- plumbing

  private static X509Certificate caCertificate() throws Exception {
    try (InputStream in = Files.newInputStream(pki.caPem())) {
      return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static void replaceAtomically(Path source, Path target) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A handshake as a server saw it: the client's certificate on success, else why it failed. */
  private record Outcome(Optional<X509Certificate> clientCertificate, Throwable failure) {}

  /** Echoes what it reads, closes on error. */
  @ChannelHandler.Sharable
  private static final class Echo extends ChannelInboundHandlerAdapter {
    static final Echo INSTANCE = new Echo();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private final class TestServer implements AutoCloseable {
    final Channel channel;
    final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    final List<Channel> children = new CopyOnWriteArrayList<>();

    TestServer(ServerTls tls) throws InterruptedException {
      channel = new ServerBootstrap()
          .group(group)
          .channel(EventLoops.serverChannelType())
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              children.add(ch);
              SslHandler ssl = ServerTlsAccess.newHandler(tls, ch.alloc());
              ssl.handshakeFuture().addListener(f -> outcomes.add(f.isSuccess()
                  ? new Outcome(TlsSupport.peerCertificate(ssl), null)
                  : new Outcome(Optional.empty(), f.cause())));
              ch.pipeline().addLast(ssl, Echo.INSTANCE);
            }
          })
          .bind(LOOPBACK, 0).sync().channel();
    }

    int port() {
      return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    Outcome nextOutcome() throws InterruptedException {
      Outcome outcome = outcomes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(outcome).as("a server-side handshake outcome within %s", WAIT).isNotNull();
      return outcome;
    }

    @Override
    public void close() {
      channel.close().syncUninterruptibly();
      for (Channel child : children) {
        child.close().syncUninterruptibly();
      }
    }
  }

  private TestServer start(ServerTls tls) throws InterruptedException {
    TestServer server = new TestServer(tls);
    closeables.add(server);
    return server;
  }

  private interface HandlerFactory {
    SslHandler create(io.netty.buffer.ByteBufAllocator alloc);
  }

  private Conn connect(ClientTls tls, String host, int port) throws InterruptedException {
    return connect(alloc -> ClientTlsAccess.newHandler(tls, alloc, host, port), port);
  }

  private Conn connect(HandlerFactory handlers, int port) throws InterruptedException {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    // Kept from the initializer: a failed handshake may close the channel, emptying its pipeline, before
    // connect() returns.
    AtomicReference<SslHandler> tls = new AtomicReference<>();
    Channel channel = new Bootstrap()
        .group(group)
        .channel(EventLoops.channelType())
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            SslHandler handler = handlers.create(ch.alloc());
            tls.set(handler);
            ch.pipeline().addLast(handler, new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                received.add(msg.toString(UTF_8));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        })
        .connect(LOOPBACK, port).sync().channel();
    closeables.add(() -> channel.close().syncUninterruptibly());
    return new Conn(channel, tls.get(), received);
  }

  /** One client connection and what it has read. */
  private record Conn(Channel channel, SslHandler ssl, BlockingQueue<String> received) {

    void awaitHandshake() throws InterruptedException {
      assertThat(ssl.handshakeFuture().await(WAIT.toMillis())).as("handshake done within %s", WAIT).isTrue();
      assertThat(ssl.handshakeFuture().cause()).as("handshake failure").isNull();
    }

    Throwable awaitHandshakeFailure() throws InterruptedException {
      assertThat(ssl.handshakeFuture().await(WAIT.toMillis())).as("handshake done within %s", WAIT).isTrue();
      assertThat(ssl.handshakeFuture().isSuccess()).as("handshake succeeded").isFalse();
      return ssl.handshakeFuture().cause();
    }

    void awaitClosed() throws InterruptedException {
      assertThat(channel.closeFuture().await(WAIT.toMillis())).as("closed within %s", WAIT).isTrue();
    }

    BigInteger serverSerial() {
      return TlsSupport.peerCertificate(ssl).orElseThrow().getSerialNumber();
    }

    String roundTrip(String text) throws InterruptedException {
      channel.writeAndFlush(Unpooled.copiedBuffer(text, UTF_8));
      StringBuilder echoed = new StringBuilder();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (echoed.length() < text.length()) {
        String part = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertThat(part).as("echo of %s within %s (got %s)", text, WAIT, echoed).isNotNull();
        echoed.append(part);
      }
      return echoed.toString();
    }
  }

  /**
   * Sends {@code bytes} on a plain socket and reads until the server closes; fails when it does not close in
   * time. Returns what the server sent.
   */
  private static byte[] sendRaw(int port, byte[] bytes) throws IOException {
    try (Socket socket = new Socket(LOOPBACK, port)) {
      socket.setSoTimeout((int) WAIT.toMillis());
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      try {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) != -1; ) {
          reply.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server did not close the connection within " + WAIT, e);
      } catch (SocketException e) {
        // Reset by the server: closed, as expected.
      }
      return reply.toByteArray();
    }
  }

  /** A ClientHello offering TLSv1.1 only (legacy version field 0x0302 and no supported_versions extension). */
  private static byte[] tls11ClientHello() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(3);
    body.write(2); // client_version TLSv1.1
    byte[] random = new byte[32];
    new Random(11).nextBytes(random);
    body.writeBytes(random);
    body.write(0); // no session id
    body.writeBytes(new byte[] {0, 6, (byte) 0xc0, 0x13, (byte) 0xc0, 0x09, 0x00, 0x2f}); // ECDHE/RSA AES-CBC
    body.writeBytes(new byte[] {1, 0}); // compression: null
    byte[] extensions = {
        0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, // supported_groups: secp256r1
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00 // ec_point_formats: uncompressed
    };
    body.write(0);
    body.write(extensions.length);
    body.writeBytes(extensions);
    byte[] hello = body.toByteArray();
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.writeBytes(new byte[] {22, 3, 1}); // handshake record, TLSv1.0 record layer as clients send
    int handshakeLength = 4 + hello.length;
    record.write(handshakeLength >>> 8);
    record.write(handshakeLength);
    record.write(1); // client_hello
    record.write(0);
    record.write(hello.length >>> 8);
    record.write(hello.length);
    record.writeBytes(hello);
    return record.toByteArray();
  }

}
