package io.courier.examples.calculator;

import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The README's example, kept here so that it compiles and runs with every build:
 * {@code java -cp courier-cli/target/courier-cli.jar io.courier.examples.calculator.CalculatorExample}.
 */
public final class CalculatorExample {

  private CalculatorExample() {}

  public static void main(String[] args) throws Exception {
    RpcServer server = RpcServer.builder()
        .host("127.0.0.1")
        .port(7070)
        .service(Calculator.class, new Calculator() {
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
        })
        .build()
        .start();

    try (RpcClient client = RpcClient.builder()
        .target("tcp://127.0.0.1:7070")
        .callTimeout(Duration.ofSeconds(2))
        .build()) {
      Calculator calc = client.create(Calculator.class);
      System.out.println("2 + 3 = " + calc.add(2, 3));                          // blocks
      System.out.println("1 / 4 = " + calc.divide(1, 4).get());                  // asynchronous
      Object raw = client.call("calc.add", Object.class, 40, 2).join();          // dynamic, by name
      System.out.println("calc.add(40, 2) = " + raw);
      try {
        calc.divide(1, 0).get();
      } catch (ExecutionException e) {                                           // the declared type,
        System.out.println("rebuilt on the client: " + e.getCause());            // rebuilt from the reply
      }
    } finally {
      server.stop(Duration.ofSeconds(5));
    }
  }
}
