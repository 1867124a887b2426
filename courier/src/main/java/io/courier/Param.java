package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a parameter for params passed by name. Without it, the Java parameter name is used, which requires
 * compiling with {@code -parameters}; calls can then pass params by position only. It may also only describe
 * the parameter: {@code @Param(description = "The divisor; not zero.")}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Param {
  /** The parameter's name on the wire; empty (the default) keeps the Java parameter name. */
  String value() default "";

  /** What the parameter means, for the service's description; empty (the default) for none. */
  @Experimental
  String description() default "";
}
