package io.courier.spring.readme;

import io.courier.spring.Calculator;
import io.courier.spring.CourierClient;
import io.courier.spring.CourierService;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** The README's "Spring Boot" example, compiled with every build so that its API cannot drift. Never run. */
@SpringBootApplication
public class ReadmeExample {

  public static void main(String[] args) {
    SpringApplication.run(ReadmeExample.class, args);
  }

  @CourierService
  static class CalculatorService implements Calculator {
    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public CompletableFuture<Integer> slow(int value, long millis) {
      return CompletableFuture.completedFuture(value);
    }
  }

  @Component
  static class Checkout {
    private final Calculator calculator;

    Checkout(@CourierClient("calc") Calculator calculator) {
      this.calculator = calculator;
    }

    int total() {
      return calculator.add(2, 3);
    }
  }
}
