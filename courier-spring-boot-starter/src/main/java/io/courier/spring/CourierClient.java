package io.courier.spring;

import io.courier.Experimental;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Injects a proxy of the client declared by {@code courier.clients.NAME.*}: on a constructor or {@code @Bean}
 * method parameter, on a field (with or without {@code @Autowired}; not a static or final one), or on a setter
 * marked {@code @Autowired}. The type injected is a service interface, or {@link io.courier.client.RpcClient}
 * itself for dynamic calls.
 *
 * <pre>{@code
 * @Component
 * class Checkout {
 *   private final Calculator calculator;
 *
 *   Checkout(@CourierClient("calc") Calculator calculator) {   // courier.clients.calc.target=tcp://...
 *     this.calculator = calculator;
 *   }
 * }
 * }</pre>
 *
 * <p>It is a Spring {@link Qualifier}: the starter finds every place it is used when the application starts and
 * registers one bean per client name and interface, qualified by the name. All proxies of one name share one
 * {@code RpcClient}, which is closed with the application context. A name with no {@code target} property fails
 * the start with a message naming {@code courier.clients.NAME.target}. Annotations are immutable and thread-safe.
 */
@Experimental
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
@Qualifier
public @interface CourierClient {

  /** The client's name: its properties are {@code courier.clients.NAME.*}. */
  String value();
}
