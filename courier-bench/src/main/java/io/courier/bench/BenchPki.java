package io.courier.bench;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The TLS targets' certificates: a CA and a server certificate for {@code localhost} and {@code 127.0.0.1}
 * (EC P-256), made by the launcher once per run and written as PEM files into a directory whose path is handed
 * to the server JVMs ({@link #serverCertPem}, {@link #serverKeyPem}) and the load clients ({@link #caPem}) as
 * {@code --tls DIR}.
 */
final class BenchPki {

  private BenchPki() {}

  /** Makes a new temporary directory holding the CA's certificate and the server's certificate and key. */
  static Path create() throws Exception {
    Path dir = Files.createTempDirectory("courier-bench-pki");
    Instant now = Instant.now();
    X509Bundle ca = new CertificateBuilder()
        .ecp256()
        .subject("CN=Courier Bench CA")
        .notBefore(now.minus(1, ChronoUnit.HOURS))
        .notAfter(now.plus(2, ChronoUnit.DAYS))
        .setIsCertificateAuthority(true)
        .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign, CertificateBuilder.KeyUsage.cRLSign)
        .buildSelfSigned();
    X509Bundle server = new CertificateBuilder()
        .ecp256()
        .subject("CN=localhost")
        .addSanDnsName("localhost")
        .addSanIpAddress("127.0.0.1")
        .addExtendedKeyUsageServerAuth()
        .notBefore(now.minus(1, ChronoUnit.HOURS))
        .notAfter(now.plus(2, ChronoUnit.DAYS))
        .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
        .buildIssuedBy(ca);
    Files.writeString(caPem(dir), ca.getCertificatePEM(), StandardCharsets.US_ASCII);
    Files.writeString(serverCertPem(dir), server.getCertificatePEM(), StandardCharsets.US_ASCII);
    Files.writeString(serverKeyPem(dir), server.getPrivateKeyPEM(), StandardCharsets.US_ASCII);
    return dir;
  }

  static Path caPem(Path dir) {
    return dir.resolve("ca.pem");
  }

  static Path serverCertPem(Path dir) {
    return dir.resolve("server.pem");
  }

  static Path serverKeyPem(Path dir) {
    return dir.resolve("server-key.pem");
  }

  /** Deletes the directory made by {@link #create}, quietly. */
  static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind
    }
  }
}
