package io.courier.testing;

import io.courier.client.ClientTls;
import io.courier.client.RpcClientBuilder;
import io.courier.server.RpcServerBuilder;
import io.courier.server.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The client transports the conformance tests run over, each against the same one-port server: the target URI
 * a client uses, and the TLS set-up both sides need for the secure ones (a test CA made once per JVM).
 */
public enum Transports {
  TCP("tcp", ""),
  HTTP("http", "/rpc"),
  WS("ws", "/ws"),
  TLS("tls", ""),
  HTTPS("https", "/rpc"),
  WSS("wss", "/ws");

  private final String scheme;
  private final String path;

  Transports(String scheme, String path) {
    this.scheme = scheme;
    this.path = path;
  }

  private static TestPki pki;

  /** The test CA and certificates, created on first use. */
  public static synchronized TestPki pki() {
    if (pki == null) {
      try {
        Path dir = Files.createTempDirectory("courier-pki");
        dir.toFile().deleteOnExit();
        pki = TestPki.create(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return pki;
  }

  public boolean secure() {
    return this == TLS || this == HTTPS || this == WSS;
  }

  /** Whether the server can send the client notifications on this transport (not over HTTP). */
  public boolean canPush() {
    return this != HTTP && this != HTTPS;
  }

  /** Gives the server TLS (alongside its clear protocols); every transport then runs against it. */
  public static RpcServerBuilder serve(RpcServerBuilder server) {
    return server.tls(ServerTls.builder(pki().serverCertPem(), pki().serverKeyPem()).build());
  }

  /** Points a client at the server on {@code port} over this transport. */
  public RpcClientBuilder target(RpcClientBuilder client, int port) {
    client.target(scheme + "://127.0.0.1:" + port + path);
    if (secure()) {
      client.tls(ClientTls.builder().trustedCertificates(pki().caPem()).build());
    }
    return client;
  }

  @Override
  public String toString() {
    return scheme;
  }
}
