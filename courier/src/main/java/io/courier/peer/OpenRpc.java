package io.courier.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.MethodDescriptor;
import io.courier.RpcError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in {@code rpc.discover} method: answers with an OpenRPC 1.3.2 document of the served methods, written
 * from their {@link MethodDescriptor}s. It is registered in the method table like any method, so that calls to it
 * pass through the same interceptors (authentication) and limits; other methods' calls never touch it.
 *
 * <p>The document is built on the first call, then cached: the methods never change once the end is built. A
 * type that cannot be described gets {@link JsonSchemas}' fallback schema; the call never fails for it.
 * Thread-safe.
 */
public final class OpenRpc extends BuiltInMethod {

  /** The discovery method's name, as the OpenRPC specification reserves it. */
  public static final String METHOD = "rpc.discover";
  /** The OpenRPC version the document follows. */
  static final String OPENRPC_VERSION = "1.3.2";
  /** The title in {@code info} unless the builder sets one. */
  public static final String DEFAULT_TITLE = "Courier JSON-RPC service";
  /** The version in {@code info} unless the builder sets one: the API's version is unknown. */
  public static final String DEFAULT_VERSION = "0.0.0";

  private static final Logger log = LoggerFactory.getLogger(OpenRpc.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String title;
  private final String version;
  private final ObjectMapper mapper;
  private final List<MethodDescriptor> methods;
  private volatile ObjectNode document;

  private OpenRpc(String title, String version, ObjectMapper mapper, List<MethodDescriptor> methods) {
    super(METHOD, "Returns this server's OpenRPC document.", mapper);
    this.title = title;
    this.version = version;
    this.mapper = mapper;
    this.methods = methods;
  }

  /**
   * Returns what makes the {@code rpc.discover} method from the served methods' descriptors, for
   * {@link MethodTable.Builder#addBuiltIn}.
   */
  public static Function<List<MethodDescriptor>, LocalMethod> discover(String title, String version,
      ObjectMapper mapper) {
    return methods -> new OpenRpc(title, version, mapper, methods);
  }

  /** Returns the document, building it on the first call. */
  ObjectNode document() {
    ObjectNode built = document;
    if (built == null) {
      synchronized (this) {
        built = document;
        if (built == null) {
          built = document(title, version, methods, mapper);
          document = built;
        }
      }
    }
    return built;
  }

  /** Writes the OpenRPC document of {@code methods} (sorted by name), with schemas as {@code mapper} writes. */
  static ObjectNode document(String title, String version, List<MethodDescriptor> methods, ObjectMapper mapper) {
    JsonSchemas schemas = new JsonSchemas(mapper);
    ObjectNode document = NODES.objectNode();
    document.put("openrpc", OPENRPC_VERSION);
    document.putObject("info").put("title", title).put("version", version);
    ArrayNode described = document.putArray("methods");
    // OpenRPC names are unique: overloads (by param count) share one entry, that of the fewest params.
    Map<String, List<MethodDescriptor>> byName = new LinkedHashMap<>();
    methods.forEach(m -> byName.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m));
    byName.forEach((name, overloads) -> described.add(method(overloads, schemas)));
    if (!schemas.components().isEmpty()) {
      ObjectNode components = document.putObject("components").putObject("schemas");
      schemas.components().forEach(components::set);
    }
    return document;
  }

  private static ObjectNode method(List<MethodDescriptor> overloads, JsonSchemas schemas) {
    MethodDescriptor method = overloads.get(0);
    ObjectNode node = NODES.objectNode().put("name", method.name());
    try {
      describe(method, overloads, node, schemas);
    } catch (RuntimeException e) {
      // Never expected, since schemas fall back by themselves; a method still gets a valid entry if it happens.
      log.warn("Cannot describe method {} in the OpenRPC document", method.name(), e);
      node.removeAll();
      node.put("name", method.name()).put("description", JsonSchemas.UNDESCRIBED + " " + e);
      node.putArray("params");
    }
    return node;
  }

  private static void describe(MethodDescriptor method, List<MethodDescriptor> overloads, ObjectNode node,
      JsonSchemas schemas) {
    String description = method.description();
    if (overloads.size() > 1) {
      StringBuilder also = new StringBuilder(description.isEmpty() ? "" : description + " ");
      also.append("Overloaded: also takes");
      for (int i = 1; i < overloads.size(); i++) {
        MethodDescriptor other = overloads.get(i);
        also.append(i > 1 ? "," : "").append(' ')
            .append(other.anyParams() ? "any number of" : String.valueOf(other.params().size()));
      }
      description = also.append(" params; only this overload is described.").toString();
    }
    if (!description.isEmpty()) {
      node.put("description", description);
    }
    if (!method.service().isEmpty()) {
      ObjectNode tag = node.putArray("tags").addObject().put("name", method.service());
      if (!method.serviceDescription().isEmpty()) {
        tag.put("description", method.serviceDescription());
      }
    }
    node.put("paramStructure", method.paramsByName() ? "either" : "by-position");
    ArrayNode params = node.putArray("params");
    for (MethodDescriptor.ParamDescriptor param : method.params()) {
      ObjectNode schema = schemas.schema(param.type());
      ObjectNode described = params.addObject().put("name", param.name());
      if (!param.description().isEmpty()) {
        described.put("description", param.description());
      }
      described.put("required", param.required()).set("schema", schema);
      if (param.varargs()) {
        described.put("x-courier-varargs", true);
      }
    }
    if (method.anyParams()) {
      node.put("x-courier-any-params", true);
    }
    if (!method.notification()) {
      ObjectNode result = node.putObject("result").put("name", "result");
      result.set("schema", schemas.schema(method.resultType()));
      if (method.subscription()) {
        result.put("description", "A subscription: the items it publishes, each as this schema describes.");
        result.put(JsonSchemas.SUBSCRIPTION, true);
        node.put(JsonSchemas.SUBSCRIPTION, true);
      }
    }
    if (!method.errors().isEmpty()) {
      ArrayNode errors = node.putArray("errors");
      for (Class<? extends Throwable> error : method.errors()) {
        ObjectNode entry = errors.addObject()
            .put("code", RpcError.DECLARED_EXCEPTION_CODE)
            .put("message", error.getSimpleName());
        entry.putObject("data").put("type", error.getSimpleName());
      }
    }
  }

  @Override
  public Object invoke(Object[] bound) {
    // A copy, so that an interceptor that changes the result cannot change what later calls get.
    return document().deepCopy();
  }

  @Override
  public String toString() {
    return METHOD + " -> OpenRPC document";
  }
}
