package io.courier.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Makes a proxy for a service interface, for a client (calling its server) or a session (calling its peer).
 * Every method is prepared once when the proxy is made; a call is a map lookup, one message written and one
 * future completed. A blocking method waits with {@link Waiters#await}.
 */
public final class ProxyFactory {

  private ProxyFactory() {}

  /**
   * Returns a proxy for {@code service} that calls through {@code caller}.
   *
   * @throws IllegalArgumentException when {@code service} is not an interface or one of its methods cannot be
   *     called remotely
   */
  public static <T> T create(Class<T> service, Caller caller, ObjectMapper mapper) {
    if (!service.isInterface()) {
      throw new IllegalArgumentException("service: " + service.getName() + " (expected: an interface)");
    }
    Map<Method, RemoteMethod> methods = new HashMap<>();
    for (MethodModel model : ServiceModel.of(service).methods()) {
      // Default methods run in the caller's process (see Handler), so they need no remote counterpart.
      if (!model.method().isDefault()) {
        methods.put(model.method(), RemoteMethod.of(model, mapper));
      }
    }
    InvocationHandler handler = new Handler(service, caller, methods);
    return service.cast(Proxy.newProxyInstance(service.getClassLoader(), new Class<?>[] {service}, handler));
  }

  private static final class Handler implements InvocationHandler {

    private final Class<?> service;
    private final Caller caller;
    private final Map<Method, RemoteMethod> methods;

    Handler(Class<?> service, Caller caller, Map<Method, RemoteMethod> methods) {
      this.service = service;
      this.caller = caller;
      this.methods = methods;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "toString" -> "Courier proxy for " + service.getName() + " at " + caller.describe();
          default -> throw new UnsupportedOperationException(method.toString());
        };
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      RemoteMethod target = methods.get(method);
      Object[] params = args == null ? new Object[0] : args;
      if (target.notification) {
        caller.notify(target.wireName, params);
        return null;
      }
      if (target.stream) {
        return caller.subscribe(target.wireName, params, target.reader, target::toException);
      }
      CompletableFuture<Object> future = caller.call(target.wireName, params, target.reader, !target.async,
          target.idempotent, target::toException);
      return target.async ? future : Waiters.await(future);
    }
  }
}
