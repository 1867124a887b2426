package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a service interface (or class) a prefix for its methods' wire names: with {@code @RpcService("calc")}
 * the method {@code add} is called as {@code calc.add}. Without it, or with an empty prefix, methods are called
 * by their plain names.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RpcService {
  /** The prefix; the wire name is {@code prefix + "." + methodName}. */
  String value() default "";

  /** What the service does, for the service's description (a tag on each of its methods in OpenRPC). */
  @Experimental
  String description() default "";
}
