package io.courier.examples.spring.server;

import io.courier.examples.calculator.Calculator;
import io.courier.spring.CourierService;
import java.util.concurrent.CompletableFuture;

/** The calculator, served by the Spring application's Courier server because it is a {@code @CourierService}. */
@CourierService
class CalculatorService implements Calculator {

  @Override
  public int add(int a, int b) {
    return a + b;
  }

  @Override
  public CompletableFuture<Double> divide(double a, double b) throws DivisionByZeroException {
    if (b == 0) {
      throw new DivisionByZeroException("cannot divide " + a + " by zero");
    }
    return CompletableFuture.completedFuture(a / b);
  }
}
