package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.RpcException;
import io.courier.testing.TestPki;
import java.nio.file.Path;
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

  private TestPki pki;

  private final ApplicationContextRunner servers = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
      .withUserConfiguration(CalculatorImpl.class);
  private final ApplicationContextRunner clients = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
      .withPropertyValues("courier.server.enabled=false",
          "courier.clients.calc.interfaces=io.courier.spring.Calculator",
          "courier.clients.calc.connect-timeout=5s", "courier.clients.calc.call-timeout=5s");

  @BeforeEach
  void makeCertificates() {
    pki = TestPki.create(dir);
  }

  private ApplicationContextRunner mutualTlsServer() {
    return servers.withPropertyValues("courier.server.host=127.0.0.1", "courier.server.port=0",
        "courier.server.tls.certificate-chain=" + pki.serverCertPem(),
        "courier.server.tls.private-key=" + pki.serverKeyPem(),
        "courier.server.tls.trusted-certificates=" + pki.caPem(), "courier.server.tls.client-auth=require",
        "courier.server.tls.allow-plaintext=false");
  }

  @Test
  void aClientWithItsCertificateCallsAServerThatRequiresOne() {
    mutualTlsServer().run(server -> {
      int port = server.getBean(CourierServer.class).port();
      clients.withPropertyValues("courier.clients.calc.target=tls://127.0.0.1:" + port,
          "courier.clients.calc.tls.trusted-certificates=" + pki.caPem(),
          "courier.clients.calc.tls.certificate-chain=" + pki.clientCertPem("checkout"),
          "courier.clients.calc.tls.private-key=" + pki.clientKeyPem("checkout"))
          .run(client -> assertThat(client.getBean(Calculator.class).add(40, 2)).isEqualTo(42));
    });
  }

  @Test
  void aClientWhoseCertificateTheServerDoesNotTrustIsRefused() {
    mutualTlsServer().run(server -> {
      int port = server.getBean(CourierServer.class).port();
      clients.withPropertyValues("courier.clients.calc.target=tls://127.0.0.1:" + port,
          "courier.clients.calc.tls.trusted-certificates=" + pki.caPem(),
          "courier.clients.calc.tls.certificate-chain=" + pki.untrustedClient().certPem(),
          "courier.clients.calc.tls.private-key=" + pki.untrustedClient().keyPem())
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
        "courier.server.tls.certificate-chain=" + pki.serverCertPem()).run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .hasMessageContaining("courier.server.tls.certificate-chain")
              .hasMessageContaining("courier.server.tls.private-key");
        });
  }
}
