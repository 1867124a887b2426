package io.courier.client;

import static java.util.Objects.requireNonNull;

import io.courier.TlsEngine;
import io.courier.peer.Checks;
import io.courier.transport.TlsSupport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client's TLS settings: which CAs it trusts, its own certificate for mutual TLS, and whether the server's
 * certificate must name the host connected to. Only TLSv1.3 and TLSv1.2 are offered.
 *
 * <pre>{@code
 * ClientTls tls = ClientTls.builder()
 *     .trustedCertificates(Path.of("/etc/courier/ca.pem"))                                   // a private CA
 *     .keyPair(Path.of("/etc/courier/alice.pem"), Path.of("/etc/courier/alice-key.pem"))     // mutual TLS
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; share one between clients.
 */
public final class ClientTls {

  private final Path trustedCertificates;
  private final Path certificateChain;
  private final Path privateKey;
  private final boolean hostnameVerification;
  private final TlsEngine engine;
  private final Duration handshakeTimeout;
  private final SslContext context;

  private ClientTls(Builder builder, SslContext context) {
    this.trustedCertificates = builder.trustedCertificates;
    this.certificateChain = builder.certificateChain;
    this.privateKey = builder.privateKey;
    this.hostnameVerification = builder.hostnameVerification;
    this.engine = builder.engine;
    this.handshakeTimeout = builder.handshakeTimeout;
    this.context = context;
  }

  /** Returns a builder whose defaults are those of {@link #system()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the defaults: the JDK's trusted CAs, no client certificate, hostname verification, the JDK engine and
   * a 10 second handshake timeout. The result is cached.
   */
  public static ClientTls system() {
    return SystemHolder.SYSTEM;
  }

  /** Returns whether the server's certificate must name the host connected to. */
  public boolean hostnameVerification() {
    return hostnameVerification;
  }

  /** Returns the TLS implementation. */
  public TlsEngine engine() {
    return engine;
  }

  /** Returns how long a handshake may take before the connection attempt fails. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * Returns a handler for one new connection to {@code host}: a DNS name is sent as SNI and, with hostname
   * verification, must match a DNS name in the server's certificate; an IP literal is not sent as SNI (TLS
   * forbids it) and must match an IP address in the certificate.
   */
  SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
    return TlsSupport.clientHandler(context, alloc, host, port, handshakeTimeout);
  }

  @Override
  public String toString() {
    return "ClientTls{trustedCertificates=" + (trustedCertificates != null ? trustedCertificates : "JDK default")
        + (certificateChain != null ? ", certificateChain=" + certificateChain + ", privateKey=" + privateKey : "")
        + ", hostnameVerification=" + hostnameVerification + ", engine=" + engine
        + ", handshakeTimeout=" + handshakeTimeout + "}";
  }

  /** Builds {@link #system()} on first use: loading the JDK's CA list takes time that most clients never need. */
  private static final class SystemHolder {
    static final ClientTls SYSTEM = new Builder().build();
  }

  /**
   * Collects the settings of a {@link ClientTls}. Not thread-safe: use one builder from one thread.
   */
  public static final class Builder {

    private Path trustedCertificates;
    private Path certificateChain;
    private Path privateKey;
    private boolean hostnameVerification = true;
    private TlsEngine engine = TlsEngine.JDK;
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets the PEM file of the CA certificates that sign server certificates; only these are trusted then.
     * Default: the JDK's trusted CAs ({@code cacerts}).
     */
    public Builder trustedCertificates(Path caPem) {
      this.trustedCertificates = requireNonNull(caPem, "caPem");
      return this;
    }

    /**
     * Sets the certificate chain (leaf first) and the unencrypted PKCS#8 key ({@code -----BEGIN PRIVATE KEY-----})
     * the client presents when a server asks, for mutual TLS. Default: none. The two paths may name the same file.
     */
    public Builder keyPair(Path certificateChainPem, Path privateKeyPem) {
      this.certificateChain = requireNonNull(certificateChainPem, "certificateChainPem");
      this.privateKey = requireNonNull(privateKeyPem, "privateKeyPem");
      return this;
    }

    /**
     * Sets whether the server's certificate must name the host connected to (RFC 2818, as HTTPS does). Default
     * true. Turning it off lets anyone with a certificate from a trusted CA impersonate the server: do it only
     * when the trusted CA issues certificates to nothing but this server.
     */
    public Builder hostnameVerification(boolean hostnameVerification) {
      this.hostnameVerification = hostnameVerification;
      return this;
    }

    /** Sets the TLS implementation. Default {@link TlsEngine#JDK}. */
    public Builder engine(TlsEngine engine) {
      this.engine = requireNonNull(engine, "engine");
      return this;
    }

    /**
     * Sets how long the handshake may take before the connection attempt fails. Default 10 seconds; must be
     * positive (millisecond precision).
     */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = Checks.positive(handshakeTimeout, "handshakeTimeout");
      return this;
    }

    /**
     * Loads the files and returns the settings.
     *
     * @throws IllegalStateException when {@link TlsEngine#OPENSSL} is asked for but not available
     * @throws IllegalArgumentException naming the file, when one is missing, unreadable or not usable PEM, or
     *     the key does not match the certificate
     */
    public ClientTls build() {
      TlsSupport.requireAvailable(engine);
      SslContext context = TlsSupport.clientContext(certificateChain, privateKey, trustedCertificates,
          hostnameVerification, engine);
      return new ClientTls(this, context);
    }
  }
}
