package io.courier.server;

import io.courier.Identity;
import io.courier.RolesAllowed;
import io.courier.RpcContext;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.peer.RateLimitedLog;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shape of every authentication interceptor: find out who is calling from the call's context, refuse the
 * call with {@link RpcError#UNAUTHENTICATED_CODE} when nobody acceptable is, refuse it with
 * {@link RpcError#PERMISSION_DENIED_CODE} when the method's {@link RolesAllowed} names none of the caller's
 * roles, and otherwise record the {@link Identity} in the context and let the call proceed. All of it happens
 * before the params are bound, so an unauthenticated caller's params are never read.
 *
 * <p>Subclasses implement {@link #authenticate(RpcContext)}; {@link BearerTokenAuth} and {@link MutualTlsAuth}
 * ship with Courier. Refusals are logged (rate-limited) with the method and peer, never the credentials.
 * Thread-safe when {@code authenticate} is.
 */
public abstract class AuthInterceptor implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);

  private final RateLimitedLog refusals = new RateLimitedLog(Duration.ofSeconds(1));

  /**
   * Returns who is calling, or null when the call carries no credentials this interceptor accepts. Must not
   * block for long: it runs on the thread that runs the method, which may be an I/O thread.
   */
  protected abstract Identity authenticate(RpcContext context);

  @Override
  public final CompletionStage<Object> intercept(Chain chain) {
    RpcContext context = chain.context();
    Identity identity = authenticate(context);
    if (identity == null) {
      refusals.warn(log, "Refused an unauthenticated call to {} from {}", context.method(), context.remoteAddress());
      throw new RpcException(RpcError.UNAUTHENTICATED);
    }
    RolesAllowed rule = context.annotation(RolesAllowed.class).orElse(null);
    if (rule != null && Arrays.stream(rule.value()).noneMatch(identity::hasRole)) {
      refusals.warn(log, "Refused {} a call to {} (not in roles {})", identity.name(), context.method(),
          Arrays.toString(rule.value()));
      throw new RpcException(RpcError.PERMISSION_DENIED.withMessage(
          "Permission denied: " + context.method() + " needs one of the roles " + Arrays.toString(rule.value())));
    }
    context.identity(identity);
    return chain.proceed();
  }
}
