package io.courier.spring;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Adds, and answers slow calls late; counts each value it was asked for, to show no call ran twice. */
@CourierService
public class CalculatorImpl implements Calculator {

  final ConcurrentHashMap<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();

  @Override
  public int add(int a, int b) {
    return a + b;
  }

  @Override
  public CompletableFuture<Integer> slow(int value, long millis) {
    runs.computeIfAbsent(value, v -> new AtomicInteger()).incrementAndGet();
    return CompletableFuture.supplyAsync(() -> value,
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
  }
}
