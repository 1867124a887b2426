package io.courier.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.peer.MethodModel;
import io.courier.peer.ServiceModel;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Makes a proxy for a service interface. Every method is prepared once when the proxy is made; a call is a map
 * lookup, one message written and one future completed.
 */
final class ProxyFactory {

  private ProxyFactory() {}

  static <T> T create(Class<T> service, RpcClient client, ObjectMapper mapper) {
    if (!service.isInterface()) {
      throw new IllegalArgumentException("service: " + service.getName() + " (expected: an interface)");
    }
    Map<Method, ClientMethod> methods = new HashMap<>();
    for (MethodModel model : ServiceModel.of(service).methods()) {
      // Default methods run in the caller's process (see Handler), so they need no remote counterpart.
      if (!model.method().isDefault()) {
        methods.put(model.method(), ClientMethod.of(model, mapper));
      }
    }
    InvocationHandler handler = new Handler(service, client, methods);
    return service.cast(Proxy.newProxyInstance(service.getClassLoader(), new Class<?>[] {service}, handler));
  }

  private static final class Handler implements InvocationHandler {

    private final Class<?> service;
    private final RpcClient client;
    private final Map<Method, ClientMethod> methods;

    Handler(Class<?> service, RpcClient client, Map<Method, ClientMethod> methods) {
      this.service = service;
      this.client = client;
      this.methods = methods;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "toString" -> "Courier proxy for " + service.getName() + " at " + client.endpoint();
          default -> throw new UnsupportedOperationException(method.toString());
        };
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      ClientMethod target = methods.get(method);
      Object[] params = args == null ? new Object[0] : args;
      if (target.notification) {
        client.notify(target.wireName, params);
        return null;
      }
      CompletableFuture<Object> future = client.start(target.wireName, params, target.reader, !target.async,
          target.idempotent, target::toException);
      if (target.async) {
        return future;
      }
      return await(future);
    }

    private static Object await(CompletableFuture<Object> future) throws Throwable {
      try {
        return future.get();
      } catch (ExecutionException e) {
        throw e.getCause();
      } catch (InterruptedException e) {
        future.cancel(false);
        Thread.currentThread().interrupt();
        throw new RpcException(RpcError.CANCELLED.withMessage("Interrupted while waiting for the reply"), e);
      }
    }
  }
}
