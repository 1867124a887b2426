package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.server.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Binding of {@code courier.*}, and the start-up failures a bad key or value gives. No socket is opened. */
class CourierPropertiesTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class));

  @Test
  void defaultsAreThoseDocumented() {
    runner.run(context -> {
      CourierProperties.Server server = context.getBean(CourierProperties.class).getServer();
      assertThat(server.isEnabled()).isTrue();
      assertThat(server.getHost()).isEqualTo("0.0.0.0");
      assertThat(server.getPort()).isEqualTo(7070);
      assertThat(server.getShutdownGrace()).isEqualTo(Duration.ofSeconds(10));
      assertThat(server.getWorkerThreads()).isNull();
      assertThat(server.isConsole()).isFalse();
      assertThat(server.isMetricsEndpoint()).isFalse();
      assertThat(server.getTls().getClientAuth()).isEqualTo(ServerTls.ClientAuth.NONE);
      assertThat(context.getBean(CourierProperties.class).getClients()).isEmpty();
    });
  }

  @Test
  void everyServerAndClientPropertyBinds() {
    runner.withPropertyValues(
        "courier.server.host=127.0.0.1", "courier.server.port=0", "courier.server.shutdown-grace=3s",
        "courier.server.io-threads=2", "courier.server.worker-threads=8", "courier.server.queue-capacity=50",
        "courier.server.max-message-bytes=1024", "courier.server.max-connections=10",
        "courier.server.max-connections-per-address=5", "courier.server.max-in-flight-per-connection=7",
        "courier.server.max-batch-items=9", "courier.server.idle-timeout=1m", "courier.server.development-mode=true",
        "courier.server.console=true", "courier.server.metrics-endpoint=true",
        "courier.server.cors-origins=https://a.example,https://b.example", "courier.server.allowed-hosts=calc.local",
        "courier.server.tls.certificate-chain=/etc/courier/server.crt",
        "courier.server.tls.private-key=/etc/courier/server.key",
        "courier.server.tls.trusted-certificates=/etc/courier/ca.pem", "courier.server.tls.client-auth=require",
        "courier.server.tls.allow-plaintext=false",
        "courier.clients.calc.target=tcp://127.0.0.1:7070", "courier.clients.calc.call-timeout=250ms",
        "courier.clients.calc.connect-timeout=2s", "courier.clients.calc.token=secret",
        "courier.clients.calc.allow-plaintext-token=true", "courier.clients.calc.max-attempts=2",
        "courier.clients.calc.max-message-bytes=2048", "courier.clients.calc.max-pending-calls=64",
        "courier.clients.calc.tls.trusted-certificates=/etc/courier/ca.pem",
        "courier.clients.calc.tls.certificate-chain=/etc/courier/client.crt",
        "courier.clients.calc.tls.private-key=/etc/courier/client.key",
        "courier.clients.calc.tls.hostname-verification=false")
        .run(context -> {
          assertThat(context).hasNotFailed();
          CourierProperties properties = context.getBean(CourierProperties.class);
          CourierProperties.Server server = properties.getServer();
          assertThat(server.getHost()).isEqualTo("127.0.0.1");
          assertThat(server.getPort()).isZero();
          assertThat(server.getShutdownGrace()).isEqualTo(Duration.ofSeconds(3));
          assertThat(server.getIoThreads()).isEqualTo(2);
          assertThat(server.getWorkerThreads()).isEqualTo(8);
          assertThat(server.getQueueCapacity()).isEqualTo(50);
          assertThat(server.getMaxMessageBytes()).isEqualTo(1024);
          assertThat(server.getMaxConnections()).isEqualTo(10);
          assertThat(server.getMaxConnectionsPerAddress()).isEqualTo(5);
          assertThat(server.getMaxInFlightPerConnection()).isEqualTo(7);
          assertThat(server.getMaxBatchItems()).isEqualTo(9);
          assertThat(server.getIdleTimeout()).isEqualTo(Duration.ofMinutes(1));
          assertThat(server.isDevelopmentMode()).isTrue();
          assertThat(server.isConsole()).isTrue();
          assertThat(server.isMetricsEndpoint()).isTrue();
          assertThat(server.getCorsOrigins()).containsExactly("https://a.example", "https://b.example");
          assertThat(server.getAllowedHosts()).containsExactly("calc.local");
          assertThat(server.getTls().getCertificateChain()).isEqualTo(Path.of("/etc/courier/server.crt"));
          assertThat(server.getTls().getPrivateKey()).isEqualTo(Path.of("/etc/courier/server.key"));
          assertThat(server.getTls().getTrustedCertificates()).isEqualTo(Path.of("/etc/courier/ca.pem"));
          assertThat(server.getTls().getClientAuth()).isEqualTo(ServerTls.ClientAuth.REQUIRE);
          assertThat(server.getTls().isAllowPlaintext()).isFalse();
          CourierProperties.Client calc = properties.getClients().get("calc");
          assertThat(calc.getTarget()).isEqualTo("tcp://127.0.0.1:7070");
          assertThat(calc.getCallTimeout()).isEqualTo(Duration.ofMillis(250));
          assertThat(calc.getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
          assertThat(calc.getToken()).isEqualTo("secret");
          assertThat(calc.isAllowPlaintextToken()).isTrue();
          assertThat(calc.getMaxAttempts()).isEqualTo(2);
          assertThat(calc.getMaxMessageBytes()).isEqualTo(2048);
          assertThat(calc.getMaxPendingCalls()).isEqualTo(64);
          assertThat(calc.getTls().getTrustedCertificates()).isEqualTo(Path.of("/etc/courier/ca.pem"));
          assertThat(calc.getTls().getCertificateChain()).isEqualTo(Path.of("/etc/courier/client.crt"));
          assertThat(calc.getTls().getPrivateKey()).isEqualTo(Path.of("/etc/courier/client.key"));
          assertThat(calc.getTls().isHostnameVerification()).isFalse();
        });
  }

  @Test
  void aValueOfTheWrongTypeFailsTheStartNamingTheProperty() {
    runner.withPropertyValues("courier.server.port=seventy").run(context ->
        assertThat(messages(context.getStartupFailure())).contains("courier.server.port").contains("seventy"));
  }

  @Test
  void aWrongTypeInAClientFailsTheStartNamingTheProperty() {
    runner.withPropertyValues("courier.clients.calc.target=tcp://127.0.0.1:1", "courier.clients.calc.call-timeout=soon")
        .run(context -> assertThat(messages(context.getStartupFailure()))
            .contains("courier.clients.calc.call-timeout"));
  }

  @Test
  void anUnknownServerKeyFailsTheStartNamingIt() {
    runner.withPropertyValues("courier.server.max-conections=10").run(context ->
        assertThat(messages(context.getStartupFailure())).contains("courier.server.max-conections"));
  }

  @Test
  void anUnknownClientKeyFailsTheStartNamingIt() {
    runner.withPropertyValues("courier.clients.calc.target=tcp://127.0.0.1:1", "courier.clients.calc.timeout=2s")
        .run(context -> assertThat(messages(context.getStartupFailure())).contains("courier.clients.calc.timeout"));
  }

  @Test
  void anUnknownTlsKeyFailsTheStartNamingIt() {
    runner.withPropertyValues("courier.server.tls.key=/tmp/k.pem").run(context ->
        assertThat(messages(context.getStartupFailure())).contains("courier.server.tls.key"));
  }

  @Test
  void anUnknownTopLevelKeyFailsTheStartNamingIt() {
    runner.withPropertyValues("courier.client.calc.target=tcp://127.0.0.1:1").run(context ->
        assertThat(messages(context.getStartupFailure())).contains("courier.client.calc.target"));
  }

  /** Every message in the cause chain, where Spring puts the property's name at one level or another. */
  static String messages(Throwable failure) {
    assertThat(failure).as("the context's start-up failure").isNotNull();
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t).append('\n');
    }
    return all.toString();
  }
}
