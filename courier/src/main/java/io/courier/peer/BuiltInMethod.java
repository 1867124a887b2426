package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.MethodDescriptor;
import io.courier.RpcError;
import io.courier.RpcException;
import java.lang.annotation.Annotation;
import java.util.List;

/**
 * A method the end itself serves under a reserved {@code rpc.} name ({@code rpc.discover}, the web console's
 * snapshot): it takes no params, answers with a JSON tree, runs on a worker like any method so that it passes the
 * interceptors, declares nothing and has no annotations. Subclasses say what it answers. Immutable and thread-safe
 * when {@link #invoke} is.
 */
public abstract class BuiltInMethod implements LocalMethod {

  private final MethodDescriptor descriptor;
  private final ObjectWriter writer;

  /** A built-in named {@code name}, described by {@code description}, whose results {@code mapper} writes. */
  protected BuiltInMethod(String name, String description, ObjectMapper mapper) {
    this.descriptor = new MethodDescriptor(name, description, "", "", List.of(), false, true, JsonNode.class, false,
        false, List.of());
    this.writer = mapper.writerFor(JsonNode.class);
  }

  @Override
  public final String name() {
    return descriptor.name();
  }

  @Override
  public final MethodDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public final int arity() {
    return 0;
  }

  @Override
  public final Object[] bind(ArrayNode args, ObjectNode kwargs) {
    if ((args != null && !args.isEmpty()) || (kwargs != null && !kwargs.isEmpty())) {
      throw new RpcException(RpcError.INVALID_PARAMS.withData(
          JsonNodeFactory.instance.textNode(name() + " takes no params")));
    }
    return new Object[0];
  }

  @Override
  public final ObjectWriter resultWriter() {
    return writer;
  }

  @Override
  public final boolean nonBlocking() {
    return false;
  }

  @Override
  public final boolean declares(Throwable thrown) {
    return false;
  }

  @Override
  public final <A extends Annotation> A annotation(Class<A> type) {
    return null;
  }
}
