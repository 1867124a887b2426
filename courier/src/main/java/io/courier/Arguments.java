package io.courier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The arguments of a call to an {@link RpcHandler}: positional arguments (the tutorial's {@code args}, or
 * JSON-RPC params by position) and keyword arguments (its {@code kwargs}, or params by name), as JSON trees,
 * with typed accessors that bind through the serving end's {@link ObjectMapper}.
 *
 * <p>Immutable; safe to read from any thread.
 */
public final class Arguments {

  private final List<JsonNode> args;
  private final Map<String, JsonNode> kwargs;
  private final ObjectMapper mapper;

  /**
   * For the method table, which makes one per call; applications receive arguments and never make them. The
   * list and map are wrapped, not copied: the table builds them fresh for each call and keeps no reference.
   */
  @Internal
  public Arguments(List<JsonNode> args, Map<String, JsonNode> kwargs, ObjectMapper mapper) {
    this.args = Collections.unmodifiableList(args);
    this.kwargs = Collections.unmodifiableMap(kwargs);
    this.mapper = mapper;
  }

  /** Returns the positional arguments. */
  public List<JsonNode> args() {
    return args;
  }

  /** Returns the keyword (named) arguments, in the order they were sent. */
  public Map<String, JsonNode> kwargs() {
    return kwargs;
  }

  /**
   * Returns positional argument {@code index} bound to {@code type}.
   *
   * @throws RpcException with {@link RpcError#INVALID_PARAMS} when it is missing or does not bind
   */
  public <T> T arg(int index, Class<T> type) {
    if (index < 0 || index >= args.size()) {
      throw new RpcException(RpcError.INVALID_PARAMS.withMessage(
          "Invalid params: missing positional argument " + index));
    }
    return bind(args.get(index), type, "argument " + index);
  }

  /**
   * Returns keyword argument {@code name} bound to {@code type}, or {@code null} when it was not sent.
   *
   * @throws RpcException with {@link RpcError#INVALID_PARAMS} when it does not bind
   */
  public <T> T kwarg(String name, Class<T> type) {
    JsonNode value = kwargs.get(name);
    return value == null ? null : bind(value, type, "argument '" + name + "'");
  }

  private <T> T bind(JsonNode value, Class<T> type, String what) {
    try {
      return mapper.treeToValue(value, type);
    } catch (Exception e) {
      throw new RpcException(RpcError.INVALID_PARAMS.withMessage(
          "Invalid params: " + what + " is not a " + type.getSimpleName()));
    }
  }

  @Override
  public String toString() {
    return "Arguments" + args + kwargs;
  }
}
