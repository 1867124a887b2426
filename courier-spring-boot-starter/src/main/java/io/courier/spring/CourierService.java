package io.courier.spring;

import io.courier.Experimental;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Component;

/**
 * Marks a bean whose interfaces the application's Courier server serves. It is a {@link Component}, so component
 * scanning finds the class; a {@code @Bean} method annotated with it exports the bean it returns the same way.
 *
 * <pre>{@code
 * @CourierService
 * class CalculatorImpl implements Calculator {
 *   public int add(int a, int b) { return a + b; }
 * }
 * }</pre>
 *
 * <p>Every interface the bean's class implements directly (or through its superclasses) is exported, except those
 * of the JDK and of Spring; {@link #interfaces()} names them instead. A bean that would export none, or two beans
 * exporting the same method name, fail the application's start with a message naming the beans. Annotations are
 * immutable and thread-safe.
 */
@Experimental
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Component
public @interface CourierService {

  /** The bean's name, as {@link Component#value()}; default: Spring's name for it. */
  @AliasFor(annotation = Component.class)
  String value() default "";

  /** The interfaces to export; default: every interface the bean's class implements, except the JDK's and Spring's. */
  Class<?>[] interfaces() default {};
}
