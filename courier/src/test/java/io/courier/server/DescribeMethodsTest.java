package io.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.MethodDescriptor;
import io.courier.MethodDescriptor.ParamDescriptor;
import io.courier.Notification;
import io.courier.Param;
import io.courier.RpcMethod;
import io.courier.RpcService;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RpcServer#describeMethods()}: what each registered method looks like from outside; no sockets. */
@Timeout(30)
class DescribeMethodsTest {

  @RpcService(value = "shop", description = "A small shop.")
  interface Shop {
    @RpcMethod(description = "Finds items by name.")
    List<String> find(@Param(description = "Part of the name.") String query, Optional<Integer> limit, int page);

    @RpcMethod(value = "shop/price", description = "The price of one item.")
    CompletableFuture<Double> price(@Param("item_id") long id) throws IOException;

    Flow.Publisher<String> watch();

    @Notification
    void ping();

    String tag(String... labels);
  }

  /** Only describes: the prefix stays off, as without the annotation. */
  @RpcService(description = "No prefix.")
  interface Described {
    @RpcMethod(description = "Keeps its Java name.")
    void hello();
  }

  @SuppressWarnings("unchecked")
  private static <T> T stub(Class<T> type) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      throw new AssertionError("not called in description tests");
    });
  }

  private static MethodDescriptor find(List<MethodDescriptor> methods, String name) {
    return methods.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void methodsAreSortedByWireNameAndBuiltInsAreLeftOut() {
    List<MethodDescriptor> methods = RpcServer.builder()
        .service(Shop.class, stub(Shop.class))
        .method("aardvark", args -> null)
        .build()
        .describeMethods();

    assertThat(methods).extracting(MethodDescriptor::name)
        .containsExactly("aardvark", "shop.find", "shop.ping", "shop.tag", "shop.watch", "shop/price");
  }

  @Test
  void paramsHaveTheirNamesTypesDescriptionsAndWhetherTheyAreRequired() {
    MethodDescriptor find = find(RpcServer.builder().service(Shop.class, stub(Shop.class)).build()
        .describeMethods(), "shop.find");

    assertThat(find.description()).isEqualTo("Finds items by name.");
    assertThat(find.service()).isEqualTo("shop");
    assertThat(find.serviceDescription()).isEqualTo("A small shop.");
    assertThat(find.paramsByName()).isTrue();
    assertThat(find.anyParams()).isFalse();
    assertThat(find.params()).extracting(ParamDescriptor::name).containsExactly("query", "limit", "page");
    assertThat(find.params()).extracting(ParamDescriptor::required).containsExactly(false, false, true);
    assertThat(find.params().get(0).description()).isEqualTo("Part of the name.");
    assertThat(find.params().get(0).type()).isEqualTo(String.class);
    assertThat(find.resultType().getTypeName()).isEqualTo("java.util.List<java.lang.String>");
  }

  @Test
  void resultsErrorsSubscriptionsAndNotificationsAreDescribed() {
    List<MethodDescriptor> methods = RpcServer.builder().service(Shop.class, stub(Shop.class)).build()
        .describeMethods();

    MethodDescriptor price = find(methods, "shop/price");
    assertThat(price.resultType()).isEqualTo(Double.class);
    assertThat(price.errors()).containsExactly(IOException.class);
    assertThat(price.params().get(0).name()).isEqualTo("item_id");
    MethodDescriptor watch = find(methods, "shop.watch");
    assertThat(watch.subscription()).isTrue();
    assertThat(watch.resultType()).isEqualTo(String.class);
    assertThat(find(methods, "shop.ping").notification()).isTrue();
    assertThat(find(methods, "shop.tag").params().get(0).varargs()).isTrue();
  }

  @Test
  void aFunctionTakesAnyParams() {
    MethodDescriptor function = RpcServer.builder().method("test", args -> "called").build()
        .describeMethods().get(0);

    assertThat(function.anyParams()).isTrue();
    assertThat(function.params()).isEmpty();
    assertThat(function.resultType()).isEqualTo(Object.class);
    assertThat(function.description()).contains("takes any params");
  }

  @Test
  void annotationsThatOnlyDescribeKeepTheUsualNames() {
    RpcServer server = RpcServer.builder().service(Described.class, stub(Described.class)).build();

    assertThat(server.methods()).containsExactly("hello");
    MethodDescriptor hello = server.describeMethods().get(0);
    assertThat(hello.description()).isEqualTo("Keeps its Java name.");
    assertThat(hello.service()).isEqualTo("Described");
    assertThat(hello.serviceDescription()).isEqualTo("No prefix.");
    assertThat(hello.resultType()).isEqualTo(Void.class);
  }
}
