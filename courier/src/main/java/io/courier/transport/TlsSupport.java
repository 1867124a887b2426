package io.courier.transport;

import static java.util.Objects.requireNonNull;

import io.courier.Internal;
import io.courier.TlsEngine;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS code that {@code ServerTls} and {@code ClientTls} share: reading PEM files with errors that name the
 * file, building Netty {@link SslContext}s on either {@link TlsEngine}, making handlers, reading the peer's
 * certificate, and the {@link ReloadingContext} that picks up renewed certificates.
 *
 * <p>All methods are static and thread-safe; {@link ReloadingContext} documents its own thread-safety.
 */
@Internal
public final class TlsSupport {

  private static final Logger log = LoggerFactory.getLogger(TlsSupport.class);

  /** TLSv1.3, and TLSv1.2 for peers without it; older versions have known weaknesses and are refused. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /**
   * Larger than any certificate chain or key; a bigger file is the wrong path, and refusing it early keeps that
   * mistake from filling the heap.
   */
  private static final int MAX_PEM_BYTES = 1024 * 1024;

  private static final String CHAIN = "TLS certificate chain";
  private static final String KEY = "TLS private key";
  private static final String TRUSTED = "TLS trusted certificates";

  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([\\s\\S]*?)-----END \\1-----");

  /** The key types a PKCS#8 file can hold, most common first; the file itself does not name a Java type. */
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA");

  private TlsSupport() {}

  /** Throws {@link IllegalStateException} with the reason when {@code engine} cannot be used in this JVM. */
  public static void requireAvailable(TlsEngine engine) {
    requireNonNull(engine, "engine");
    Optional<Throwable> cause = engine.unavailabilityCause();
    if (cause.isPresent()) {
      throw new IllegalStateException("TLS engine " + engine + " is not available (expected: "
          + "io.netty:netty-tcnative-boringssl-static for this platform on the class path): " + cause.get(),
          cause.get());
    }
  }

