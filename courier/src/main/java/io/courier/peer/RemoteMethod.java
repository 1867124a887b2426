package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.courier.RpcError;
import io.courier.RpcException;
import java.lang.reflect.Constructor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An interface method as the proxy calls it, prepared once from its {@link MethodModel}: the wire name, whether
 * it is asynchronous or a notification, the reader for its result, and the exception types it declares, which
 * are the only ones an error reply can be rebuilt as. Immutable; thread-safe.
 */
final class RemoteMethod {

  final String wireName;
  final boolean async;
  /** Whether it returns a {@code Flow.Publisher}: calling it subscribes. */
  final boolean stream;
  final boolean notification;
  final boolean idempotent;
  final ObjectReader reader;
  /** Declared exception types by simple and full name, each with the constructor that rebuilds it. */
  private final Map<String, Constructor<? extends Throwable>> declared;

  private RemoteMethod(String wireName, boolean async, boolean stream, boolean notification, boolean idempotent,
      ObjectReader reader, Map<String, Constructor<? extends Throwable>> declared) {
    this.wireName = wireName;
    this.async = async;
    this.stream = stream;
    this.notification = notification;
    this.idempotent = idempotent;
    this.reader = reader;
    this.declared = declared;
  }

  /**
   * Prepares the method {@code model} describes for calling through a proxy.
   *
   * @throws IllegalArgumentException naming the method when a proxy cannot call it
   */
  static RemoteMethod of(MethodModel model, ObjectMapper mapper) {
    Class<?> raw = model.method().getReturnType();
    // The proxy completes a CompletableFuture, so a narrower CompletionStage type could not be returned.
    if (model.async() && !raw.isAssignableFrom(CompletableFuture.class)) {
      throw new IllegalArgumentException("Unsupported return type " + raw.getSimpleName()
          + " (expected: CompletableFuture or CompletionStage for an asynchronous call) for method "
          + model.javaName());
    }
    if (model.notification() && raw != void.class) {
      throw new IllegalArgumentException("A @Notification method must return void (it gets no reply), for method "
          + model.javaName());
    }
    return new RemoteMethod(model.wireName(), model.async(), model.stream(), model.notification(), model.idempotent(),
        mapper.readerFor(mapper.constructType(model.resultType())), declaredExceptions(model));
  }

  private static Map<String, Constructor<? extends Throwable>> declaredExceptions(MethodModel model) {
    Map<String, Constructor<? extends Throwable>> byName = new HashMap<>();
    for (Class<? extends Throwable> type : model.declaredExceptions()) {
      Constructor<? extends Throwable> constructor = rebuildConstructor(type);
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
