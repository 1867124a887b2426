package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Idempotent;
import io.courier.NonBlocking;
import io.courier.Notification;
import io.courier.Param;
import io.courier.RpcMethod;
import io.courier.RpcService;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What reflection reads from a service type, once, for both ends; no sockets. */
@Timeout(30)
class MethodModelTest {

  interface Plain {
    int add(int a, int b);

    @RpcMethod("math/multiply")
    int multiply(int a, int b);
  }

  /** Annotations written only for descriptions: the names stay what they would be without them. */
  @RpcService(description = "Only described.")
  interface DescribedOnly {
    @RpcMethod(description = "Adds.")
    int add(int a, @Param(description = "The other one.") int b);
  }

  @RpcService("calc")
  interface Calculator {
    int add(int a, int b);

    @RpcMethod("math/multiply")
    int multiply(int a, int b);
  }

  /** Inherits {@link Plain}'s methods; its own prefix applies to them when it is the registered type. */
  @RpcService("sub")
  interface Sub extends Plain {}

  interface Throwing {
    void catchAlls() throws Throwable, Exception, RuntimeException, Error;

    void io() throws IOException, Exception;
  }

  interface Results {
    int primitive();

    void nothing();

    List<String> list();

    CompletableFuture<Map<String, Integer>> future();

    CompletionStage<Long> stage();

    @SuppressWarnings("rawtypes")
    CompletableFuture raw();

    CompletableFuture<Void> done();
  }

  @Idempotent
  interface AllIdempotent {
    String read();
  }

  interface Flags {
    @Notification
    void hello(String who);

    @Idempotent
    String read();

    @NonBlocking
    String fast();

    String slow();
  }

  @NonBlocking
  interface AllNonBlocking {
    String fast();
  }

  @NonBlocking
  static final class NonBlockingImpl implements Flags {
    @Override
    public void hello(String who) {}

    @Override
    public String read() {
      return "";
    }

    @Override
    public String fast() {
      return "";
    }

    @Override
    public String slow() {
      return "";
    }
  }

  interface Params {
    String greet(@Param("who") String name, @Param("times") int times, @Param("ids") List<Long> ids);

    int sum(int... values);
  }

  interface WithDefaultAndStatic {
    String remote();

    default String local() {
      return "local " + remote();
    }

    static WithDefaultAndStatic none() {
      return null;
    }
  }

  /** A plain class: its public instance methods are the service, never those of {@code Object}. */
  public static final class PlainClass {
    public String hello() {
      return "hi";
    }

    public static String helper() {
      return "static";
    }

    @Override
    public String toString() {
      return "PlainClass";
    }
  }

  private static MethodModel model(Class<?> type, String name) {
    for (Method method : type.getMethods()) {
      if (method.getName().equals(name)) {
        return MethodModel.of(type, method);
      }
    }
    throw new AssertionError("no method " + name + " on " + type);
  }

  @Test
  void wireNameIsTheJavaNameWithoutAnnotations() {
    assertThat(model(Plain.class, "add").wireName()).isEqualTo("add");
  }

  @Test
  void rpcServiceOfTheServiceTypePrefixesTheWireName() {
    assertThat(model(Calculator.class, "add").wireName()).isEqualTo("calc.add");
  }

  @Test
  void rpcMethodValueIsTheWholeWireNameWithOrWithoutAPrefix() {
    assertThat(model(Plain.class, "multiply").wireName()).isEqualTo("math/multiply");
    assertThat(model(Calculator.class, "multiply").wireName()).isEqualTo("math/multiply");
  }

  @Test
  void prefixComesFromTheTypeTheMethodIsReadAsNotTheOneThatDeclaresIt() {
    MethodModel inherited = model(Sub.class, "add");

    assertThat(inherited.wireName()).isEqualTo("sub.add");
    assertThat(inherited.javaName()).isEqualTo("Plain.add");
    assertThat(inherited.serviceType()).isEqualTo(Sub.class);
  }

  @Test
  void catchAllExceptionTypesAreNeverDeclared() {
    assertThat(model(Throwing.class, "catchAlls").declaredExceptions()).isEmpty();
    assertThat(model(Throwing.class, "io").declaredExceptions()).containsExactly(IOException.class);
  }

  @Test
  void declaresMatchesSubclassesOfADeclaredTypeOnly() {
    MethodModel io = model(Throwing.class, "io");

    assertThat(io.declares(new FileNotFoundException("gone"))).isTrue();
    assertThat(io.declares(new IllegalStateException("bug"))).isFalse();
    assertThat(io.declares(new Exception("anything"))).isFalse();
    assertThat(model(Throwing.class, "catchAlls").declares(new Error("fatal"))).isFalse();
  }

