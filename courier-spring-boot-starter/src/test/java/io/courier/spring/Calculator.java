package io.courier.spring;

import io.courier.RpcService;
import java.util.concurrent.CompletableFuture;

/** The service the starter's tests export and call. */
@RpcService("calc")
public interface Calculator {

  int add(int a, int b);

  /** Answers {@code value} after {@code millis}, without holding a worker meanwhile. */
  CompletableFuture<Integer> slow(int value, long millis);
}
