package io.courier.server;

import static java.util.Objects.requireNonNull;

import io.courier.TlsEngine;
import io.courier.peer.Checks;
import io.courier.transport.TlsSupport.ReloadingContext;
import io.courier.transport.TlsSupport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A server's TLS settings: its certificate and key as PEM files, whether clients must present certificates
 * (mutual TLS), and the engine. The files are loaded by {@link Builder#build()} and checked again every
 * {@linkplain Builder#reloadInterval(Duration) reload interval} while a server uses them, so a renewed
 * certificate is picked up without a restart. Only TLSv1.3 and TLSv1.2 are accepted.
 *
 * <pre>{@code
 * ServerTls tls = ServerTls.builder(Path.of("/etc/courier/server.pem"), Path.of("/etc/courier/server-key.pem"))
 *     .clientAuth(ServerTls.ClientAuth.REQUIRE)                     // mutual TLS
 *     .trustedCertificates(Path.of("/etc/courier/clients-ca.pem"))  // the CA that signs client certificates
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable in their settings and thread-safe; one may be shared by several servers.
 */
public final class ServerTls {

  /** Whether the server asks clients for a certificate during the handshake. Immutable and thread-safe. */
  public enum ClientAuth {
    /** Clients are not asked for a certificate. The default. */
    NONE,
    /** Clients are asked; one without a certificate is accepted, one with an untrusted certificate is not. */
    OPTIONAL,
    /** Clients must present a certificate signed by a trusted CA, or the handshake fails. */
    REQUIRE
  }

  private final Path certificateChain;
  private final Path privateKey;
  private final Optional<Path> trustedCertificates;
  private final ClientAuth clientAuth;
  private final TlsEngine engine;
  private final Duration handshakeTimeout;
  private final Duration reloadInterval;
  private final ReloadingContext context;

  private ServerTls(Builder builder, ReloadingContext context) {
    this.certificateChain = builder.certificateChain;
    this.privateKey = builder.privateKey;
    this.trustedCertificates = Optional.ofNullable(builder.trustedCertificates);
    this.clientAuth = builder.clientAuth;
    this.engine = builder.engine;
    this.handshakeTimeout = builder.handshakeTimeout;
    this.reloadInterval = builder.reloadInterval;
    this.context = context;
  }

  /**
   * Returns a builder for a server that presents the certificate chain in {@code certificateChainPem} (leaf
   * first, then intermediates) with the unencrypted PKCS#8 key ({@code -----BEGIN PRIVATE KEY-----}) in
   * {@code privateKeyPem}. The two paths may name the same file.
   */
  public static Builder builder(Path certificateChainPem, Path privateKeyPem) {
    return new Builder(certificateChainPem, privateKeyPem);
  }

  /** Returns whether clients are asked for certificates. */
  public ClientAuth clientAuth() {
    return clientAuth;
  }

  /** Returns the TLS implementation. */
  public TlsEngine engine() {
    return engine;
  }

  /** Returns how long a handshake may take before the connection is closed. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** Returns how often the files are checked for changes; zero means never. */
  public Duration reloadInterval() {
    return reloadInterval;
  }

  /** Returns a handler for one new connection, using the most recently loaded certificate. */
  SslHandler newHandler(ByteBufAllocator alloc) {
    return TlsSupport.serverHandler(context.context(), alloc, handshakeTimeout);
  }

  /**
   * Starts checking the files every {@link #reloadInterval()}, on a thread of its own rather than an event
   * loop (a check reads the files). Counted: a server calls it once on start and {@link #stopReloading()} once
   * on stop, and a shared instance keeps checking while any server still runs.
   */
  void startReloading() {
    context.start();
  }

  /** Undoes one {@link #startReloading}. */
  void stopReloading() {
    context.stop();
  }

  /** Checks the files once, now; returns whether a new certificate was loaded. For tests and operators' hooks. */
  boolean reloadIfChanged() {
    return context.reloadIfChanged();
  }

  @Override
  public String toString() {
    return "ServerTls{certificateChain=" + certificateChain + ", privateKey=" + privateKey
        + trustedCertificates.map(p -> ", trustedCertificates=" + p).orElse("") + ", clientAuth=" + clientAuth
        + ", engine=" + engine + ", handshakeTimeout=" + handshakeTimeout + ", reloadInterval=" + reloadInterval
        + "}";
  }

  /**
   * Collects the settings of a {@link ServerTls}. Not thread-safe: use one builder from one thread.
   */
  public static final class Builder {

    private final Path certificateChain;
    private final Path privateKey;
    private Path trustedCertificates;
    private ClientAuth clientAuth = ClientAuth.NONE;
    private TlsEngine engine = TlsEngine.JDK;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration reloadInterval = Duration.ofSeconds(30);

    private Builder(Path certificateChain, Path privateKey) {
      this.certificateChain = requireNonNull(certificateChain, "certificateChainPem");
      this.privateKey = requireNonNull(privateKey, "privateKeyPem");
    }

    /**
     * Sets whether clients are asked for a certificate. Default {@link ClientAuth#NONE}; anything else needs
     * {@link #trustedCertificates(Path)}.
     */
    public Builder clientAuth(ClientAuth clientAuth) {
      this.clientAuth = requireNonNull(clientAuth, "clientAuth");
      return this;
    }

    /**
     * Sets the PEM file of the CA certificates that sign client certificates. Required when
     * {@link #clientAuth(ClientAuth)} is not {@code NONE}, and refused when it is (it would have no effect, which
     * hides a forgotten {@code clientAuth}). No default. Reloaded with the server's certificate.
     */
    public Builder trustedCertificates(Path caPem) {
      this.trustedCertificates = requireNonNull(caPem, "caPem");
      return this;
    }

    /** Sets the TLS implementation. Default {@link TlsEngine#JDK}. */
    public Builder engine(TlsEngine engine) {
      this.engine = requireNonNull(engine, "engine");
      return this;
    }

    /**
     * Sets how long a client has to complete the handshake before the connection is closed; this bounds what a
     * client that connects and stalls can hold. Default 10 seconds; must be positive (millisecond precision).
     */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = Checks.positive(handshakeTimeout, "handshakeTimeout");
      return this;
    }

    /**
     * Sets how often a running server checks the files for changes (by content, so a replacement by rename is
     * seen). New connections use a changed certificate once it loads; open connections keep theirs. Default 30
     * seconds; {@link Duration#ZERO} never checks; otherwise must be positive (millisecond precision).
     */
    public Builder reloadInterval(Duration reloadInterval) {
      requireNonNull(reloadInterval, "reloadInterval");
      if (reloadInterval.isNegative()) {
        throw new IllegalArgumentException("reloadInterval: " + reloadInterval + " (expected: >= 0)");
      }
      this.reloadInterval = reloadInterval;
      return this;
    }

    /**
     * Loads the files and returns the settings.
     *
     * @throws IllegalStateException when the settings contradict each other, or {@link TlsEngine#OPENSSL} is
     *     asked for but not available
     * @throws IllegalArgumentException naming the file, when one is missing, unreadable or not usable PEM, or
     *     the key does not match the certificate
     */
    public ServerTls build() {
      if (clientAuth != ClientAuth.NONE && trustedCertificates == null) {
        throw new IllegalStateException("clientAuth " + clientAuth + " needs trustedCertificates "
            + "(expected: the PEM file of the CA that signs client certificates)");
      }
      if (clientAuth == ClientAuth.NONE && trustedCertificates != null) {
        throw new IllegalStateException("trustedCertificates " + trustedCertificates + " is set but clientAuth is "
            + "NONE (expected: clientAuth OPTIONAL or REQUIRE)");
      }
      TlsSupport.requireAvailable(engine);
      ReloadingContext context = TlsSupport.serverContext(certificateChain, privateKey, trustedCertificates,
          io.netty.handler.ssl.ClientAuth.valueOf(clientAuth.name()), engine, reloadInterval);
      return new ServerTls(this, context);
    }
  }
}
