package io.courier.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.RpcHandler;
import io.courier.RpcMethod;
import io.courier.RpcService;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The methods a server exposes, by wire name. Only what was registered is here: no method of
 * {@code Object}, nothing found by reflection at call time. Overloads are allowed only when their param
 * counts differ, so that every call resolves to one method. Immutable once built; thread-safe.
 */
final class MethodRegistry {

  /** Prefixes the specification and Courier reserve for the protocol's own methods. */
  private static final List<String> RESERVED_PREFIXES = List.of("rpc.", "$/");

  private final Map<String, ServerMethod[]> methods;

  private MethodRegistry(Map<String, ServerMethod[]> methods) {
    this.methods = methods;
  }

  /** Returns the registered wire names. */
  Set<String> names() {
    return Collections.unmodifiableSet(methods.keySet());
  }

  /**
   * Returns the method that serves a call of {@code name} with these params, or {@code null} when no method
   * has that name.
   *
   * @throws RpcException with an invalid-params error when the name is overloaded and no overload takes
   *     that many params
   */
  ServerMethod lookup(String name, ArrayNode args, ObjectNode kwargs) {
    ServerMethod[] overloads = methods.get(name);
    if (overloads == null || overloads.length == 1) {
      return overloads == null ? null : overloads[0];
    }
    int count = (args == null ? 0 : args.size()) + (kwargs == null ? 0 : kwargs.size());
    for (ServerMethod candidate : overloads) {
      if (candidate.arity() == count) {
        return candidate;
      }
    }
    for (ServerMethod candidate : overloads) {
      if (candidate.arity() < 0) {
        return candidate;
      }
    }
    throw new RpcException(RpcError.INVALID_PARAMS.withData(
        JsonNodeFactory.instance.textNode("no overload takes " + count + " params")));
  }

  /** Collects registrations and checks each one as it is added. Not thread-safe. */
  static final class Builder {

    private final Map<String, List<ServerMethod>> methods = new LinkedHashMap<>();

    /** Registers the methods of {@code type} (an interface, or the object's class) on {@code target}. */
    void addService(Class<?> type, Object target, ObjectMapper mapper) {
      String prefix = prefixOf(type);
      Method[] candidates = type.isInterface() ? type.getMethods() : publicInstanceMethods(type);
      int added = 0;
      for (Method method : candidates) {
        if (isObjectMethod(method)
            || Modifier.isStatic(method.getModifiers())
            || method.isSynthetic()
            || method.isBridge()) {
          continue;
        }
        String wireName = wireName(prefix, method);
        add(wireName, BoundMethod.bind(wireName, method, target, mapper), describe(method));
        added++;
      }
      if (added == 0) {
        throw new IllegalArgumentException("Service " + type.getName() + " has no public methods to register");
      }
    }

    /** Registers a single function. */
    void addFunction(String name, RpcHandler handler, ObjectMapper mapper) {
      add(name, new HandlerMethod(name, handler, mapper), "function " + name);
    }

    private void add(String wireName, ServerMethod method, String what) {
      if (wireName.isEmpty()) {
        throw new IllegalArgumentException("Empty method name for " + what);
      }
      for (String reserved : RESERVED_PREFIXES) {
        if (wireName.startsWith(reserved)) {
          throw new IllegalArgumentException("Method name " + wireName + " uses the reserved prefix '"
              + reserved + "' for " + what);
        }
      }
      List<ServerMethod> same = methods.computeIfAbsent(wireName, k -> new ArrayList<>());
      for (ServerMethod existing : same) {
        if (existing.arity() == method.arity() || existing.arity() < 0 || method.arity() < 0) {
          throw new IllegalArgumentException("Method name " + wireName + " is already registered with "
              + (method.arity() < 0 ? "a variable number of" : "the same number of") + " params ("
              + existing + "); a call could not tell them apart, for " + what);
        }
      }
      same.add(method);
    }

    MethodRegistry build() {
      Map<String, ServerMethod[]> frozen = new HashMap<>();
      methods.forEach((name, list) -> frozen.put(name, list.toArray(new ServerMethod[0])));
      return new MethodRegistry(frozen);
    }

    /** Whether {@code method} is, or overrides, a method of {@code Object}: those are never callable. */
    private static boolean isObjectMethod(Method method) {
      try {
        Object.class.getMethod(method.getName(), method.getParameterTypes());
        return true;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }

    private static Method[] publicInstanceMethods(Class<?> type) {
      return Arrays.stream(type.getMethods())
          .filter(m -> !Modifier.isStatic(m.getModifiers()))
          .toArray(Method[]::new);
    }

    private static String prefixOf(Class<?> type) {
      RpcService service = type.getAnnotation(RpcService.class);
      return service == null ? "" : service.value() + ".";
    }

    private static String wireName(String prefix, Method method) {
      RpcMethod explicit = method.getAnnotation(RpcMethod.class);
      return explicit != null ? explicit.value() : prefix + method.getName();
    }

    private static String describe(Method method) {
      return "method " + method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }
  }

}
