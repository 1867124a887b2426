package io.courier.peer;

import io.courier.Idempotent;
import io.courier.MethodDescriptor;
import io.courier.NonBlocking;
import io.courier.Notification;
import io.courier.Param;
import io.courier.RpcMethod;
import io.courier.RpcService;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * What reflection says about one Java method of a service type, read once. The server's bound methods and the
 * client's proxy methods are both built from it, so that the two ends cannot disagree on a wire name, on which
 * exceptions a method declares, or on what its result is. It checks nothing: what each end can serve or call
 * is that end's rule.
 *
 * <p>Immutable; thread-safe.
 */
public final class MethodModel {

  /**
   * One parameter of the method.
   *
   * @param name the name a call may pass it by: from {@link Param}, else from the class file when compiled
   *     with {@code -parameters}; null when neither gives one
   * @param type its generic type
   * @param rawType its erasure
   * @param description its {@link Param#description()}; empty when none was written
   */
  public record ParamModel(String name, Type type, Class<?> rawType, String description) {}

  /**
   * Catch-all types that never count as declared: {@code throws Exception} must not turn every bug into a
   * "declared" error that carries its message to the caller, nor let a client rebuild any error as one.
   */
  private static final List<Class<?>> CATCH_ALL =
      List.of(Throwable.class, Exception.class, RuntimeException.class, Error.class);

  private final Class<?> serviceType;
  private final Method method;
  private final String javaName;
  private final String wireName;
  private final Type resultType;
  private final boolean async;
  private final boolean stream;
  private final boolean notification;
  private final boolean idempotent;
  private final boolean nonBlocking;
  private final List<Class<? extends Throwable>> declaredExceptions;
  private final List<ParamModel> params;
  private final boolean varargs;
  private final String description;

  private MethodModel(Class<?> serviceType, Method method) {
    this.serviceType = serviceType;
    this.method = method;
    this.javaName = method.getDeclaringClass().getSimpleName() + "." + method.getName();
    this.wireName = wireName(serviceType, method);
    this.async = CompletionStage.class.isAssignableFrom(method.getReturnType());
    this.stream = method.getReturnType() == Flow.Publisher.class;
    this.resultType = resultType(method, async || stream);
    this.notification = method.isAnnotationPresent(Notification.class);
    this.idempotent = method.isAnnotationPresent(Idempotent.class)
        || serviceType.isAnnotationPresent(Idempotent.class);
    this.nonBlocking = method.isAnnotationPresent(NonBlocking.class)
        || method.getDeclaringClass().isAnnotationPresent(NonBlocking.class);
    this.declaredExceptions = declaredExceptions(method);
    this.params = params(method);
    this.varargs = method.isVarArgs();
    RpcMethod annotation = method.getAnnotation(RpcMethod.class);
    this.description = annotation == null ? "" : annotation.description();
  }

  /**
   * Reads {@code method} as a method of {@code serviceType}, the interface or class it is registered or
   * proxied as; that type, not the one that declares the method, gives the {@link RpcService} prefix.
   */
  public static MethodModel of(Class<?> serviceType, Method method) {
    return new MethodModel(serviceType, method);
  }

  /**
   * The one naming rule for both ends: the {@link RpcMethod} value when there is one, else the service type's
   * {@link RpcService} prefix, a dot and the Java name, else the Java name alone.
   */
  private static String wireName(Class<?> serviceType, Method method) {
    RpcMethod explicit = method.getAnnotation(RpcMethod.class);
    if (explicit != null && !explicit.value().isEmpty()) {
      return explicit.value();
    }
    RpcService service = serviceType.getAnnotation(RpcService.class);
    return service == null || service.value().isEmpty()
        ? method.getName()
        : service.value() + "." + method.getName();
  }

  private static Type resultType(Method method, boolean wrapped) {
    Type type = method.getGenericReturnType();
    if (wrapped) {
      // A raw CompletionStage or Publisher says nothing about its values, so they read and write as any JSON.
      type = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
    }
    return type == void.class ? Void.class : type;
  }

  private static List<Class<? extends Throwable>> declaredExceptions(Method method) {
    List<Class<? extends Throwable>> declared = new ArrayList<>();
    for (Class<?> type : method.getExceptionTypes()) {
      if (!CATCH_ALL.contains(type)) {
        declared.add(type.asSubclass(Throwable.class));
      }
    }
    return List.copyOf(declared);
  }

