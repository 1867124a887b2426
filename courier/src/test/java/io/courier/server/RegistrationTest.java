package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.RpcMethod;
import io.courier.RpcService;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Registration rules, checked on a built but never started server (no sockets). */
@Timeout(30)
class RegistrationTest {

  interface SameArity {
    int add(int a, int b);

    int add(long a, long b);
  }

  interface DifferentArity {
    int add(int a, int b);

    int add(int a, int b, int c);
  }

  interface TakesThread {
    void run(Thread thread);
  }

  interface TakesClass {
    void load(Class<?> type);
  }

  interface TakesInputStream {
    void upload(InputStream in);
  }

  interface TakesRunnable {
    void submit(Runnable task);
  }

  interface TakesListOfRunnable {
    void submitAll(List<Runnable> tasks);
  }

  interface ReturnsFuture {
    Future<String> later();
  }

  interface ReservedName {
    @RpcMethod("rpc.discover")
    String discover();
  }

  @RpcService("calc")
  interface Calculator {
    int add(int a, int b);

    @RpcMethod("math/multiply")
    int multiply(int a, int b);
  }

  /** A plain class (not an interface) that also overrides the usual {@code Object} methods. */
  public static final class PlainService {
    public String hello() {
      return "hi";
    }

    @Override
    public String toString() {
      return "PlainService";
    }

    @Override
    public int hashCode() {
      return 1;
    }

    @Override
    public boolean equals(Object o) {
      return o == this;
    }
  }

  /** A plain class that inherits every {@code Object} method unchanged. */
  public static final class InheritsObjectMethods {
    public String hello() {
      return "hi";
    }
  }

  private static <T> T impl(Class<T> type) {
    // Registration never calls the implementation, so a proxy that fails every call is enough.
    return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          throw new AssertionError("not called in registration tests");
        }));
  }

  @Test
  void overloadsWithTheSameArityFailNamingTheMethod() {
    assertThatThrownBy(() -> RpcServer.builder().service(SameArity.class, impl(SameArity.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SameArity.add");
  }

  @Test
  void overloadsWithDifferentAritiesAreBothRegistered() {
    RpcServer server = RpcServer.builder()
        .service(DifferentArity.class, impl(DifferentArity.class))
        .build();

    assertThat(server.methods()).containsExactly("add");
  }

  @Test
  void threadParamFailsNamingTheMethod() {
    assertThatThrownBy(() -> RpcServer.builder().service(TakesThread.class, impl(TakesThread.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TakesThread.run")
        .hasMessageContaining("Thread");
  }

  @Test
  void classParamFailsNamingTheMethod() {
    assertThatThrownBy(() -> RpcServer.builder().service(TakesClass.class, impl(TakesClass.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TakesClass.load");
  }

  @Test
  void inputStreamParamFailsNamingTheMethod() {
    assertThatThrownBy(() -> RpcServer.builder().service(TakesInputStream.class, impl(TakesInputStream.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TakesInputStream.upload");
  }

  @Test
  void nonCollectionInterfaceParamFailsNamingTheMethod() {
    assertThatThrownBy(() -> RpcServer.builder().service(TakesRunnable.class, impl(TakesRunnable.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TakesRunnable.submit")
        .hasMessageContaining("Runnable");
  }

  @Test
  void unsupportedTypeInsideAGenericParamFailsNamingTheMethod() {
    assertThatThrownBy(() -> RpcServer.builder()
        .service(TakesListOfRunnable.class, impl(TakesListOfRunnable.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TakesListOfRunnable.submitAll");
  }

  @Test
  void futureReturnTypeFailsNamingTheMethod() {
    assertThatThrownBy(() -> RpcServer.builder().service(ReturnsFuture.class, impl(ReturnsFuture.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ReturnsFuture.later");
  }

  @Test
  void rpcPrefixedMethodNameFails() {
    assertThatThrownBy(() -> RpcServer.builder().service(ReservedName.class, impl(ReservedName.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rpc.discover")
        .hasMessageContaining("ReservedName.discover");
  }

  @Test
  void rpcPrefixedFunctionNameFails() {
    assertThatThrownBy(() -> RpcServer.builder().method("rpc.ping", args -> "pong"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rpc.ping");
  }

  @Test
  void duplicateFunctionNameFails() {
    RpcServerBuilder builder = RpcServer.builder().method("echo", args -> "first");

    assertThatThrownBy(() -> builder.method("echo", args -> "second"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("echo");
  }

  @Test
  void functionNameClashingWithAServiceMethodFails() {
    RpcServerBuilder builder = RpcServer.builder().service(Calculator.class, impl(Calculator.class));

    assertThatThrownBy(() -> builder.method("calc.add", args -> 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("calc.add");
  }

  @Test
  void objectMethodsAreNeverRegisteredForAPlainObject() {
    RpcServer server = RpcServer.builder().service(new InheritsObjectMethods()).build();

    assertThat(server.methods()).containsExactly("hello");
  }

  @Test
  void overriddenObjectMethodsAreNeverRegistered() {
    RpcServer server = RpcServer.builder().service(new PlainService()).build();

    assertThat(server.methods())
        .doesNotContain("toString", "hashCode", "equals", "getClass", "wait", "notify", "notifyAll")
        .containsExactly("hello");
  }

  @Test
  void serviceWithAClassInsteadOfAnInterfaceFails() {
    assertThatThrownBy(() -> RpcServer.builder().service(PlainService.class, new PlainService()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PlainService.class.getName());
  }

  @Test
  void servicePrefixAndExplicitMethodNamesAreTheWireNames() {
    RpcServer server = RpcServer.builder().service(Calculator.class, impl(Calculator.class)).build();

    assertThat(server.methods()).containsExactlyInAnyOrder("calc.add", "math/multiply");
  }

  @Test
  void functionsAreListedUnderTheirNames() {
    RpcServer server = RpcServer.builder()
        .method("test", args -> "the test function has been called")
        .method("notify_hello", args -> null)
        .build();

    assertThat(server.methods()).containsExactlyInAnyOrder("test", "notify_hello");
  }
}
