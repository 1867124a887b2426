package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that running a method twice has the same effect as running it once, so a client may send it again
 * when its connection was lost before the reply came. Without it a call is sent at most once, except when the
 * server said it did not process it ("server busy", "shutting down"). Retries stay within the call's deadline,
 * at most the client's {@code maxAttempts}, and within its retry budget. On a type, it applies to every method.
 */
@Documented
@Experimental
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Idempotent {}
