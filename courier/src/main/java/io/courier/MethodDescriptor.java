package io.courier;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Type;
import java.util.List;

/**
 * What a served method looks like from outside: its wire name, its params, its result and its declared errors,
 * with the descriptions written in {@link RpcMethod#description()}, {@link Param#description()} and
 * {@link RpcService#description()}. A server builds one per registered method when it is built and lists them
 * from {@code RpcServer.describeMethods()}; its OpenRPC document ({@code rpc.discover}) is written from them.
 *
 * <p>A function registered with {@code RpcServerBuilder.method(name, handler)} has no typed params: it is
 * described with {@link #anyParams()} true, no {@link #params()} and an {@code Object} result.
 *
 * <p>Immutable; thread-safe.
 *
 * @param name the wire name
 * @param description what the method does; empty when none was written
 * @param service the name of the service it belongs to: the {@link RpcService} prefix, else the simple name of
 *     the registered type; empty for a function
 * @param serviceDescription the service's {@link RpcService#description()}; empty when none was written
 * @param params its params, in order; empty for a method without params and for a function
 * @param anyParams whether it takes any params, as a function does, rather than those {@code params} lists
 * @param paramsByName whether its params can be passed by name (their names are known), not only by position
 * @param resultType the type of its result: what a {@code CompletionStage} completes with, or the type of the
 *     items a {@code Flow.Publisher} publishes; {@code Void} for {@code void}
 * @param subscription whether it returns a {@code Flow.Publisher}: a call subscribes to a stream of items
 * @param notification whether it is a {@link Notification}: a call gets no reply
 * @param errors the exception types its {@code throws} clause declares; a peer gets them as error
 *     {@value RpcError#DECLARED_EXCEPTION_CODE}
 */
@Experimental
public record MethodDescriptor(
    String name,
    String description,
    String service,
    String serviceDescription,
    List<ParamDescriptor> params,
    boolean anyParams,
    boolean paramsByName,
    Type resultType,
    boolean subscription,
    boolean notification,
    List<Class<? extends Throwable>> errors) {

  /** Checks for nulls and copies the lists. */
  public MethodDescriptor {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(service, "service");
    requireNonNull(serviceDescription, "serviceDescription");
    params = List.copyOf(params);
    requireNonNull(resultType, "resultType");
    errors = List.copyOf(errors);
  }

  /**
   * One param of a method. Immutable; thread-safe.
   *
   * @param name its wire name, or {@code arg0}, {@code arg1}... when it is not known (the method was compiled
   *     without {@code -parameters} and has no {@link Param}): it can then be passed by position only
   * @param description what it means; empty when none was written
   * @param type its generic Java type
   * @param required whether a call must pass it: a primitive is required; a missing reference binds as
   *     {@code null}, a missing {@code Optional} as empty, and missing varargs as none
   * @param varargs whether it is the method's varargs param: its values may also be passed by position, one
   *     param each
   */
  @Experimental
  public record ParamDescriptor(String name, String description, Type type, boolean required, boolean varargs) {

    /** Checks for nulls. */
    public ParamDescriptor {
      requireNonNull(name, "name");
      requireNonNull(description, "description");
      requireNonNull(type, "type");
    }
  }
}