  /**
   * Loads the server's files now and returns a context that can reload them.
   *
   * @param trustedCertificates the CAs that sign client certificates, or null for none
   * @param reloadInterval how often {@link ReloadingContext#start} checks the files; zero for never
   * @throws IllegalArgumentException naming the file when one cannot be read or used
   */
  public static ReloadingContext serverContext(Path certificateChain, Path privateKey, Path trustedCertificates,
      ClientAuth clientAuth, TlsEngine engine, Duration reloadInterval) {
    requireNonNull(certificateChain, "certificateChain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(clientAuth, "clientAuth");
    requireNonNull(engine, "engine");
    requireNonNull(reloadInterval, "reloadInterval");
    List<Path> files = new ArrayList<>(List.of(certificateChain, privateKey));
    if (trustedCertificates != null) {
      files.add(trustedCertificates);
    }
    return new ReloadingContext(files, certificateChain, reloadInterval, pem -> {
      X509Certificate[] chain = pem.certificates(certificateChain, CHAIN);
      PrivateKey key = pem.privateKey(privateKey);
      requireMatchingKey(key, chain[0], privateKey, certificateChain);
      SslContextBuilder builder = SslContextBuilder.forServer(key, chain).clientAuth(clientAuth);
      if (trustedCertificates != null) {
        builder.trustManager(pem.certificates(trustedCertificates, TRUSTED));
      }
      return build(builder, engine, files);
    });
  }

  /**
   * Loads the client's files now and returns its context.
   *
   * @param certificateChain the client's own certificate for mutual TLS, or null for none
   * @param privateKey the key of {@code certificateChain}; null exactly when it is null
   * @param trustedCertificates the CAs that sign server certificates, or null for the JDK's default trust
   * @param verifyHostname whether the server's certificate must name the host connected to
   * @throws IllegalArgumentException naming the file when one cannot be read or used
   */
  public static SslContext clientContext(Path certificateChain, Path privateKey, Path trustedCertificates,
      boolean verifyHostname, TlsEngine engine) {
    requireNonNull(engine, "engine");
    if ((certificateChain == null) != (privateKey == null)) {
      throw new IllegalArgumentException("certificateChain and privateKey: " + certificateChain + ", "
          + privateKey + " (expected: both or neither)");
    }
    List<Path> files = new ArrayList<>();
    for (Path file : Arrays.asList(certificateChain, privateKey, trustedCertificates)) {
      if (file != null) {
        files.add(file);
      }
    }
    Pem pem = Pem.read(files);
    // "HTTPS" is RFC 2818's check: the certificate's DNS or IP subject alternative names must match the host.
    SslContextBuilder builder =
        SslContextBuilder.forClient().endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
    if (certificateChain != null) {
      X509Certificate[] chain = pem.certificates(certificateChain, CHAIN);
      PrivateKey key = pem.privateKey(privateKey);
      requireMatchingKey(key, chain[0], privateKey, certificateChain);
      builder.keyManager(key, chain);
    }
    if (trustedCertificates != null) {
      builder.trustManager(pem.certificates(trustedCertificates, TRUSTED));
    }
    return build(builder, engine, files);
  }

  /** Returns a server-side handler of {@code context} that fails the handshake after {@code handshakeTimeout}. */
  public static SslHandler serverHandler(SslContext context, ByteBufAllocator alloc, Duration handshakeTimeout) {
    SslHandler handler = context.newHandler(alloc);
    handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
    return handler;
  }

  /**
   * Returns a client-side handler of {@code context} for {@code host}, which is sent as SNI when it is a DNS
   * name (never for an IP literal) and checked against the server's certificate when the context verifies
   * hostnames (DNS names against DNS SANs, IP literals against IP SANs).
   */
  public static SslHandler clientHandler(SslContext context, ByteBufAllocator alloc, String host, int port,
      Duration handshakeTimeout) {
    requireNonNull(host, "host");
    SslHandler handler = context.newHandler(alloc, host, port);
    handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
    return handler;
  }

  /**
   * Returns the certificate the peer presented in the handshake of {@code handler}: the client's certificate on
   * a server with client authentication, the server's on a client. Empty before the handshake has completed and
   * when the peer sent none.
   */
  public static Optional<X509Certificate> peerCertificate(SslHandler handler) {
    try {
      Certificate[] chain = handler.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate) {
        return Optional.of((X509Certificate) chain[0]);
      }
      return Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private static SslContext build(SslContextBuilder builder, TlsEngine engine, List<Path> files) {
    requireAvailable(engine);
    builder.sslProvider(engine == TlsEngine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK).protocols(PROTOCOLS);
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException("Cannot build a " + engine + " TLS context from " + files + ": " + e, e);
    }
  }

  /**
   * Checks that {@code key} belongs to {@code leaf} by signing with one and verifying with the other. Without
   * this, a renewed certificate read before its renewed key would be accepted and every handshake would fail.
   */
  private static void requireMatchingKey(PrivateKey key, X509Certificate leaf, Path keyFile, Path chainFile) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      case "DSA" -> "SHA256withDSA";
      default -> null; // e.g. RSASSA-PSS needs parameters; the TLS engine will have to judge
    };
    if (algorithm == null) {
      return;
    }
    byte[] challenge = "courier key check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (NoSuchAlgorithmException e) {
      return;
    } catch (GeneralSecurityException e) {
      matches = false; // e.g. InvalidKeyException: the certificate holds another type of key
    }
    if (!matches) {
      throw new IllegalArgumentException("Cannot use " + KEY + " " + keyFile + ": it does not match the "
          + "certificate in " + chainFile + " (" + leaf.getSubjectX500Principal() + ")");
    }
  }

  /** Returns a one-line description of {@code certificate} for logs. */
  static String describe(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName() + ", serial "
        + certificate.getSerialNumber().toString(16) + ", expires " + certificate.getNotAfter().toInstant();
  }

  /**
   * The bytes of a set of PEM files as read at one moment, and what they parse to. Parsing always uses these
   * bytes, never a second read, so that the fingerprint describes exactly what was loaded.
   */
  static final class Pem {

    private final Map<Path, byte[]> contents;
    private final Map<Path, X509Certificate[]> certificates = new HashMap<>();

    private Pem(Map<Path, byte[]> contents) {
      this.contents = contents;
    }

    /** Reads {@code files}, throwing {@link IllegalArgumentException} naming the first that cannot be read. */
    static Pem read(List<Path> files) {
      Map<Path, byte[]> contents = new LinkedHashMap<>();
      for (Path file : files) {
        contents.putIfAbsent(file, readFile(file));
      }
      return new Pem(contents);
    }

    private static byte[] readFile(Path file) {
      try {
        long size = Files.size(file);
        if (size > MAX_PEM_BYTES) {
          throw new IllegalArgumentException("Cannot load TLS file " + file + ": " + size
              + " bytes (expected: a PEM file of at most " + MAX_PEM_BYTES + " bytes)");
        }
        return Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("Cannot load TLS file " + file + ": file not found", e);
      } catch (AccessDeniedException e) {
        throw new IllegalArgumentException("Cannot load TLS file " + file + ": permission denied", e);
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot load TLS file " + file + ": " + e, e);
      }
    }

    /** One SHA-256 per file, in order: equal fingerprints mean equal contents, however the files were replaced. */
    List<String> fingerprint() {
      List<String> fingerprint = new ArrayList<>(contents.size());
      try {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (byte[] bytes : contents.values()) {
          fingerprint.add(HexFormat.of().formatHex(sha256.digest(bytes)));
        }
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError("Every JDK has SHA-256", e);
      }
      return fingerprint;
    }

    /** Returns the certificates in {@code file}, leaf first, or throws naming the file and what is wrong. */
    X509Certificate[] certificates(Path file, String what) {
      X509Certificate[] cached = certificates.get(file);
      if (cached != null) {
        return cached.clone();
      }
      List<X509Certificate> found = new ArrayList<>();
      try {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (Block block : blocks(file, what)) {
          if (!block.label.equals("CERTIFICATE")) {
            continue;
          }
          try {
            found.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der)));
          } catch (CertificateException e) {
            throw new IllegalArgumentException(cannotLoad(what, file) + "certificate #" + (found.size() + 1)
                + " is not a valid X.509 certificate: " + e.getMessage(), e);
          }
        }
      } catch (CertificateException e) {
        throw new AssertionError("Every JDK has an X.509 certificate factory", e);
      }
      if (found.isEmpty()) {
        throw new IllegalArgumentException(cannotLoad(what, file)
            + "no PEM certificate found (expected: -----BEGIN CERTIFICATE-----)");
      }
      X509Certificate[] result = found.toArray(new X509Certificate[0]);
      if (what.equals(CHAIN)) {
        warnIfNotCurrentlyValid(result[0], file);
      }
      certificates.put(file, result);
      return result.clone();
    }

    /** Returns the one unencrypted PKCS#8 key in {@code file}, or throws naming the file and what is wrong. */
    PrivateKey privateKey(Path file) {
      List<Block> keys = new ArrayList<>();
      for (Block block : blocks(file, KEY)) {
        switch (block.label) {
          case "PRIVATE KEY" -> keys.add(block);
          case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(cannotLoad(KEY, file)
              + "the key is encrypted (expected: an unencrypted PKCS#8 key, -----BEGIN PRIVATE KEY-----; "
              + "decrypt it with: openssl pkcs8 -in " + file + " -out key.pem)");
          case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" -> throw new IllegalArgumentException(
              cannotLoad(KEY, file) + "-----BEGIN " + block.label + "----- is a traditional OpenSSL key "
              + "(expected: PKCS#8, -----BEGIN PRIVATE KEY-----; convert it with: openssl pkcs8 -topk8 -nocrypt "
              + "-in " + file + " -out key.pem)");
          default -> {
            // Certificates may share the file with the key; other blocks are not ours to judge.
          }
        }
      }
      if (keys.size() != 1) {
        throw new IllegalArgumentException(cannotLoad(KEY, file) + (keys.isEmpty()
            ? "no PEM private key found (expected: -----BEGIN PRIVATE KEY-----)"
            : keys.size() + " private keys found (expected: 1)"));
      }
      byte[] der = keys.get(0).der;
      try {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(spec);
          } catch (GeneralSecurityException | RuntimeException e) {
            // Not this type of key; try the next.
          }
        }
      } finally {
        Arrays.fill(der, (byte) 0);
      }
      throw new IllegalArgumentException(cannotLoad(KEY, file)
          + "not a valid PKCS#8 private key (expected: an RSA, EC or EdDSA key)");
    }

    private List<Block> blocks(Path file, String what) {
      String text = new String(contents.get(file), StandardCharsets.US_ASCII);
      List<Block> blocks = new ArrayList<>();
      Matcher matcher = PEM_BLOCK.matcher(text);
      while (matcher.find()) {
        try {
          blocks.add(new Block(matcher.group(1), Base64.getMimeDecoder().decode(matcher.group(2))));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(cannotLoad(what, file) + "-----BEGIN " + matcher.group(1)
              + "----- block is not valid base64: " + e.getMessage(), e);
        }
      }
      // A BEGIN without its END is what a file caught halfway through being written looks like.
      int begins = countOccurrences(text, "-----BEGIN ");
      if (begins > blocks.size()) {
        throw new IllegalArgumentException(cannotLoad(what, file)
            + "truncated or malformed PEM (a -----BEGIN line has no matching -----END line)");
      }
      if (blocks.isEmpty()) {
        throw new IllegalArgumentException(cannotLoad(what, file) + "not a PEM file (expected: text with "
            + (what.equals(KEY) ? "-----BEGIN PRIVATE KEY-----" : "-----BEGIN CERTIFICATE-----") + " blocks)");
      }
      return blocks;
    }

    private static String cannotLoad(String what, Path file) {
      return "Cannot load " + what + " from " + file + ": ";
    }

    private static int countOccurrences(String text, String needle) {
      int count = 0;
      for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
        count++;
      }
      return count;
    }

    private static void warnIfNotCurrentlyValid(X509Certificate certificate, Path file) {
      Instant now = Instant.now();
      if (now.isAfter(certificate.getNotAfter().toInstant())
          || now.isBefore(certificate.getNotBefore().toInstant())) {
        // Not an error here: the peer decides, and clocks differ; but it is the likely cause of failed handshakes.
        log.warn("TLS certificate in {} is not valid now ({}, valid from {})", file, describe(certificate),
            certificate.getNotBefore().toInstant());
      }
    }

    private record Block(String label, byte[] der) {}
  }

  /**
   * An {@link SslContext} built from files, which checks the files every interval and replaces the context when
   * they have changed and load without error.
   *
   * <p>Changes are found by comparing a SHA-256 of each file's contents, so a replacement by rename (and a
   * Kubernetes secret's symlink swap) is seen whatever its timestamps. Files caught halfway through being
   * written, or a certificate renewed before its key, fail to load: the current context stays, a WARN names the
   * file, and the next check tries again once the contents have changed. Handlers made after a reload use the
   * new context; connections already open keep the one they started with.
   *
   * <p>This class is thread-safe: {@link #context()} may be called from any thread, including event loops.
   */
  public static final class ReloadingContext {

    /** The name of the thread that checks the files. */
    public static final String RELOAD_THREAD = "courier-tls-reload";

    /** Builds a context from the files' contents; throws {@link IllegalArgumentException} naming the file. */
    interface Factory {
      SslContext create(Pem pem);
    }

    private final List<Path> files;
    private final Path certificateChain;
    private final Duration interval;
    private final Factory factory;
    private final Object checkLock = new Object();

    private volatile Loaded current;

    // Guarded by checkLock: the contents that last failed to load, so that one bad file is reported once.
    private List<String> failedFingerprint;

    // Guarded by this.
    private ScheduledExecutorService scheduler;
    private int starts;

    ReloadingContext(List<Path> files, Path certificateChain, Duration interval, Factory factory) {
      if (interval.isNegative()) {
        throw new IllegalArgumentException("reloadInterval: " + interval + " (expected: >= 0)");
      }
      this.files = List.copyOf(files);
      this.certificateChain = certificateChain;
      this.interval = interval;
      this.factory = factory;
      Pem pem = Pem.read(this.files);
      this.current = new Loaded(factory.create(pem), pem.fingerprint());
    }

    /** Returns the context to make new handlers from: the one most recently loaded. */
    public SslContext context() {
      return current.context;
    }

    /**
     * Starts checking the files every interval on a thread of this context's own ({@value #RELOAD_THREAD}):
     * a check reads and hashes files, which must not hold up an event loop's I/O. Does nothing when the
     * interval is zero. Calls are counted, so several servers may share this context: the checks run until
     * {@link #stop()} has been called as often as this method, and the thread ends then.
     */
    public synchronized void start() {
      if (interval.isZero()) {
        return;
      }
      if (starts++ == 0) {
        long millis = Math.max(1, interval.toMillis());
        scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory(RELOAD_THREAD, true));
        scheduler.scheduleWithFixedDelay(this::checkFromScheduler, millis, millis, TimeUnit.MILLISECONDS);
      }
    }

    /** Undoes one {@link #start}; the last one stops the checks and their thread. Loaded contexts stay usable. */
    public synchronized void stop() {
      if (interval.isZero() || starts == 0) {
        return;
      }
      if (--starts == 0) {
        scheduler.shutdownNow();
        scheduler = null;
      }
    }

    /**
     * Checks the files once, now, and returns whether a new context was installed. The scheduled checks call
     * this; a caller may too, for example on SIGHUP.
     */
    public boolean reloadIfChanged() {
      synchronized (checkLock) {
        Pem pem;
        List<String> fingerprint;
        try {
          pem = Pem.read(files);
          fingerprint = pem.fingerprint();
        } catch (IllegalArgumentException e) {
          failed(List.of("unreadable", String.valueOf(e.getMessage())), e);
          return false;
        }
        if (fingerprint.equals(current.fingerprint)) {
          failedFingerprint = null; // back to what is loaded: report a later failure afresh
          return false;
        }
        if (fingerprint.equals(failedFingerprint)) {
          return false; // unchanged since it failed; already reported
        }
        SslContext context;
        try {
          context = factory.create(pem);
        } catch (IllegalArgumentException | IllegalStateException e) {
          failed(fingerprint, e);
          return false;
        }
        current = new Loaded(context, fingerprint);
        failedFingerprint = null;
        log.info("Reloaded TLS certificate from {} ({})", certificateChain,
            describe(pem.certificates(certificateChain, CHAIN)[0]));
        return true;
      }
    }

    private void failed(List<String> fingerprint, RuntimeException e) {
      if (!fingerprint.equals(failedFingerprint)) {
        failedFingerprint = fingerprint;
        log.warn("Cannot reload TLS certificate, keeping the current one: {}", e.getMessage());
      }
    }

    private void checkFromScheduler() {
      try {
        reloadIfChanged();
      } catch (RuntimeException | LinkageError e) {
        // A scheduled task that throws is never run again; log and keep checking.
        log.warn("Cannot reload TLS certificate from {}, keeping the current one", certificateChain, e);
      }
    }

    @Override
    public String toString() {
      return "ReloadingContext" + files;
    }

    private record Loaded(SslContext context, List<String> fingerprint) {
      Loaded {
        Objects.requireNonNull(context, "context");
      }
    }
  }
}
