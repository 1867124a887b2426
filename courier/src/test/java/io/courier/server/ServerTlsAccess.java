package io.courier.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/** Lets TLS tests in other packages reach the package-private half of {@link ServerTls}, as RpcServer does. */
public final class ServerTlsAccess {

  private ServerTlsAccess() {}

  public static SslHandler newHandler(ServerTls tls, ByteBufAllocator alloc) {
    return tls.newHandler(alloc);
  }

  public static void startReloading(ServerTls tls) {
    tls.startReloading();
  }

  public static void stopReloading(ServerTls tls) {
    tls.stopReloading();
  }

  public static boolean reloadIfChanged(ServerTls tls) {
    return tls.reloadIfChanged();
  }
}
