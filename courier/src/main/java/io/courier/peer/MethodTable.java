package io.courier.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.MethodDescriptor;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.RpcHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The methods one end of a connection serves, by wire name. Only what was registered is here: no method of
 * {@code Object}, nothing found by reflection at call time. Overloads are allowed only when their param
 * counts differ, so that every call resolves to one method. Immutable once built; thread-safe.
 */
public final class MethodTable {

  /** Prefixes the specification and Courier reserve for the protocol's own methods. */
  private static final List<String> RESERVED_PREFIXES = List.of("rpc.", "$/");

  private final Map<String, LocalMethod[]> methods;
  private final Set<String> names;
  private final List<MethodDescriptor> descriptors;

  private MethodTable(Map<String, LocalMethod[]> methods, Set<String> names, List<MethodDescriptor> descriptors) {
    this.methods = methods;
    this.names = names;
    this.descriptors = descriptors;
  }

  /**
   * Describes the registered methods, sorted by wire name (overloads by their number of params); built-in
   * methods such as {@code rpc.discover} are left out.
   */
  public List<MethodDescriptor> descriptors() {
    return descriptors;
  }

  /** Returns the registered wire names; built-in methods are left out. */
  public Set<String> names() {
    return names;
  }

  /**
   * Returns the method that serves a call of {@code name} with these params, or {@code null} when no method
   * has that name.
   *
   * @throws RpcException with an invalid-params error when the name is overloaded and no overload takes
   *     that many params
   */
  public LocalMethod lookup(String name, ArrayNode args, ObjectNode kwargs) {
    LocalMethod[] overloads = methods.get(name);
    if (overloads == null || overloads.length == 1) {
      return overloads == null ? null : overloads[0];
    }
    int count = (args == null ? 0 : args.size()) + (kwargs == null ? 0 : kwargs.size());
    for (LocalMethod candidate : overloads) {
      if (candidate.arity() == count) {
        return candidate;
      }
    }
    for (LocalMethod candidate : overloads) {
      if (candidate.arity() < 0) {
        return candidate;
      }
    }
    throw new RpcException(RpcError.INVALID_PARAMS.withData(
        JsonNodeFactory.instance.textNode("no overload takes " + count + " params")));
  }

  /** Collects registrations and checks each one as it is added. Not thread-safe. */
  public static final class Builder {

    private final Map<String, List<LocalMethod>> methods = new LinkedHashMap<>();
    private final List<Function<List<MethodDescriptor>, LocalMethod>> builtIns = new ArrayList<>();

    /** Registers the methods of {@code type} (an interface, or the object's class) on {@code target}. */
    public Builder addService(Class<?> type, Object target, ObjectMapper mapper) {
      return addService(ServiceModel.of(type), target, mapper);
    }

    /**
     * Registers the methods {@code service} lists on {@code target}.
     *
     * @throws IllegalArgumentException naming the method when one cannot be served, or when there are none
     */
    public Builder addService(ServiceModel service, Object target, ObjectMapper mapper) {
      if (service.methods().isEmpty()) {
        throw new IllegalArgumentException("Service " + service.type().getName()
            + " has no public methods to register");
      }
      for (MethodModel model : service.methods()) {
        add(model.wireName(), BoundMethod.bind(model, target, mapper), "method " + model.javaName());
      }
      return this;
    }

    /** Registers a single function. */
    public Builder addFunction(String name, RpcHandler handler, ObjectMapper mapper) {
      add(name, new FunctionMethod(name, handler, mapper), "function " + name);
      return this;
    }

    /**
     * Registers a method of the protocol itself, whose name may use a reserved prefix. It is made by
     * {@code factory} in {@link #build}, from the descriptors of every other method, and is not described itself.
     */
    public Builder addBuiltIn(Function<List<MethodDescriptor>, LocalMethod> factory) {
      builtIns.add(factory);
      return this;
    }

    private void add(String wireName, LocalMethod method, String what) {
      if (wireName.isEmpty()) {
        throw new IllegalArgumentException("Empty method name for " + what);
      }
      for (String reserved : RESERVED_PREFIXES) {
        if (wireName.startsWith(reserved)) {
          throw new IllegalArgumentException("Method name " + wireName + " uses the reserved prefix '"
              + reserved + "' for " + what);
        }
      }
      List<LocalMethod> same = methods.computeIfAbsent(wireName, k -> new ArrayList<>());
      for (LocalMethod existing : same) {
        if (existing.arity() == method.arity() || existing.arity() < 0 || method.arity() < 0) {
          throw new IllegalArgumentException("Method name " + wireName + " is already registered with "
              + (method.arity() < 0 ? "a variable number of" : "the same number of") + " params ("
              + existing + "); a call could not tell them apart, for " + what);
        }
      }
      same.add(method);
    }

    /** Returns the table of everything registered so far. */
    public MethodTable build() {
      List<MethodDescriptor> descriptors = new ArrayList<>();
      methods.values().forEach(list -> list.forEach(method -> descriptors.add(method.descriptor())));
      descriptors.sort(Comparator.comparing(MethodDescriptor::name)
          .thenComparing(d -> d.anyParams() ? Integer.MAX_VALUE : d.params().size()));
      List<MethodDescriptor> described = List.copyOf(descriptors);
      Map<String, LocalMethod[]> frozen = new HashMap<>();
      methods.forEach((name, list) -> frozen.put(name, list.toArray(new LocalMethod[0])));
      Set<String> names = Collections.unmodifiableSet(new LinkedHashSet<>(methods.keySet()));
      for (Function<List<MethodDescriptor>, LocalMethod> factory : builtIns) {
        LocalMethod builtIn = factory.apply(described);
        if (frozen.putIfAbsent(builtIn.name(), new LocalMethod[] {builtIn}) != null) {
          throw new IllegalStateException("Built-in method " + builtIn.name() + " registered twice");
        }
      }
      return new MethodTable(frozen, names, described);
    }
  }
}
