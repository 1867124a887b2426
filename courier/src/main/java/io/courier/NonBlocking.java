package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a service method never blocks (no I/O, no locks held for long, no sleeping), so the server may
 * run it on the connection's I/O thread instead of handing it to the executor. That saves two thread
 * hand-offs per call, which is most of the cost of a small call; a method marked wrongly stalls every
 * connection that shares its I/O thread. On a type, it applies to every method of the service.
 */
@Documented
@Experimental
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface NonBlocking {}
