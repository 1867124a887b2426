package io.courier.examples.spring.server;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot application that serves {@code calc.add} and {@code calc.divide} with the Courier starter: the
 * README's "Spring Boot" example. It listens on 127.0.0.1:7070 unless told otherwise
 * ({@code --courier.server.port=0}, any {@code courier.server.*} property), and stops gracefully on Ctrl-C.
 *
 * <pre>
 * mvn -q -pl courier-examples -am package -DskipTests
 * java -cp "courier-examples/target/classes:$(cat courier-examples/target/classpath.txt)" \
 *     io.courier.examples.spring.server.SpringCalculatorServer
 * </pre>
 */
@SpringBootApplication
public class SpringCalculatorServer {

  /** Defaults that the command line's {@code --name=value} arguments override. */
  static final String[] DEFAULTS = {"courier.server.host=127.0.0.1", "courier.server.port=7070"};

  public static void main(String[] args) {
    start(args);
  }

  /**
   * Starts the application and returns its context, whose {@code CourierServer} bean tells the port; closing
   * the context stops the server gracefully. For tests and load runs that want the starter's server in a plain
   * {@code main}.
   */
  public static ConfigurableApplicationContext start(String... args) {
    return new SpringApplicationBuilder(SpringCalculatorServer.class).properties(DEFAULTS).run(args);
  }
}
