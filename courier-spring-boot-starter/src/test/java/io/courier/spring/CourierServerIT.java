package io.courier.spring;

import static io.courier.spring.CourierPropertiesTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.server.RpcServer;
import io.courier.server.ServerListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** The server the starter runs: what it exports, on what, and when it starts and stops. Real sockets on 127.0.0.1. */
class CourierServerIT {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
      .withPropertyValues("courier.server.host=127.0.0.1", "courier.server.port=0");

  @Test
  void servesTheCourierServiceBeansOverTcpAndHttp() {
    runner.withUserConfiguration(CalculatorImpl.class).run(context -> {
      CourierServer server = context.getBean(CourierServer.class);
      assertThat(server.isRunning()).isTrue();
      assertThat(server.rpcServer().methods()).containsExactlyInAnyOrder("calc.add", "calc.slow");
      assertThat(add("tcp://127.0.0.1:" + server.port(), 2, 3)).isEqualTo(5);
      assertThat(add("http://127.0.0.1:" + server.port() + "/rpc", 4, 5)).isEqualTo(9);
    });
  }

  @Test
  void exportsABeanThatABeanMethodAnnotatedCourierServiceReturns() {
    runner.withUserConfiguration(GreeterConfiguration.class).run(context -> {
      CourierServer server = context.getBean(CourierServer.class);
      assertThat(server.rpcServer().methods()).containsExactly("greet");
      try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build()) {
        assertThat(client.create(Greeter.class).greet("Ada")).isEqualTo("Hello, Ada");
      }
    });
  }

  @Test
  void interfacesNamedOnTheAnnotationAreTheOnlyOnesExported() {
    runner.withUserConfiguration(BothOnlyGreeter.class).run(context ->
        assertThat(context.getBean(CourierServer.class).rpcServer().methods()).containsExactly("greet"));
  }

  @Test
  void withNoCourierServiceBeanNoPortIsOpened() {
    runner.run(context -> {
      CourierServer server = context.getBean(CourierServer.class);
      assertThat(server.isRunning()).isFalse();
      assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class)
          .hasMessage("The Courier server is not running");
    });
  }

  @Test
  void enabledFalseLeavesTheServerOut() {
    runner.withUserConfiguration(CalculatorImpl.class).withPropertyValues("courier.server.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CourierServer.class));
  }

  @Test
  void twoBeansExportingOneMethodNameFailTheStartNamingBoth() {
    runner.withUserConfiguration(CalculatorImpl.class, SecondCalculator.class).run(context ->
        assertThat(messages(context.getStartupFailure()))
            .contains("Method calc.add is exported by two @CourierService beans")
            .contains("'calculatorImpl' and 'otherCalculator'"));
  }

  @Test
  void aBeanNamingAnInterfaceItDoesNotImplementFailsTheStartNamingBoth() {
    runner.withUserConfiguration(WrongInterface.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining("WrongInterface")
          .hasStackTraceContaining("cannot be exported as " + Greeter.class.getName());
    });
  }

  @Test
  void aBeanWithNoInterfaceFailsTheStartNamingIt() {
    runner.withUserConfiguration(NoInterface.class).run(context ->
        assertThat(messages(context.getStartupFailure()))
            .containsPattern("Bean '[^']*NoInterface' \\(@CourierService\\) implements no interface"));
  }

  @Test
  void aPortInUseFailsTheStart() {
    try (RpcServer taken = RpcServer.builder().host("127.0.0.1").method("x", args -> 1).build().start()) {
      runner.withUserConfiguration(CalculatorImpl.class)
          .withPropertyValues("courier.server.port=" + taken.port())
          .run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining(String.valueOf(taken.port()));
          });
    }
  }

  @Test
  void customizersAndServerListenerBeansAreApplied() {
    runner.withUserConfiguration(CalculatorImpl.class, Extras.class).run(context -> {
      CourierServer server = context.getBean(CourierServer.class);
      Extras extras = context.getBean(Extras.class);
      try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + server.port()).build()) {
        assertThat(client.call("ping", String.class).join()).isEqualTo("pong");
      }
      assertThat(extras.intercepted).containsExactly("first", "second");
      assertThat(extras.events).containsExactly("started");
      context.getSourceApplicationContext().close();
      assertThat(extras.events).containsExactly("started", "stopping", "stopped");
    });
  }

  @Test
  void theServerStopsWithTheContextAndStartsAgainWithIt() {
    runner.withUserConfiguration(CalculatorImpl.class).run(context -> {
      CourierServer server = context.getBean(CourierServer.class);
      int firstPort = server.port();
      ConfigurableApplicationContext app = context.getSourceApplicationContext();
      app.stop();
      assertThat(server.isRunning()).isFalse();
      assertThatThrownBy(() -> add("tcp://127.0.0.1:" + firstPort, 1, 1)).isInstanceOf(RpcException.class);
      app.start();
      assertThat(add("tcp://127.0.0.1:" + server.port(), 1, 1)).isEqualTo(2);
    });
  }

  /**
   * A later lifecycle bean fails the start: the server that had started, and its keep-alive thread, must not
   * outlive the context (or the JVM would not exit).
   */
  @Test
  void aContextThatFailsToStartAfterTheServerStopsIt() {
    int[] port = new int[1];
    runner.withUserConfiguration(CalculatorImpl.class, FailsAfterTheServer.class).run(context -> {
      assertThat(context).hasFailed();
      port[0] = FailsAfterTheServer.port;
    });
    assertThat(port[0]).isPositive();
    assertThatThrownBy(() -> add("tcp://127.0.0.1:" + port[0], 1, 1)).isInstanceOf(RpcException.class);
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .noneMatch(name -> name.equals("courier-server-keep-alive-" + port[0]));
  }

  @Test
  void limitPropertiesReachTheServer() {
    runner.withUserConfiguration(GreeterConfiguration.class).withPropertyValues("courier.server.max-message-bytes=256")
        .run(context -> {
          int port = context.getBean(CourierServer.class).port();
          try (RpcClient client = RpcClient.builder().target("tcp://127.0.0.1:" + port).build()) {
            Greeter greeter = client.create(Greeter.class);
            assertThat(greeter.greet("Ada")).isEqualTo("Hello, Ada");
            assertThatThrownBy(() -> greeter.greet("x".repeat(1000))).isInstanceOf(RpcException.class);
          }
        });
  }

  @Test
  void theConsolePropertyServesTheConsole() throws Exception {
    runner.withUserConfiguration(CalculatorImpl.class).withPropertyValues("courier.server.console=true")
        .run(context -> assertThat(httpStatus(context.getBean(CourierServer.class).port(), "/console")).isEqualTo(200));
    runner.withUserConfiguration(CalculatorImpl.class)
        .run(context -> assertThat(httpStatus(context.getBean(CourierServer.class).port(), "/console")).isEqualTo(404));
  }

  @Test
  void serverTlsNeedsBothFiles() {
    runner.withUserConfiguration(CalculatorImpl.class)
        .withPropertyValues("courier.server.tls.certificate-chain=/nonexistent/server.crt")
        .run(context -> assertThat(messages(context.getStartupFailure()))
            .contains("courier.server.tls.certificate-chain and courier.server.tls.private-key go together"));
  }

  static int httpStatus(int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static int add(String target, int a, int b) {
    try (RpcClient client = RpcClient.builder().target(target).callTimeout(Duration.ofSeconds(5)).build()) {
      return client.create(Calculator.class).add(a, b);
    }
  }

  /** Starts after the server (a higher phase) and fails, having noted the server's port. */
  @Configuration(proxyBeanMethods = false)
  static class FailsAfterTheServer {
    static volatile int port;

    @Bean
    SmartLifecycle failing(CourierServer server) {
      return new SmartLifecycle() {
        @Override
        public void start() {
          port = server.port();
          throw new IllegalStateException("failing on purpose");
        }

        @Override
        public void stop() {}

        @Override
        public boolean isRunning() {
          return false;
        }

        @Override
        public int getPhase() {
          return CourierServer.PHASE + 1;
        }
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class GreeterConfiguration {
    @Bean
    @CourierService
    Greeter greeter() {
      return name -> "Hello, " + name;
    }
  }

  /** Names an interface its class does not implement. */
  @CourierService(interfaces = Greeter.class)
  static class WrongInterface extends CalculatorImpl {}

  @CourierService(interfaces = Greeter.class)
  static class BothOnlyGreeter extends CalculatorImpl implements Greeter {
    @Override
    public String greet(String name) {
      return name;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class SecondCalculator {
    @Bean
    @CourierService
    Calculator otherCalculator() {
      return new CalculatorImpl();
    }
  }

  @CourierService
  static class NoInterface {
    public int add(int a, int b) {
      return a + b;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Extras {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> intercepted = new CopyOnWriteArrayList<>();

    @Bean
    ServerListener recordingListener() {
      return new ServerListener() {
        @Override
        public void started(RpcServer server) {
          events.add("started");
        }

        @Override
        public void stopping(RpcServer server) {
          events.add("stopping");
        }

        @Override
        public void stopped(RpcServer server) {
          events.add("stopped");
        }
      };
    }

    /** Declared first, ordered second: the order is @Order's, and interceptors run in the order added. */
    @Bean
    @Order(2)
    CourierServerCustomizer second() {
      return builder -> builder.method("ping", args -> "pong").intercept(chain -> {
        intercepted.add("second");
        return chain.proceed();
      });
    }

    @Bean
    @Order(1)
    CourierServerCustomizer first() {
      return builder -> builder.intercept(chain -> {
        intercepted.add("first");
        return chain.proceed();
      });
    }
  }
}
