package io.courier.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.examples.calculator.Calculator;
import io.courier.examples.calculator.Calculator.DivisionByZeroException;
import io.courier.examples.spring.client.SpringCalculatorClient;
import io.courier.examples.spring.server.SpringCalculatorServer;
import io.courier.spring.CourierServer;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example's server application, started by Spring's test support on an ephemeral port of 127.0.0.1, called by
 * the example's client application over a real socket.
 */
@SpringBootTest(classes = SpringCalculatorServer.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"courier.server.host=127.0.0.1", "courier.server.port=0"})
class SpringCalculatorIT {

  @Autowired
  CourierServer server;

  @Test
  void theServerServesTheCalculatorBean() {
    assertThat(server.rpcServer().methods()).containsExactlyInAnyOrder("calc.add", "calc.divide");
  }

  @Test
  void theClientApplicationCallsTheServerApplication() throws Exception {
    try (ConfigurableApplicationContext client = SpringCalculatorClient.start(
        "--courier.clients.calc.target=tcp://127.0.0.1:" + server.port())) {
      Calculator calculator = client.getBean(Calculator.class);
      assertThat(calculator.add(40, 2)).isEqualTo(42);
      assertThat(calculator.divide(1, 4).get()).isEqualTo(0.25);
      assertThatThrownBy(() -> calculator.divide(1, 0).get()).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(DivisionByZeroException.class);
    }
  }
}
