package io.courier.client;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/** Lets TLS tests in other packages reach the package-private half of {@link ClientTls}, as the client does. */
public final class ClientTlsAccess {

  private ClientTlsAccess() {}

  public static SslHandler newHandler(ClientTls tls, ByteBufAllocator alloc, String host, int port) {
    return tls.newHandler(alloc, host, port);
  }
}
