package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.Arguments;
import io.courier.MethodDescriptor;
import io.courier.RpcHandler;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A single {@link RpcHandler} function: it takes any params, as the tutorial's {@code *args, **kwargs}.
 * Immutable; thread-safe as far as the handler is.
 */
final class FunctionMethod implements LocalMethod {

  /** What a function's description says, since nothing else describes it. */
  static final String ANY_PARAMS = "A function: takes any params, by position or by name, and returns any JSON.";

  private final String name;
  private final RpcHandler handler;
  private final ObjectMapper mapper;
  private final ObjectWriter writer;
  private final MethodDescriptor descriptor;

  FunctionMethod(String name, RpcHandler handler, ObjectMapper mapper) {
    this.name = name;
    this.handler = handler;
    this.mapper = mapper;
    this.writer = mapper.writerFor(Object.class);
    // A handler reads its params itself: nothing says which it takes or what it returns, so any of either.
    this.descriptor = new MethodDescriptor(name, ANY_PARAMS, "", "", List.of(), true, true, Object.class, false, false,
        List.of());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public MethodDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public int arity() {
    return -1;
  }

  @Override
  public Object[] bind(ArrayNode args, ObjectNode kwargs) {
    List<JsonNode> positional = new ArrayList<>(args == null ? 0 : args.size());
    if (args != null) {
      args.forEach(positional::add);
    }
    Map<String, JsonNode> named = new LinkedHashMap<>();
    if (kwargs != null) {
      kwargs.properties().forEach(e -> named.put(e.getKey(), e.getValue()));
    }
    return new Object[] {new Arguments(positional, named, mapper)};
  }

  @Override
  public Object invoke(Object[] bound) throws Exception {
    return handler.handle((Arguments) bound[0]);
  }

  @Override
  public ObjectWriter resultWriter() {
    return writer;
  }

  @Override
  public boolean nonBlocking() {
    return false;
  }

  @Override
  public boolean declares(Throwable thrown) {
    return false;
  }

  @Override
  public <A extends Annotation> A annotation(Class<A> type) {
    return null;
  }
}
