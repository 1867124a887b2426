package io.courier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets a method's wire name, replacing both the Java name and any {@link RpcService} prefix. Use it for names
 * that are not Java identifiers, such as {@code notify_hello} or {@code user/get}. It may also only describe
 * the method, keeping its usual name: {@code @RpcMethod(description = "Adds two integers.")}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RpcMethod {
  /** The full wire name; empty (the default) keeps the usual one: the service prefix, a dot and the Java name. */
  String value() default "";

  /**
   * What the method does, for people reading the service's description ({@code rpc.discover}'s OpenRPC
   * document, {@code RpcServer.describeMethods()}); empty (the default) for none. It changes nothing on the wire.
   */
  @Experimental
  String description() default "";
}
