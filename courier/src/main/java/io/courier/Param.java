package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a parameter for params passed by name. Without it, the Java parameter name is used, which requires
 * compiling with {@code -parameters}; registration fails with a clear message when neither is available.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Param {
  /** The parameter's name on the wire. */
  String value();
}
