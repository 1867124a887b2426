package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits a service method, or every method of a service interface or class, to callers with at least one of
 * these roles. The server's authentication interceptors (such as {@code BearerTokenAuth}) enforce it: a caller
 * without one of the roles gets {@link RpcError#PERMISSION_DENIED_CODE}, and the method does not run. A method's
 * own annotation replaces its type's. Without an authentication interceptor it has no effect.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RolesAllowed {

  /** The roles, any one of which allows the call. */
  String[] value();
}