  @Test
  void futuresAndStagesAreAsyncAndTheirValueTypeIsTheResult() {
    MethodModel future = model(Results.class, "future");
    MethodModel stage = model(Results.class, "stage");

    assertThat(future.async()).isTrue();
    assertThat(future.resultType()).isInstanceOf(ParameterizedType.class);
    assertThat(future.resultType().getTypeName()).isEqualTo("java.util.Map<java.lang.String, java.lang.Integer>");
    assertThat(stage.async()).isTrue();
    assertThat(stage.resultType()).isEqualTo(Long.class);
  }

  @Test
  void rawFutureResultIsAnyValueAndVoidFutureIsVoid() {
    assertThat(model(Results.class, "raw").resultType()).isEqualTo(Object.class);
    assertThat(model(Results.class, "done").resultType()).isEqualTo(Void.class);
  }

  @Test
  void synchronousResultIsTheReturnTypeWithVoidAsVoidAndPrimitivesKept() {
    assertThat(model(Results.class, "primitive").async()).isFalse();
    assertThat(model(Results.class, "primitive").resultType()).isEqualTo(int.class);
    assertThat(model(Results.class, "nothing").resultType()).isEqualTo(Void.class);
    assertThat(model(Results.class, "list").resultType().getTypeName())
        .isEqualTo("java.util.List<java.lang.String>");
  }

  @Test
  void notificationAndIdempotentComeFromTheirAnnotations() {
    assertThat(model(Flags.class, "hello").notification()).isTrue();
    assertThat(model(Flags.class, "read").notification()).isFalse();
    assertThat(model(Flags.class, "read").idempotent()).isTrue();
    assertThat(model(Flags.class, "slow").idempotent()).isFalse();
  }

  @Test
  void idempotentOnTheServiceTypeMarksEveryMethod() {
    assertThat(model(AllIdempotent.class, "read").idempotent()).isTrue();
  }

  @Test
  void nonBlockingComesFromTheMethodTheDeclaringTypeOrTheImplementation() {
    assertThat(model(Flags.class, "fast").nonBlocking()).isTrue();
    assertThat(model(AllNonBlocking.class, "fast").nonBlocking()).isTrue();
    assertThat(model(Flags.class, "slow").nonBlocking()).isFalse();
    assertThat(model(Flags.class, "slow").nonBlocking(Object.class)).isFalse();
    assertThat(model(Flags.class, "slow").nonBlocking(NonBlockingImpl.class)).isTrue();
  }

  @Test
  void paramsCarryTheirWireNamesAndGenericTypes() {
    List<MethodModel.ParamModel> params = model(Params.class, "greet").params();

    assertThat(params).extracting(MethodModel.ParamModel::name).containsExactly("who", "times", "ids");
    assertThat(params.get(1).rawType()).isEqualTo(int.class);
    assertThat(params.get(2).type().getTypeName()).isEqualTo("java.util.List<java.lang.Long>");
    assertThat(model(Params.class, "greet").varargs()).isFalse();
    assertThat(model(Params.class, "sum").varargs()).isTrue();
  }

  @Test
  void serviceModelOfAnInterfaceKeepsDefaultMethodsAndSkipsStaticOnes() {
    assertThat(ServiceModel.of(WithDefaultAndStatic.class).methods())
        .extracting(MethodModel::wireName)
        .containsExactlyInAnyOrder("remote", "local");
  }

  @Test
  void serviceModelOfAClassListsPublicInstanceMethodsButNoneOfObject() {
    assertThat(ServiceModel.of(PlainClass.class).methods())
        .extracting(MethodModel::wireName)
        .containsExactly("hello");
  }

  @Test
  void boundMethodServesUnderTheModelsWireNameAndDeclaredTypes() {
    MethodModel io = model(Throwing.class, "io");
    Throwing target = new Throwing() {
      @Override
      public void catchAlls() {}

      @Override
      public void io() {}
    };

    LocalMethod bound = BoundMethod.bind(io, target, new ObjectMapper());

    assertThat(bound.name()).isEqualTo(io.wireName());
    assertThat(bound.declares(new FileNotFoundException("gone"))).isTrue();
    assertThat(bound.declares(new Error("fatal"))).isFalse();
  }

  @Test
  void boundMethodIsNonBlockingWhenItsImplementationClassIsMarked() {
    LocalMethod bound = BoundMethod.bind(model(Flags.class, "slow"), new NonBlockingImpl(), new ObjectMapper());

    assertThat(bound.nonBlocking()).isTrue();
    assertThat(bound.annotation(NonBlocking.class)).isNotNull();
  }

  @Test
  void annotationsWithOnlyADescriptionKeepTheUsualNames() {
    MethodModel add = ServiceModel.of(DescribedOnly.class).methods().get(0);

    assertThat(add.wireName()).isEqualTo("add");
    assertThat(add.description()).isEqualTo("Adds.");
    assertThat(add.params()).extracting(MethodModel.ParamModel::name).containsExactly("a", "b");
    assertThat(add.params()).extracting(MethodModel.ParamModel::description).containsExactly("", "The other one.");
  }
}
