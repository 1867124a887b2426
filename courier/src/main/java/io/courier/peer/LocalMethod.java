package io.courier.peer;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.MethodDescriptor;
import java.lang.annotation.Annotation;

/**
 * A method this end serves, registered under a wire name and prepared once at registration: it binds a
 * call's params to Java values, invokes, and knows how to write its result. Implementations are immutable and
 * thread-safe.
 */
public interface LocalMethod {

  /** The wire name. */
  String name();

  /** What it looks like from outside, built once at registration; never built per call. */
  MethodDescriptor descriptor();

  /** The number of params it takes, or -1 when it takes any number (varargs, functions). */
  int arity();

  /**
   * Binds params given by position ({@code args}) and by name ({@code kwargs}); either may be null.
   *
   * @throws io.courier.RpcException with an invalid-params error when they do not fit
   */
  Object[] bind(ArrayNode args, ObjectNode kwargs);

  /** Invokes with bound params; returns the result, or a {@code CompletionStage} of it. */
  Object invoke(Object[] bound) throws Throwable;

  /** The writer for results. */
  ObjectWriter resultWriter();

  /** Whether it may run on the I/O thread: it is marked {@link io.courier.NonBlocking}. */
  boolean nonBlocking();

  /** Whether the method declares {@code thrown} in its {@code throws} clause. */
  boolean declares(Throwable thrown);

  /**
   * Returns the annotation of that type on the Java method, else on its interface or class, else on the
   * service object's class; null when there is none (or the method is a handler function).
   */
  <A extends Annotation> A annotation(Class<A> type);
}
