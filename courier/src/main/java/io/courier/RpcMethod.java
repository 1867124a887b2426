package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets a method's wire name, replacing both the Java name and any {@link RpcService} prefix. Use it for names
 * that are not Java identifiers, such as {@code notify_hello} or {@code user/get}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RpcMethod {
  /** The full wire name. */
  String value();
}
