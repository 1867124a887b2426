package io.courier.server;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import io.courier.RpcContext;

/**
 * Answers {@code GET} (and {@code HEAD}) requests at one path of the server's HTTP port with content made when
 * asked, such as a metrics scrape ({@code courier-micrometer}'s {@code /metrics}). Added with
 * {@link RpcServerBuilder#httpGet}.
 *
 * <p>A request passes through the server's interceptors first, as a call does, with a context whose
 * {@link RpcContext#method()} is {@code "GET "} and the path: an authentication interceptor protects it like any
 * method, and its refusal becomes 401 (or 403) with nothing of the content in it. The annotations of the
 * handler's class are the context's {@linkplain RpcContext#annotation annotations}, so a handler class annotated
 * with {@link io.courier.RolesAllowed} is limited to those roles (a lambda has none). The handler runs on a worker
 * thread and may block briefly. What it throws becomes a 500 without detail, logged here. Implementations must be
 * thread-safe.
 */
@Experimental
@FunctionalInterface
public interface HttpGetHandler {

  /** Returns the content for one request; {@code context} tells who asked (headers, peer, identity). */
  Response get(RpcContext context) throws Exception;

  /**
   * A response's content: sent with status 200, the given type and {@code Cache-Control: no-store}.
   *
   * @param contentType the {@code Content-Type}, such as {@code text/plain; charset=utf-8}
   * @param body the bytes sent; not copied, so not to be changed afterwards
   */
  record Response(String contentType, byte[] body) {
    public Response {
      requireNonNull(contentType, "contentType");
      requireNonNull(body, "body");
    }
  }
}
