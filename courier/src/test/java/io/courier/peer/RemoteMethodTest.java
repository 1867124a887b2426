package io.courier.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.Notification;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.RpcMethod;
import io.courier.RpcService;

import io.courier.peer.MethodTable;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a proxy's method is prepared from the service model the server binds from; no sockets. */
@Timeout(30)
class ClientMethodTest {

  /** A failure the interface declares: the client may rebuild it from an error reply. */
  public static final class OutOfStock extends Exception {
    public OutOfStock(String message) {
      super(message);
    }
  }

  @RpcService("shop")
  interface Shop {
    int stock(String item);

    @RpcMethod("orders/place")
    CompletableFuture<Long> order(String item, int count) throws OutOfStock;

    @Notification
    void browse(String item);

    void fatal() throws Error, IOException;
  }

  /** A {@code CompletionStage} the proxy cannot return, since it completes a plain {@code CompletableFuture}. */
  abstract static class MyFuture<T> extends CompletableFuture<T> {}

  interface NarrowFuture {
    MyFuture<String> later();
  }

  interface NotifiesWithAResult {
    @Notification
    String hello();
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Shop shop() {
    return new Shop() {
      @Override
      public int stock(String item) {
        return 0;
      }

      @Override
      public CompletableFuture<Long> order(String item, int count) {
        return CompletableFuture.completedFuture(1L);
      }

      @Override
      public void browse(String item) {}

      @Override
      public void fatal() {}
    };
  }

  private static RemoteMethod clientMethod(Class<?> type, String name) {
    for (MethodModel model : ServiceModel.of(type).methods()) {
      if (model.method().getName().equals(name)) {
        return RemoteMethod.of(model, MAPPER);
      }
    }
    throw new AssertionError("no method " + name + " on " + type);
  }

  private static RpcError declaredError(String type, String message) {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("type", type).put("message", message);
    return RpcError.of(RpcError.DECLARED_EXCEPTION_CODE, message, data);
  }

  @Test
  void proxyAndServerCallEveryMethodOfOneModelByTheSameName() {
    ServiceModel model = ServiceModel.of(Shop.class);
    MethodTable table = new MethodTable.Builder().addService(model, shop(), MAPPER).build();

    List<String> clientNames = model.methods().stream().map(m -> RemoteMethod.of(m, MAPPER).wireName).toList();

    assertThat(clientNames).containsExactlyInAnyOrder("shop.stock", "orders/place", "shop.browse", "shop.fatal");
    assertThat(table.names()).containsExactlyInAnyOrderElementsOf(clientNames);
  }

  @Test
  void flagsComeFromTheModel() {
    RemoteMethod order = clientMethod(Shop.class, "order");
    RemoteMethod browse = clientMethod(Shop.class, "browse");

    assertThat(order.async).isTrue();
    assertThat(order.notification).isFalse();
    assertThat(browse.async).isFalse();
    assertThat(browse.notification).isTrue();
  }

  @Test
  void declaredExceptionIsRebuiltFromAnErrorReply() {
    Throwable rebuilt = clientMethod(Shop.class, "order").toException(declaredError("OutOfStock", "none left"));

    assertThat(rebuilt).isInstanceOf(OutOfStock.class).hasMessage("none left")
        .hasCauseInstanceOf(RpcException.class);
  }

  @Test
  void errorIsNeverRebuiltEvenWhenTheMethodDeclaresIt() {
    RemoteMethod fatal = clientMethod(Shop.class, "fatal");

    assertThat(fatal.toException(declaredError("Error", "boom"))).isInstanceOf(RpcException.class);
    assertThat(fatal.toException(declaredError("IOException", "disk"))).isInstanceOf(IOException.class);
  }

  @Test
  void returnTypeTheProxyCannotCompleteFailsNamingTheMethod() {
    assertThatThrownBy(() -> clientMethod(NarrowFuture.class, "later"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MyFuture")
        .hasMessageContaining("NarrowFuture.later");
  }

  @Test
  void notificationWithAResultFailsNamingTheMethod() {
    assertThatThrownBy(() -> clientMethod(NotifiesWithAResult.class, "hello"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NotifiesWithAResult.hello");
  }
}
