package io.courier.testing;

import static java.util.Objects.requireNonNull;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway public key infrastructure for TLS tests, made at test time and written as PEM files into one
 * directory: a trusted CA with a server certificate for {@code localhost} and {@code 127.0.0.1}, client
 * certificates by common name, a second CA that nothing trusts, and a server certificate for the wrong host.
 *
 * <pre>{@code
 * TestPki pki = TestPki.create(tempDir);
 * ServerTls tls = ServerTls.builder(pki.serverCertPem(), pki.serverKeyPem()).build();
 * }</pre>
 *
 * <p>Keys are EC P-256, which both TLS engines accept and which is generated in milliseconds; private keys are
 * unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}). Thread-safe.
 */
public final class TestPki {

  private final Path dir;
  private final X509Bundle ca;
  private final X509Bundle otherCa;
  private final Issued server;
  private final Issued untrustedClient;
  private final Issued wrongHost;
  private final Map<String, Issued> clients = new ConcurrentHashMap<>();
  private final AtomicLong serials = new AtomicLong(1000);

  /** A certificate and its key as written to disk. */
  public record Issued(Path certPem, Path keyPem, X509Certificate certificate) {
    public BigInteger serial() {
      return certificate.getSerialNumber();
    }
  }

  private TestPki(Path dir) throws Exception {
    this.dir = dir;
    this.ca = authority("CN=Courier Test CA");
    this.otherCa = authority("CN=Courier Untrusted CA");
    write("ca.pem", ca.getCertificatePEM());
    write("other-ca.pem", otherCa.getCertificatePEM());
    this.server = issue("server", leaf("CN=localhost").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
        .addExtendedKeyUsageServerAuth(), ca);
    this.untrustedClient = issue("untrusted-client", leaf("CN=mallory").addExtendedKeyUsageClientAuth(), otherCa);
    this.wrongHost = issue("wrong-host", leaf("CN=other.example").addSanDnsName("other.example")
        .addExtendedKeyUsageServerAuth(), ca);
  }

  /** Creates the CAs and certificates and writes them into {@code dir}, which must exist. */
  public static TestPki create(Path dir) {
    requireNonNull(dir, "dir");
    try {
      return new TestPki(dir);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create the test PKI in " + dir, e);
    }
  }

  /** The trusted CA's certificate. */
  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  /** The server's certificate, for {@code localhost} and {@code 127.0.0.1}, signed by the trusted CA. */
  public Path serverCertPem() {
    return server.certPem;
  }

  public Path serverKeyPem() {
    return server.keyPem;
  }

  /** The server certificate as issued at creation. */
  public Issued server() {
    return server;
  }

  /** A client certificate with common name {@code cn}, signed by the trusted CA; issued on first use. */
  public Path clientCertPem(String cn) {
    return client(cn).certPem;
  }

  public Path clientKeyPem(String cn) {
    return client(cn).keyPem;
  }

  /** The client certificate with common name {@code cn}, issued on first use. */
  public Issued client(String cn) {
    return clients.computeIfAbsent(cn, name -> unchecked(() -> issue("client-" + name,
        leaf("CN=" + name).addExtendedKeyUsageClientAuth(), ca)));
  }

  /** The certificate of a CA that nothing trusts. */
  public Path otherCaPem() {
    return dir.resolve("other-ca.pem");
  }

  /** A client certificate ({@code CN=mallory}) signed by the untrusted CA. */
  public Issued untrustedClient() {
    return untrustedClient;
  }

  /** A server certificate for {@code other.example} only, signed by the trusted CA. */
  public Path wrongHostCertPem() {
    return wrongHost.certPem;
  }

  public Path wrongHostKeyPem() {
    return wrongHost.keyPem;
  }

  /**
   * Issues a new server certificate for the same names, with a new key and serial, into new files (for reload
   * tests, which then move them over the served ones).
   */
  public Issued issueServerCert() {
    return unchecked(() -> issue("server-" + serials.incrementAndGet(), leaf("CN=localhost").addSanDnsName("localhost")
        .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth(), ca));
  }

  private CertificateBuilder leaf(String subject) {
    return certificate(subject).setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature);
  }

  /** A fresh EC key, a new serial, and a day's validity. */
  private CertificateBuilder certificate(String subject) {
    Instant now = Instant.now();
    return new CertificateBuilder()
        .ecp256()
        .subject(subject)
        .serial(BigInteger.valueOf(serials.incrementAndGet()))
        // An hour back tolerates clock differences between the certificate's maker and checker.
        .notBefore(now.minus(1, ChronoUnit.HOURS))
        .notAfter(now.plus(1, ChronoUnit.DAYS));
  }

  private X509Bundle authority(String subject) throws Exception {
    return certificate(subject)
        .setIsCertificateAuthority(true)
        .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign, CertificateBuilder.KeyUsage.cRLSign)
        .buildSelfSigned();
  }

  private Issued issue(String name, CertificateBuilder builder, X509Bundle issuer) throws Exception {
    X509Bundle bundle = builder.buildIssuedBy(issuer);
    Path cert = write(name + ".pem", bundle.getCertificatePEM());
    Path key = write(name + "-key.pem", bundle.getPrivateKeyPEM());
    return new Issued(cert, key, bundle.getCertificate());
  }

  private Path write(String name, String pem) {
    Path file = dir.resolve(name);
    try {
      Files.writeString(file, pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private interface Step<T> {
    T run() throws Exception;
  }

  private static <T> T unchecked(Step<T> step) {
    try {
      return step.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
