package io.courier.peer;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.MethodDescriptor;
import io.courier.RpcError;
import io.courier.RpcException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.temporal.Temporal;
import java.time.temporal.TemporalAmount;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java method of a service object, bound once at registration from its {@link MethodModel}: a method handle
 * that takes an {@code Object[]}, a prepared Jackson reader per parameter and a prepared writer for the result.
 * A call does no reflection. Immutable; thread-safe as far as the service object is.
 */
final class BoundMethod implements LocalMethod {

  private static final Logger log = LoggerFactory.getLogger(BoundMethod.class);

  /** One parameter: its wire name (null when unknown), prepared reader and how a missing value binds. */
  private record ParamSpec(String name, ObjectReader reader, String typeName, boolean primitive,
      boolean optional) {}

  private final MethodModel model;
  private final MethodDescriptor descriptor;
  private final MethodHandle handle;
  private final ParamSpec[] params;
  private final Map<String, Integer> indexByName;
  private final boolean varargs;
  private final ObjectWriter resultWriter;
  private final boolean nonBlocking;
  private final Class<?> targetClass;

  private BoundMethod(MethodModel model, MethodHandle handle, ParamSpec[] params, ObjectWriter resultWriter,
      Class<?> targetClass) {
    this.model = model;
    this.descriptor = model.descriptor();
    this.handle = handle;
    this.params = params;
    this.varargs = model.varargs();
    this.resultWriter = resultWriter;
    this.nonBlocking = model.nonBlocking(targetClass);
    this.targetClass = targetClass;
    this.indexByName = new HashMap<>();
    for (int i = 0; i < params.length; i++) {
      if (params[i].name != null) {
        indexByName.put(params[i].name, i);
      }
    }
  }

  /**
   * Binds the method {@code model} describes on {@code target}, under the model's wire name.
   *
   * @throws IllegalArgumentException naming the method when it cannot be served
   */
  static BoundMethod bind(MethodModel model, Object target, ObjectMapper mapper) {
    String javaName = model.javaName();
    List<MethodModel.ParamModel> parameters = model.params();
    ParamSpec[] specs = new ParamSpec[parameters.size()];
    boolean namesKnown = true;
    for (int i = 0; i < specs.length; i++) {
      MethodModel.ParamModel parameter = parameters.get(i);
      checkSupported(parameter.type(), "parameter " + i + " of method " + javaName);
      JavaType javaType = mapper.constructType(parameter.type());
      namesKnown &= parameter.name() != null;
      specs[i] = new ParamSpec(parameter.name(), mapper.readerFor(javaType), describe(javaType),
          parameter.rawType().isPrimitive(), parameter.rawType() == Optional.class);
    }
    if (!namesKnown) {
      log.warn("Parameter names of method {} are unknown (compile with -parameters or use @Param): it can "
          + "be called with params by position only", javaName);
    }
    return new BoundMethod(model, methodHandle(model.method(), target, javaName), specs,
        resultWriter(model, mapper), target.getClass());
  }

  @Override
  public <A extends Annotation> A annotation(Class<A> type) {
    return model.annotation(type, targetClass);
  }

  private static MethodHandle methodHandle(Method method, Object target, String javaName) {
    MethodHandle raw;
    try {
      raw = MethodHandles.publicLookup().unreflect(method);
    } catch (IllegalAccessException e) {
      // A public method of a non-public class (common for services written as nested classes): open it
      // once here, so that calls never need reflection.
      try {
        method.setAccessible(true);
        raw = MethodHandles.lookup().unreflect(method);
      } catch (RuntimeException | IllegalAccessException inaccessible) {
        throw new IllegalArgumentException("Cannot access method " + javaName + ": " + inaccessible, e);
      }
    }
    int arity = method.getParameterCount();
    return raw.asFixedArity()
        .bindTo(target)
        .asSpreader(Object[].class, arity)
        .asType(MethodType.methodType(Object.class, Object[].class));
  }

  private static ObjectWriter resultWriter(MethodModel model, ObjectMapper mapper) {
    Class<?> raw = model.method().getReturnType();
    if (!model.async() && Future.class.isAssignableFrom(raw)) {
      throw new IllegalArgumentException("Unsupported return type " + raw.getSimpleName()
          + " (expected: a value, void, CompletableFuture/CompletionStage or Flow.Publisher) for method "
          + model.javaName());
    }
    Type type = model.resultType();
    if (type == Void.class) {
      return mapper.writerFor(Object.class);
    }
    if (type instanceof Class<?> c && c.isPrimitive()) {
      type = MethodType.methodType(c).wrap().returnType();
    }
    checkSupported(type, "return type of method " + model.javaName());
    return mapper.writerFor(mapper.constructType(type));
  }