  private static List<ParamModel> params(Method method) {
    List<ParamModel> params = new ArrayList<>();
    for (Parameter parameter : method.getParameters()) {
      Param annotation = parameter.getAnnotation(Param.class);
      params.add(new ParamModel(paramName(parameter), parameter.getParameterizedType(), parameter.getType(),
          annotation == null ? "" : annotation.description()));
    }
    return List.copyOf(params);
  }

  private static String paramName(Parameter parameter) {
    Param annotation = parameter.getAnnotation(Param.class);
    if (annotation != null && !annotation.value().isEmpty()) {
      return annotation.value();
    }
    return parameter.isNamePresent() ? parameter.getName() : null;
  }

  /** The service type it was read as. */
  public Class<?> serviceType() {
    return serviceType;
  }

  /** The Java method. */
  public Method method() {
    return method;
  }

  /** The name for messages and logs: the declaring type's simple name, a dot and the method's name. */
  public String javaName() {
    return javaName;
  }

  /** The name calls carry on the wire. */
  public String wireName() {
    return wireName;
  }

  /**
   * The type of the result: the return type, or what a {@code CompletionStage} (or {@code CompletableFuture})
   * completes with, or the type of the items a {@code Flow.Publisher} publishes; {@code Void} for {@code void}.
   * Primitives stay primitive.
   */
  public Type resultType() {
    return resultType;
  }

  /** Whether it returns a {@code CompletionStage} (a {@code CompletableFuture} or any other). */
  public boolean async() {
    return async;
  }

  /**
   * Whether it returns a {@code java.util.concurrent.Flow.Publisher}: a call subscribes, and the items stream
   * to the caller as it asks for them.
   */
  public boolean stream() {
    return stream;
  }

  /** Whether it is marked {@link Notification}: a call gets no reply. */
  public boolean notification() {
    return notification;
  }

  /** Whether the method or the service type is marked {@link Idempotent}. */
  public boolean idempotent() {
    return idempotent;
  }

  /** Whether the method or the type that declares it is marked {@link NonBlocking}. */
  public boolean nonBlocking() {
    return nonBlocking;
  }

  /**
   * Whether it is {@link NonBlocking} when served by an instance of {@code implementation}: marked on the
   * method, its declaring type, or that class.
   */
  public boolean nonBlocking(Class<?> implementation) {
    return nonBlocking || implementation.isAnnotationPresent(NonBlocking.class);
  }

  /**
   * Returns the annotation of that type on the method, else on its declaring type, else on
   * {@code implementation}; null when there is none.
   */
  public <A extends Annotation> A annotation(Class<A> type, Class<?> implementation) {
    A found = method.getAnnotation(type);
    if (found == null) {
      found = method.getDeclaringClass().getAnnotation(type);
    }
    return found != null ? found : implementation.getAnnotation(type);
  }

  /** The exception types its {@code throws} clause names, less the catch-alls; an error may be rebuilt as these. */
  public List<Class<? extends Throwable>> declaredExceptions() {
    return declaredExceptions;
  }

  /** Whether {@code thrown} is an instance of one of the {@linkplain #declaredExceptions() declared types}. */
  public boolean declares(Throwable thrown) {
    for (Class<? extends Throwable> declared : declaredExceptions) {
      if (declared.isInstance(thrown)) {
        return true;
      }
    }
    return false;
  }

  /** The parameters, in order. */
  public List<ParamModel> params() {
    return params;
  }

  /** Whether its last parameter is varargs. */
  public boolean varargs() {
    return varargs;
  }

  /** Its {@link RpcMethod#description()}; empty when none was written. */
  public String description() {
    return description;
  }

  /**
   * Describes the method as a server serves it. Not cached: a server builds it once when it binds the method,
   * and a client never needs it.
   */
  public MethodDescriptor descriptor() {
    List<MethodDescriptor.ParamDescriptor> described = new ArrayList<>(params.size());
    boolean named = true;
    for (int i = 0; i < params.size(); i++) {
      ParamModel param = params.get(i);
      named &= param.name() != null;
      boolean last = varargs && i == params.size() - 1;
      described.add(new MethodDescriptor.ParamDescriptor(param.name() != null ? param.name() : "arg" + i,
          param.description(), param.type(), param.rawType().isPrimitive(), last));
    }
    RpcService service = serviceType.getAnnotation(RpcService.class);
    String serviceName = service == null || service.value().isEmpty() ? serviceType.getSimpleName() : service.value();
    return new MethodDescriptor(wireName, description, serviceName, service == null ? "" : service.description(),
        described, false, named, resultType, stream, notification, declaredExceptions);
  }

  @Override
  public String toString() {
    return wireName + " -> " + javaName;
  }
}
