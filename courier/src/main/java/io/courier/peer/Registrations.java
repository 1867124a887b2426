package io.courier.peer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.MethodDescriptor;
import io.courier.RpcHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The services and functions a builder was given, server's or client's alike: each is bound at once, so that a
 * method that cannot be served fails on the line that registered it, and bound again by {@link #build} with the
 * mapper the built end uses. Not thread-safe, like the builders.
 */
public final class Registrations {

  private interface Registration {
    void apply(MethodTable.Builder table, ObjectMapper mapper);
  }

  private final Supplier<ObjectMapper> mapperSoFar;
  private final List<Registration> registrations = new ArrayList<>();
  private final MethodTable.Builder checked = new MethodTable.Builder();
  private ObjectMapper checkMapper;

  /** @param mapperSoFar the mapper the builder would use now, for the binding that checks a registration */
  public Registrations(Supplier<ObjectMapper> mapperSoFar) {
    this.mapperSoFar = mapperSoFar;
  }

  /**
   * Registers {@code impl} as the service {@code type} describes.
   *
   * @throws IllegalArgumentException when {@code type} is not an interface, or a method cannot be served
   */
  public <T> void service(Class<T> type, T impl) {
    requireNonNull(type, "type");
    requireNonNull(impl, "impl");
    if (!type.isInterface()) {
      throw new IllegalArgumentException("type: " + type.getName() + " (expected: an interface; use "
          + "service(Object) to register every public method of an object)");
    }
    register((table, mapper) -> table.addService(type, impl, mapper));
  }

  /** Registers every public instance method of {@code impl}'s class, except those of {@code Object}. */
  public void service(Object impl) {
    requireNonNull(impl, "impl");
    register((table, mapper) -> table.addService(impl.getClass(), impl, mapper));
  }

  /** Registers a single function under {@code name}. */
  public void function(String name, RpcHandler handler) {
    requireNonNull(name, "name");
    requireNonNull(handler, "handler");
    register((table, mapper) -> table.addFunction(name, handler, mapper));
  }

  private void register(Registration registration) {
    if (checkMapper == null) {
      checkMapper = mapperSoFar.get();
    }
    registration.apply(checked, checkMapper);
    registrations.add(registration);
  }

  /** Whether nothing was registered. */
  public boolean isEmpty() {
    return registrations.isEmpty();
  }

  /** Binds every registration with {@code mapper}, the one the built end uses. */
  public MethodTable build(ObjectMapper mapper) {
    return build(mapper, List.of());
  }

  /**
   * Binds every registration with {@code mapper}, the one the built end uses, and adds the protocol's own
   * methods that {@code builtIns} make from the registered methods' descriptors.
   */
  public MethodTable build(ObjectMapper mapper, List<Function<List<MethodDescriptor>, LocalMethod>> builtIns) {
    MethodTable.Builder table = new MethodTable.Builder();
    registrations.forEach(r -> r.apply(table, mapper));
    builtIns.forEach(table::addBuiltIn);
    return table.build();
  }
}
