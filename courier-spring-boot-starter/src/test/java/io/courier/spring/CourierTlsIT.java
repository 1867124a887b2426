package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.RpcException;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The TLS properties of the server and of a client, with certificates made for the test: mutual TLS between two
 * applications, a client the server does not know, and half a key pair.
 */
class CourierTlsIT {

  @TempDir
  Path dir;

  private final AtomicLong serials = new AtomicLong(1);
  private Path ca;
  private Path serverCert;
  private Path serverKey;
  private Path clientCert;
  private Path clientKey;
  private Path strangerCert;
  private Path strangerKey;

  private final ApplicationContextRunner servers = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
      .withUserConfiguration(CalculatorImpl.class);
  private final ApplicationContextRunner clients = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
      .withPropertyValues("courier.server.enabled=false",
          "courier.clients.calc.interfaces=io.courier.spring.Calculator",
          "courier.clients.calc.connect-timeout=5s", "courier.clients.calc.call-timeout=5s");

  @BeforeEach
  void makeCertificates() throws Exception {
    X509Bundle authority = certificate("CN=Starter Test CA").setIsCertificateAuthority(true)
        .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign).buildSelfSigned();
    X509Bundle otherAuthority = certificate("CN=Nobody's CA").setIsCertificateAuthority(true)
        .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign).buildSelfSigned();
    ca = write("ca.pem", authority.getCertificatePEM());
    X509Bundle server = leaf("CN=localhost").addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth()
        .buildIssuedBy(authority);
    serverCert = write("server.pem", server.getCertificatePEM());
    serverKey = write("server-key.pem", server.getPrivateKeyPEM());
    X509Bundle client = leaf("CN=checkout").addExtendedKeyUsageClientAuth().buildIssuedBy(authority);
    clientCert = write("client.pem", client.getCertificatePEM());
    clientKey = write("client-key.pem", client.getPrivateKeyPEM());
    X509Bundle stranger = leaf("CN=mallory").addExtendedKeyUsageClientAuth().buildIssuedBy(otherAuthority);
    strangerCert = write("stranger.pem", stranger.getCertificatePEM());
    strangerKey = write("stranger-key.pem", stranger.getPrivateKeyPEM());
  }

  private ApplicationContextRunner mutualTlsServer() {
    return servers.withPropertyValues("courier.server.host=127.0.0.1", "courier.server.port=0",
        "courier.server.tls.certificate-chain=" + serverCert, "courier.server.tls.private-key=" + serverKey,
        "courier.server.tls.trusted-certificates=" + ca, "courier.server.tls.client-auth=require",
        "courier.server.tls.allow-plaintext=false");
  }

  @Test
  void aClientWithItsCertificateCallsAServerThatRequiresOne() {
    mutualTlsServer().run(server -> {
      int port = server.getBean(CourierServer.class).port();
      clients.withPropertyValues("courier.clients.calc.target=tls://127.0.0.1:" + port,
          "courier.clients.calc.tls.trusted-certificates=" + ca,
          "courier.clients.calc.tls.certificate-chain=" + clientCert,
          "courier.clients.calc.tls.private-key=" + clientKey)
          .run(client -> assertThat(client.getBean(Calculator.class).add(40, 2)).isEqualTo(42));
    });
  }

  @Test
  void aClientWhoseCertificateTheServerDoesNotTrustIsRefused() {
    mutualTlsServer().run(server -> {
      int port = server.getBean(CourierServer.class).port();
      clients.withPropertyValues("courier.clients.calc.target=tls://127.0.0.1:" + port,
          "courier.clients.calc.tls.trusted-certificates=" + ca,
          "courier.clients.calc.tls.certificate-chain=" + strangerCert,
          "courier.clients.calc.tls.private-key=" + strangerKey)
          .run(client -> assertThatThrownBy(() -> client.getBean(Calculator.class).add(1, 2))
              .isInstanceOf(RpcException.class));
    });
  }

  @Test
  void aServerThatAllowsNoPlaintextRefusesAPlainClient() {
    mutualTlsServer().run(server -> {
      int port = server.getBean(CourierServer.class).port();
      clients.withPropertyValues("courier.clients.calc.target=tcp://127.0.0.1:" + port)
          .run(client -> assertThatThrownBy(() -> client.getBean(Calculator.class).add(1, 2))
              .isInstanceOf(RpcException.class));
    });
  }

  @Test
  void aCertificateWithoutItsKeyStopsTheStartNamingBothProperties() {
    servers.withPropertyValues("courier.server.host=127.0.0.1", "courier.server.port=0",
        "courier.server.tls.certificate-chain=" + serverCert).run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .hasMessageContaining("courier.server.tls.certificate-chain")
              .hasMessageContaining("courier.server.tls.private-key");
        });
  }

  private CertificateBuilder certificate(String subject) {
    Instant now = Instant.now();
    return new CertificateBuilder().ecp256().subject(subject).serial(BigInteger.valueOf(serials.getAndIncrement()))
        .notBefore(now.minus(1, ChronoUnit.HOURS)).notAfter(now.plus(1, ChronoUnit.DAYS));
  }

  private CertificateBuilder leaf(String subject) {
    return certificate(subject).setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature);
  }

  private Path write(String name, String pem) throws Exception {
    return Files.writeString(dir.resolve(name), pem, StandardCharsets.US_ASCII);
  }
}
