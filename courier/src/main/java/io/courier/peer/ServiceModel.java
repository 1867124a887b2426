package io.courier.peer;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The methods of a service type that a call may reach, each read once as a {@link MethodModel}: for an
 * interface every method it has, for a class its public instance methods. Static, synthetic and bridge
 * methods are left out, and so is every method of {@code Object} and every override of one, so that no peer
 * can call {@code hashCode} or {@code wait}. Default methods stay in: a server serves them, and a client proxy
 * skips them itself because it runs them locally.
 *
 * <p>Immutable; thread-safe.
 */
public final class ServiceModel {

  private final Class<?> type;
  private final List<MethodModel> methods;

  private ServiceModel(Class<?> type, List<MethodModel> methods) {
    this.type = type;
    this.methods = methods;
  }

  /** Reads the methods of {@code type}, in the order {@link Class#getMethods()} gives them. */
  public static ServiceModel of(Class<?> type) {
    List<MethodModel> methods = new ArrayList<>();
    for (Method method : type.getMethods()) {
      if (!Modifier.isStatic(method.getModifiers())
          && !method.isSynthetic()
          && !method.isBridge()
          && !isObjectMethod(method)) {
        methods.add(MethodModel.of(type, method));
      }
    }
    return new ServiceModel(type, List.copyOf(methods));
  }

  /** Whether {@code method} is, or overrides, a method of {@code Object}. */
  private static boolean isObjectMethod(Method method) {
    try {
      Object.class.getMethod(method.getName(), method.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** The service type. */
  public Class<?> type() {
    return type;
  }

  /** The methods a call may reach; empty when there are none. */
  public List<MethodModel> methods() {
    return methods;
  }

  @Override
  public String toString() {
    return "ServiceModel" + methods;
  }
}
