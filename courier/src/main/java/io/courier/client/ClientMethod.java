package io.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.Idempotent;
import io.courier.Notification;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.RpcMethod;
import io.courier.RpcService;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An interface method as the proxy calls it, prepared once: the wire name, whether it is asynchronous or a
 * notification, the reader for its result, and the exception types it declares, which are the only ones an
 * error reply can be rebuilt as.
 */
final class ClientMethod {

  final String wireName;
  final boolean async;
  final boolean notification;
  final boolean idempotent;
  final ObjectReader reader;
  /** Declared exception types by simple and full name, each with the constructor that rebuilds it. */
  private final Map<String, Constructor<? extends Throwable>> declared;

  private ClientMethod(String wireName, boolean async, boolean notification, boolean idempotent,
      ObjectReader reader, Map<String, Constructor<? extends Throwable>> declared) {
    this.wireName = wireName;
    this.async = async;
    this.notification = notification;
    this.idempotent = idempotent;
    this.reader = reader;
    this.declared = declared;
  }

  static ClientMethod of(Class<?> service, Method method, ObjectMapper mapper) {
    String javaName = service.getSimpleName() + "." + method.getName();
    RpcMethod explicit = method.getAnnotation(RpcMethod.class);
    RpcService prefix = service.getAnnotation(RpcService.class);
    String wireName = explicit != null ? explicit.value()
        : prefix != null ? prefix.value() + "." + method.getName() : method.getName();
    Class<?> raw = method.getReturnType();
    boolean async = CompletionStage.class.isAssignableFrom(raw);
    if (async && !raw.isAssignableFrom(CompletableFuture.class)) {
      throw new IllegalArgumentException("Unsupported return type " + raw.getSimpleName()
          + " (expected: CompletableFuture or CompletionStage for an asynchronous call) for method " + javaName);
    }
    Type resultType = method.getGenericReturnType();
    if (async) {
      resultType = resultType instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
    }
    boolean notification = method.isAnnotationPresent(Notification.class);
    if (notification && raw != void.class) {
      throw new IllegalArgumentException("A @Notification method must return void (it gets no reply), for method "
          + javaName);
    }
    if (resultType == void.class) {
      resultType = Void.class;
    }
    boolean idempotent = method.isAnnotationPresent(Idempotent.class)
        || service.isAnnotationPresent(Idempotent.class);
    return new ClientMethod(wireName, async, notification, idempotent,
        mapper.readerFor(mapper.constructType(resultType)), declaredExceptions(method, javaName));
  }

  private static Map<String, Constructor<? extends Throwable>> declaredExceptions(Method method,
      String javaName) {
    Map<String, Constructor<? extends Throwable>> byName = new HashMap<>();
    for (Class<?> type : method.getExceptionTypes()) {
      if (type == Exception.class || type == Throwable.class || type == RuntimeException.class) {
        continue;
      }
      Constructor<? extends Throwable> constructor = rebuildConstructor(type.asSubclass(Throwable.class));
      if (constructor != null) {
        byName.put(type.getSimpleName(), constructor);
        byName.put(type.getName(), constructor);
      }
    }
    return byName;
  }

  private static Constructor<? extends Throwable> rebuildConstructor(Class<? extends Throwable> type) {
    try {
      return type.getConstructor(String.class);
    } catch (NoSuchMethodException e) {
      try {
        return type.getConstructor();
      } catch (NoSuchMethodException none) {
        return null; // cannot be rebuilt: callers see the RpcException instead
      }
    }
  }

  /**
   * Returns the exception the caller sees for an error reply: a declared exception type when the error names
   * one (by the name it was declared with, never a class looked up by name), otherwise an
   * {@link RpcException}.
   */
  Throwable toException(RpcError error) {
    RpcException remote = new RpcException(error);
    JsonNode data = error.data();
    if (declared.isEmpty() || data == null || !data.isObject() || !data.path("type").isTextual()) {
      return remote;
    }
    Constructor<? extends Throwable> constructor = declared.get(data.get("type").textValue());
    if (constructor == null) {
      return remote;
    }
    try {
      Throwable rebuilt = constructor.getParameterCount() == 1
          ? constructor.newInstance(error.message())
          : constructor.newInstance();
      if (rebuilt.getCause() == null) {
        rebuilt.initCause(remote);
      }
      return rebuilt;
    } catch (ReflectiveOperationException | RuntimeException e) {
      remote.addSuppressed(e);
      return remote;
    }
  }
}
