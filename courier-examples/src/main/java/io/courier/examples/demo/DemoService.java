package io.courier.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.Idempotent;
import io.courier.Peer;
import io.courier.RpcContext;
import io.courier.RpcException;
import io.courier.RpcMethod;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The methods {@code courier serve-demo} hosts: the JSON-RPC 2.0 specification's examples, so that every
 * example in its section 7 runs verbatim, and a few methods for trying a server out and testing it from
 * outside.
 */
public interface DemoService {

  /** The application error code {@link #fail} raises (outside the range JSON-RPC reserves). */
  int FAIL_CODE = 1000;

  /** The specification's {@code subtract}, by position {@code [minuend, subtrahend]} or by name. */
  BigDecimal subtract(BigDecimal minuend, BigDecimal subtrahend);

  /** The specification's {@code sum}: any count of numbers. */
  BigDecimal sum(BigDecimal... numbers);

  /** The specification's {@code update}: takes any params and returns nothing. */
  void update(Object... params);

  /** The specification's {@code notify_hello}. */
  @RpcMethod("notify_hello")
  void notifyHello(Object... params);

  /** The specification's {@code notify_sum}. */
  @RpcMethod("notify_sum")
  void notifySum(BigDecimal... numbers);

  /** The specification's {@code get_data}: returns {@code ["hello", 5]}. */
  @RpcMethod("get_data")
  List<Object> getData();

  /** Returns its argument, whatever JSON it is. */
  Object echo(Object x);

  /** Adds two integers. */
  long add(long a, long b);

  /** The longest {@link #sleep}: a demo server must not be held by one call for longer. */
  long MAX_SLEEP_MS = 10_000;

  /**
   * Returns {@code ms} after {@code ms} milliseconds (sooner with an error if the caller cancels); 0 to
   * {@value #MAX_SLEEP_MS}, anything else is invalid params.
   */
  long sleep(long ms) throws InterruptedException;

  /** Raises an application error (code {@value #FAIL_CODE}) whose message contains {@code message}. */
  void fail(String message);

  /**
   * Calls {@code method} on the calling peer with {@code params} (an array or an object, passed as they are,
   * or none) and returns what the peer answered; the peer's error becomes this call's error. Over raw TCP and
   * WebSocket; over HTTP the connection cannot carry it and the call fails.
   */
  CompletableFuture<JsonNode> callback(String method, JsonNode params);

  /** The largest {@link #count}. */
  long MAX_COUNT = 10_000_000;

  /**
   * A subscription that publishes the integers 0 to {@code n - 1}, as fast as the subscriber asks for them, and
   * completes; {@code n} from 0 to {@value #MAX_COUNT}. Over raw TCP and WebSocket.
   */
  Flow.Publisher<Long> count(long n);

  /**
   * Returns the {@code host:port} of the server that ran the call: with several servers behind one client (a
   * list, or a service discovered through a registry), it shows which one answered.
   */
  @Idempotent
  String node();

  /** The demo's implementation. */
  final class Impl implements DemoService {

    /** Where the server that runs this listens, once it has started. */
    private volatile String node = "(not started)";

    void serving(String hostAndPort) {
      this.node = hostAndPort;
    }

    @Override
    public String node() {
      return node;
    }

    @Override
    public BigDecimal subtract(BigDecimal minuend, BigDecimal subtrahend) {
      if (minuend == null || subtrahend == null) {
        throw new RpcException(io.courier.RpcError.INVALID_PARAMS.withMessage(
            "Invalid params: subtract needs minuend and subtrahend"));
      }
      return minuend.subtract(subtrahend);
    }

    @Override
    public BigDecimal sum(BigDecimal... numbers) {
      BigDecimal total = BigDecimal.ZERO;
      for (BigDecimal n : numbers) {
        if (n == null) {
          throw new RpcException(io.courier.RpcError.INVALID_PARAMS.withMessage("Invalid params: null in sum"));
        }
        total = total.add(n);
      }
      return total;
    }

    @Override
    public void update(Object... params) {}

    @Override
    public void notifyHello(Object... params) {}

    @Override
    public void notifySum(BigDecimal... numbers) {}

    @Override
    public List<Object> getData() {
      return List.of("hello", 5);
    }

    @Override
    public Object echo(Object x) {
      return x;
    }

    @Override
    public long add(long a, long b) {
      return a + b;
    }

    @Override
    public long sleep(long ms) throws InterruptedException {
      if (ms < 0 || ms > MAX_SLEEP_MS) {
        throw new RpcException(io.courier.RpcError.INVALID_PARAMS.withMessage(
            "Invalid params: sleep takes 0 to " + MAX_SLEEP_MS + " ms"));
      }
      long deadline = System.nanoTime() + ms * 1_000_000L;
      RpcContext context = RpcContext.current();
      while (System.nanoTime() < deadline && !context.isCancelled()) {
        Thread.sleep(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000L)));
      }
      if (context.isCancelled()) {
        throw new RpcException(io.courier.RpcError.CANCELLED);
      }
      return ms;
    }

    @Override
    public void fail(String message) {
      throw new RpcException(FAIL_CODE, "fail: " + message);
    }

    @Override
    public Flow.Publisher<Long> count(long n) {
      if (n < 0 || n > MAX_COUNT) {
        throw new RpcException(io.courier.RpcError.INVALID_PARAMS.withMessage(
            "Invalid params: count takes 0 to " + MAX_COUNT));
      }
      return new Range(n);
    }

    @Override
    public CompletableFuture<JsonNode> callback(String method, JsonNode params) {
      Peer peer = RpcContext.current().peer();
      if (!peer.canNotify()) {
        throw new RpcException(io.courier.RpcError.INVALID_REQUEST.withMessage(
            "callback needs a connection that carries calls both ways (raw TCP or WebSocket), not "
                + peer.protocol()));
      }
      if (params instanceof ObjectNode named) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        named.properties().forEach(field -> byName.put(field.getKey(), field.getValue()));
        return peer.callNamed(method, JsonNode.class, byName);
      }
      Object[] byPosition = new Object[params instanceof ArrayNode array ? array.size() : 0];
      for (int i = 0; i < byPosition.length; i++) {
        byPosition[i] = params.get(i);
      }
      return peer.call(method, JsonNode.class, byPosition);
    }
  }
}