  /** Rejects types that cannot come from JSON or that no service should take from a peer. */
  private static void checkSupported(Type type, String what) {
    Class<?> raw = rawClass(type);
    if (raw == Object.class || raw.isPrimitive() || raw.isArray() || raw.isEnum() || raw.isRecord()) {
      if (raw.isArray()) {
        checkSupported(raw.getComponentType(), what);
      }
      return;
    }
    boolean forbidden = raw == Class.class
        || ClassLoader.class.isAssignableFrom(raw)
        || Thread.class.isAssignableFrom(raw)
        || InputStream.class.isAssignableFrom(raw)
        || OutputStream.class.isAssignableFrom(raw)
        || Future.class.isAssignableFrom(raw)
        || CompletionStage.class.isAssignableFrom(raw)
        || raw.getName().startsWith("java.lang.reflect.")
        || raw.getName().startsWith("java.lang.invoke.");
    boolean abstractWithoutDefault = (raw.isInterface() || Modifier.isAbstract(raw.getModifiers()))
        && !Collection.class.isAssignableFrom(raw)
        && !Map.class.isAssignableFrom(raw)
        && !JsonNode.class.isAssignableFrom(raw)
        && !Number.class.isAssignableFrom(raw)
        && !CharSequence.class.isAssignableFrom(raw)
        && !Temporal.class.isAssignableFrom(raw)
        && !TemporalAmount.class.isAssignableFrom(raw)
        && raw != Iterable.class;
    if (forbidden || abstractWithoutDefault) {
      throw new IllegalArgumentException("Unsupported type " + type.getTypeName()
          + " (expected: a JSON-bindable type such as a primitive, String, enum, record, POJO, array, "
          + "collection or map) for " + what);
    }
    if (type instanceof ParameterizedType p) {
      for (Type argument : p.getActualTypeArguments()) {
        if (argument instanceof Class<?> || argument instanceof ParameterizedType) {
          checkSupported(argument, what);
        }
      }
    }
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    // Type variables and wildcards bind as their bound, which Jackson reads as Object.
    return Object.class;
  }

  private static String describe(JavaType type) {
    return type.getRawClass().getSimpleName();
  }

  @Override
  public String name() {
    return model.wireName();
  }

  @Override
  public MethodDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public int arity() {
    return varargs ? -1 : params.length;
  }

  @Override
  public Object[] bind(ArrayNode args, ObjectNode kwargs) {
    int n = params.length;
    Object[] bound = new Object[n];
    boolean[] given = new boolean[n];
    int positional = args == null ? 0 : args.size();
    int fixed = varargs ? n - 1 : n;
    if (positional > fixed && !varargs) {
      throw invalid("expected at most " + n + " params, got " + positional);
    }
    for (int i = 0; i < Math.min(positional, fixed); i++) {
      bound[i] = read(i, args.get(i));
      given[i] = true;
    }
    if (varargs && positional > fixed) {
      ArrayNode rest = JsonNodeFactory.instance.arrayNode(positional - fixed);
      for (int i = fixed; i < positional; i++) {
        rest.add(args.get(i));
      }
      bound[fixed] = read(fixed, rest);
      given[fixed] = true;
    }
    if (kwargs != null) {
      var fields = kwargs.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        Integer index = indexByName.get(field.getKey());
        if (index == null) {
          throw invalid(indexByName.isEmpty() && n > 0
              ? "parameter names are unknown; pass params by position"
              : "unknown parameter name");
        }
        if (given[index]) {
          throw invalid("parameter '" + params[index].name + "' given twice");
        }
        bound[index] = read(index, field.getValue());
        given[index] = true;
      }
    }
    for (int i = 0; i < n; i++) {
      if (!given[i]) {
        bound[i] = missing(i);
      }
    }
    return bound;
  }

  private Object read(int index, JsonNode value) {
    ParamSpec spec = params[index];
    try {
      return spec.reader.readValue(value);
    } catch (Exception e) {
      throw invalid("parameter " + label(index) + " expects " + spec.typeName);
    }
  }

  private Object missing(int index) {
    ParamSpec spec = params[index];
    if (spec.optional) {
      return Optional.empty();
    }
    if (varargs && index == params.length - 1) {
      return read(index, JsonNodeFactory.instance.arrayNode());
    }
    if (spec.primitive) {
      throw invalid("missing required parameter " + label(index));
    }
    return null;
  }

  private String label(int index) {
    String paramName = params[index].name;
    return paramName == null ? "#" + index : "'" + paramName + "'";
  }

  private static RpcException invalid(String detail) {
    return new RpcException(RpcError.INVALID_PARAMS.withData(JsonNodeFactory.instance.textNode(detail)));
  }

  @Override
  public Object invoke(Object[] bound) throws Throwable {
    return (Object) handle.invokeExact(bound);
  }

  @Override
  public ObjectWriter resultWriter() {
    return resultWriter;
  }

  @Override
  public boolean nonBlocking() {
    return nonBlocking;
  }

  @Override
  public boolean declares(Throwable thrown) {
    return model.declares(thrown);
  }

  @Override
  public String toString() {
    return model.toString();
  }
}
