package io.courier.spring;

import static io.courier.spring.CourierServer.ifSet;

import io.courier.client.ClientTls;
import io.courier.client.RpcClient;
import io.courier.client.RpcClientBuilder;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The clients declared by {@code courier.clients.NAME.*}, each built when the first bean that needs it is created
 * and shared by every proxy of its name, all closed when the context's beans are destroyed, after the server has
 * stopped: calls a stopping server's methods make still have their clients. Thread-safe.
 */
final class CourierClients implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(CourierClients.class);

  private final Map<String, CourierProperties.Client> properties;
  private final ObjectProvider<CourierClientCustomizer> customizers;
  /**
   * Guarded by {@code this}, as is {@code closed}: a client is built at most once per name, and never after
   * {@link #destroy} has closed the others (it would be left open). Built on first use only, so the lock is not
   * on any call's path.
   */
  private final Map<String, RpcClient> clients = new HashMap<>();
  private boolean closed;

  CourierClients(Map<String, CourierProperties.Client> properties,
      ObjectProvider<CourierClientCustomizer> customizers) {
    this.properties = properties;
    this.customizers = customizers;
  }

  /** Returns a proxy of {@code type} calling through the client {@code name}. */
  <T> T proxy(String name, Class<T> type) {
    RpcClient client = client(name, type.getName());
    return type == RpcClient.class ? type.cast(client) : client.create(type);
  }

  /** Returns the client {@code name}, built on first use; {@code forWhat} says what needs it, for messages. */
  synchronized RpcClient client(String name, String forWhat) {
    if (closed) {
      throw new IllegalStateException("Courier clients are closed: the application context is closing");
    }
    return clients.computeIfAbsent(name, n -> build(n, forWhat));
  }

  private RpcClient build(String name, String forWhat) {
    String prefix = "courier.clients." + name + ".";
    CourierProperties.Client p = properties.get(name);
    if (p == null || p.getTarget() == null || p.getTarget().isBlank()) {
      throw new IllegalStateException(prefix + "target is not set: it names the servers that " + forWhat
          + " injected with @CourierClient(\"" + name + "\") calls");
    }
    RpcClientBuilder builder = RpcClient.builder();
    try {
      builder.target(p.getTarget());
      ifSet(p.getCallTimeout(), builder::callTimeout);
      ifSet(p.getConnectTimeout(), builder::connectTimeout);
      ifSet(p.getMaxAttempts(), builder::maxAttempts);
      ifSet(p.getMaxMessageBytes(), builder::maxMessageBytes);
      ifSet(p.getMaxPendingCalls(), builder::maxPendingCalls);
      ifSet(p.getToken(), builder::bearerToken);
      builder.allowPlaintextToken(p.isAllowPlaintextToken());
      builder.tls(tls(prefix, p.getTls()));
    } catch (IllegalArgumentException e) {
      throw invalid(name, e);
    }
    customizers.orderedStream().forEach(customizer -> customizer.customize(name, builder));
    RpcClient client;
    try {
      client = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // What build() refuses (a token without TLS, a registry out of reach) comes from the properties too.
      throw invalid(name, e);
    }
    log.debug("Courier client {} built for {}", name, p.getTarget());
    return client;
  }

  private static IllegalStateException invalid(String name, RuntimeException e) {
    return new IllegalStateException("Invalid courier.clients." + name + ".*: " + e.getMessage(), e);
  }

  private static ClientTls tls(String prefix, CourierProperties.ClientTlsProperties p) {
    if (p.getTrustedCertificates() == null && p.getCertificateChain() == null && p.getPrivateKey() == null
        && p.isHostnameVerification()) {
      return ClientTls.system();
    }
    if ((p.getCertificateChain() == null) != (p.getPrivateKey() == null)) {
      throw new IllegalArgumentException(prefix + "tls.certificate-chain and " + prefix + "tls.private-key go "
          + "together: only one of them is set");
    }
    ClientTls.Builder builder = ClientTls.builder().hostnameVerification(p.isHostnameVerification());
    if (p.getTrustedCertificates() != null) {
      builder.trustedCertificates(p.getTrustedCertificates());
    }
    if (p.getCertificateChain() != null && p.getPrivateKey() != null) {
      builder.keyPair(p.getCertificateChain(), p.getPrivateKey());
    }
    return builder.build();
  }

  /** Closes every client: their pending calls fail at once with a "client closed" error. */
  @Override
  public synchronized void destroy() {
    closed = true;
    clients.forEach((name, client) -> {
      try {
        client.close();
      } catch (RuntimeException e) {
        log.warn("Closing Courier client {} failed", name, e);
      }
    });
    clients.clear();
  }
}
