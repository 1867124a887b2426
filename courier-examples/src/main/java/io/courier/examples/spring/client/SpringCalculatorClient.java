package io.courier.examples.spring.client;

import io.courier.examples.calculator.Calculator;
import io.courier.spring.CourierClient;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application that calls the calculator through a proxy injected with {@code @CourierClient("calc")},
 * whose servers {@code courier.clients.calc.target} names (default {@code tcp://127.0.0.1:7070}, where
 * {@link io.courier.examples.spring.server.SpringCalculatorServer} listens), prints {@code 2 + 3 = 5} and exits.
 *
 * <pre>
 * java -cp "courier-examples/target/classes:$(cat courier-examples/target/classpath.txt)" \
 *     io.courier.examples.spring.client.SpringCalculatorClient
 * </pre>
 */
@SpringBootApplication
public class SpringCalculatorClient {

  static final String[] DEFAULTS = {"courier.clients.calc.target=tcp://127.0.0.1:7070",
      "courier.clients.calc.call-timeout=2s"};

  public static void main(String[] args) {
    start(args).close();
  }

  /** Starts the application, which makes its call on the way, and returns its context. */
  public static ConfigurableApplicationContext start(String... args) {
    return new SpringApplicationBuilder(SpringCalculatorClient.class).properties(DEFAULTS).run(args);
  }

  @Bean
  CommandLineRunner addTwoAndThree(@CourierClient("calc") Calculator calculator) {
    return args -> System.out.println("2 + 3 = " + calculator.add(2, 3));
  }
}
