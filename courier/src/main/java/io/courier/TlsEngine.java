package io.courier;

import io.netty.handler.ssl.OpenSsl;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS implementation a client or server encrypts with. Both speak the same protocols (TLSv1.3 and
 * TLSv1.2) and read the same PEM files; they differ in speed and in what has to be on the class path.
 *
 * <p>This enum is immutable and thread-safe.
 */
public enum TlsEngine {

  /** Java's own TLS (JSSE). Always available and needs no native code; the default. */
  JDK,

  /**
   * BoringSSL, Google's fork of OpenSSL, through Netty's {@code netty-tcnative}: faster handshakes and bulk
   * encryption than {@link #JDK}. It needs {@code io.netty:netty-tcnative-boringssl-static} with the classifier
   * of the platform (for example {@code linux-x86_64}) on the class path; see {@link #isAvailable()}.
   */
  OPENSSL;

  /**
   * Returns whether this engine can be used in this JVM. {@link #JDK} always can; {@link #OPENSSL} can when
   * netty-tcnative is on the class path and its native library loads for this platform.
   */
  public boolean isAvailable() {
    return this == JDK || OpenSslProbe.CAUSE == null;
  }

  /** Returns why this engine cannot be used, or empty when {@link #isAvailable()} is true. */
  public Optional<Throwable> unavailabilityCause() {
    return this == JDK ? Optional.empty() : Optional.ofNullable(OpenSslProbe.CAUSE);
  }

  /**
   * Loads netty-tcnative on first use only, so that users of the JDK engine never pay for, or see errors from,
   * native library loading.
   */
  private static final class OpenSslProbe {

    private static final Logger log = LoggerFactory.getLogger(TlsEngine.class);

    /** Null when OpenSSL is available. */
    static final Throwable CAUSE = probe();

    private static Throwable probe() {
      try {
        if (OpenSsl.isAvailable()) {
          log.debug("TLS engine OPENSSL available: {}", OpenSsl.versionString());
          return null;
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        log.debug("TLS engine OPENSSL unavailable: {}", String.valueOf(cause));
        return cause != null ? cause : new UnsupportedOperationException("OpenSSL is not available");
      } catch (LinkageError e) {
        // OpenSsl's own guard covers a missing tcnative jar today; this covers a partial or mismatched one
        // (classes present, natives for another platform or version) without failing class initialisation.
        log.debug("TLS engine OPENSSL unavailable: {}", e.toString());
        return e;
      }
    }
  }
}
