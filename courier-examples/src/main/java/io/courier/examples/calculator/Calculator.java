package io.courier.examples.calculator;

import io.courier.RpcService;
import java.util.concurrent.CompletableFuture;

/** The README's example service: its wire names are {@code calc.add} and {@code calc.divide}. */
@RpcService("calc")
public interface Calculator {

  int add(int a, int b);

  CompletableFuture<Double> divide(double a, double b) throws DivisionByZeroException;

  /** A declared exception: a Java client rebuilds it from the error reply. */
  final class DivisionByZeroException extends Exception {
    private static final long serialVersionUID = 1L;

    public DivisionByZeroException(String message) {
      super(message);
    }
  }
}
