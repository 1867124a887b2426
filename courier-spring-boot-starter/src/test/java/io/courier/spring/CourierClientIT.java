package io.courier.spring;

import static io.courier.spring.CourierPropertiesTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.Identity;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.RpcClient;
import io.courier.server.BearerTokenAuth;
import io.courier.server.RpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/** Clients declared by {@code courier.clients.NAME.*}, injected with {@code @CourierClient}, against real servers. */
class CourierClientIT {

  private RpcServer calc;
  private RpcServer greeterA;
  private RpcServer greeterB;
  private ApplicationContextRunner runner;

  @BeforeEach
  void startServers() {
    calc = RpcServer.builder().host("127.0.0.1").service(Calculator.class, new CalculatorImpl()).build().start();
    greeterA = RpcServer.builder().host("127.0.0.1").service(Greeter.class, name -> "A greets " + name)
        .build().start();
    greeterB = RpcServer.builder().host("127.0.0.1").service(Greeter.class, name -> "B greets " + name)
        .build().start();
    runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CourierAutoConfiguration.class))
        .withPropertyValues("courier.clients.calc.target=tcp://127.0.0.1:" + calc.port(),
            "courier.clients.a.target=tcp://127.0.0.1:" + greeterA.port(),
            "courier.clients.b.target=http://127.0.0.1:" + greeterB.port() + "/rpc");
  }

  @AfterEach
  void stopServers() {
    // No grace: a test leaves slow calls running on purpose.
    calc.stop(Duration.ZERO);
    greeterA.stop(Duration.ZERO);
    greeterB.stop(Duration.ZERO);
  }

  @Test
  void aConstructorParameterGetsAProxy() {
    runner.withUserConfiguration(ByConstructor.class).run(context ->
        assertThat(context.getBean(ByConstructor.class).calculator.add(2, 3)).isEqualTo(5));
  }

  @Test
  void anAutowiredFieldGetsAProxy() {
    runner.withUserConfiguration(ByField.class).run(context ->
        assertThat(context.getBean(ByField.class).calculator.add(20, 3)).isEqualTo(23));
  }

  @Test
  void listedInterfacesThatAreNotInterfacesOrNotClassesStopTheStartNamingTheProperty() {
    runner.withPropertyValues("courier.clients.calc.interfaces=io.courier.spring.CalculatorImpl").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining("courier.clients.calc.interfaces")
          .hasStackTraceContaining("expected: an interface");
    });
    runner.withPropertyValues("courier.clients.calc.interfaces=io.courier.spring.NoSuchType").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining("courier.clients.calc.interfaces")
          .hasStackTraceContaining("io.courier.spring.NoSuchType");
    });
  }

  @Test
  void aFieldWithTheAnnotationAloneGetsAProxyAndSoDoesASubclasses() {
    runner.withUserConfiguration(ByFieldAlone.class, ByInheritedField.class).run(context -> {
      assertThat(context.getBean("courierClientIT.ByFieldAlone", ByFieldAlone.class).calculator.add(7, 3))
          .isEqualTo(10);
      assertThat(context.getBean(ByInheritedField.class).calculator.add(8, 3)).isEqualTo(11);
    });
  }

  @Test
  void aBeanMadeByABeanMethodHasItsFieldsInjected() {
    runner.withUserConfiguration(MakesCheckouts.class).run(context -> {
      assertThat(context.getBean("alone", ByFieldAlone.class).calculator.add(1, 1)).isEqualTo(2);
      assertThat(context.getBean("autowired", ByField.class).calculator.add(2, 2)).isEqualTo(4);
    });
  }

  @Test
  void aStaticFieldCannotBeInjectedAndStopsTheStartNamingIt() {
    runner.withUserConfiguration(StaticField.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("static field")
          .hasMessageContaining(StaticField.class.getName() + ".calculator");
    });
  }

  @Test
  void aFinalFieldCannotBeInjectedAndStopsTheStartNamingIt() {
    runner.withUserConfiguration(FinalField.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("final field")
          .hasMessageContaining(FinalField.class.getName() + ".calculator");
    });
  }

  @Test
  void anAutowiredSetterGetsAProxy() {
    runner.withUserConfiguration(BySetter.class).run(context ->
        assertThat(context.getBean(BySetter.class).calculator.add(30, 3)).isEqualTo(33));
  }

  @Test
  void aBeanMethodParameterGetsAProxy() {
    runner.withUserConfiguration(ByBeanMethod.class).run(context ->
        assertThat(context.getBean("sum", Integer.class)).isEqualTo(7));
  }

  @Test
  void oneInterfaceUnderTwoNamesCallsEachNamesServers() {
    runner.withUserConfiguration(TwoGreeters.class).run(context -> {
      TwoGreeters both = context.getBean(TwoGreeters.class);
      assertThat(both.a.greet("Ada")).isEqualTo("A greets Ada");
      assertThat(both.b.greet("Ada")).isEqualTo("B greets Ada");
    });
  }

  @Test
  void interfacesListedInPropertiesAreBeansWithoutAnyInjectionPoint() {
    runner.withPropertyValues("courier.clients.calc.interfaces=io.courier.spring.Calculator").run(context -> {
      assertThat(context.getBean(Calculator.class).add(1, 2)).isEqualTo(3);
      assertThat(context.getBeanNamesForType(Calculator.class))
          .containsExactly("courierClient.calc.io.courier.spring.Calculator");
    });
  }

  @Test
  void proxiesOfOneNameShareOneClientWhichCanBeInjectedToo() {
    runner.withUserConfiguration(ByConstructor.class, WithRpcClient.class).run(context -> {
      RpcClient injected = context.getBean(WithRpcClient.class).client;
      assertThat(injected.call("calc.add", Integer.class, 1, 1).join()).isEqualTo(2);
      assertThat(context.getBean(CourierClients.class).client("calc", "test")).isSameAs(injected);
      assertThat(injected.connectAttempts()).isEqualTo(1);
      context.getBean(ByConstructor.class).calculator.add(1, 2);
      assertThat(injected.connectAttempts()).as("the proxy called on the same connection").isEqualTo(1);
    });
  }

  @Test
  void theTokenPropertyAuthenticatesTheClient() {
    RpcServer guarded = RpcServer.builder().host("127.0.0.1").service(Calculator.class, new CalculatorImpl())
        .intercept(BearerTokenAuth.of(Map.of("s3cret-token", Identity.of("checkout")))).build().start();
    try {
      ApplicationContextRunner guardedRunner = runner.withUserConfiguration(ByConstructor.class)
          .withPropertyValues("courier.clients.calc.target=tcp://127.0.0.1:" + guarded.port());
      guardedRunner.withPropertyValues("courier.clients.calc.token=s3cret-token",
          "courier.clients.calc.allow-plaintext-token=true")
          .run(context -> assertThat(context.getBean(ByConstructor.class).calculator.add(2, 2)).isEqualTo(4));
      guardedRunner.run(context -> assertThatThrownBy(() -> context.getBean(ByConstructor.class).calculator.add(2, 2))
          .isInstanceOfSatisfying(RpcException.class,
              e -> assertThat(e.code()).isEqualTo(RpcError.UNAUTHENTICATED_CODE)));
    } finally {
      guarded.stop(Duration.ZERO);
    }
  }

  @Test
  void aTokenWithoutTlsIsRefusedUnlessAllowed() {
    runner.withUserConfiguration(ByConstructor.class).withPropertyValues("courier.clients.calc.token=s3cret-token")
        .run(context -> assertThat(messages(context.getStartupFailure()))
            .contains("Invalid courier.clients.calc.*: Refusing to send a bearer token over tcp://"));
  }

  @Test
  void aNameWithoutTargetFailsTheStartNamingTheProperty() {
    runner.withUserConfiguration(Untargeted.class).run(context ->
        assertThat(messages(context.getStartupFailure()))
            .contains("courier.clients.nowhere.target is not set")
            .contains("io.courier.spring.Calculator injected with @CourierClient(\"nowhere\")"));
  }

  @Test
  void aBadTargetFailsTheStartNamingTheClient() {
    runner.withUserConfiguration(ByConstructor.class).withPropertyValues("courier.clients.calc.target=nope://x")
        .run(context -> assertThat(messages(context.getStartupFailure())).contains("Invalid courier.clients.calc.*"));
  }

  @Test
  void aClassInjectedWithCourierClientFailsTheStart() {
    runner.withUserConfiguration(InjectsAClass.class).run(context ->
        assertThat(messages(context.getStartupFailure()))
            .contains("injects io.courier.spring.CalculatorImpl (expected: a service interface, or RpcClient)"));
  }

  /**
   * Closing the context fails the calls still pending, each exactly once, with the "client closed" error; calls
   * answered before keep their results. None is left without an outcome.
   */
  @Test
  void closingTheContextGivesEveryPendingCallExactlyOneOutcome() throws Exception {
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    runner.withUserConfiguration(ByConstructor.class).run(context -> {
      Calculator calculator = context.getBean(ByConstructor.class).calculator;
      for (int i = 0; i < 40; i++) {
        // Half answered at once, half far too late: the close must find those still pending.
        calls.add(calculator.slow(i, i % 2 == 0 ? 0 : 60_000));
      }
      CompletableFuture.allOf(calls.stream().filter(c -> calls.indexOf(c) % 2 == 0)
          .toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      context.getSourceApplicationContext().close();
    });
    for (int i = 0; i < calls.size(); i++) {
      CompletableFuture<Integer> call = calls.get(i);
      // Ended soon after the close (a failure is completed on the client's callback executor), not left hanging.
      assertThat(call.handle((value, error) -> true).get(5, TimeUnit.SECONDS)).as("call %d ended", i).isTrue();
      if (i % 2 == 0) {
        assertThat(call.join()).isEqualTo(i);
      } else {
        assertThat(CourierShutdownIT.failure(call)).isInstanceOfSatisfying(RpcException.class,
            e -> assertThat(e.code()).isEqualTo(RpcError.CLIENT_CLOSED_CODE));
      }
    }
  }

  @Component
  static class ByConstructor {
    final Calculator calculator;

    ByConstructor(@CourierClient("calc") Calculator calculator) {
      this.calculator = calculator;
    }
  }

  @Component
  static class ByField {
    @Autowired
    @CourierClient("calc")
    Calculator calculator;
  }

  @Component
  static class ByFieldAlone {
    @CourierClient("calc")
    Calculator calculator;
  }

  @Component
  static class ByInheritedField extends ByFieldAlone {}

  /** Beans made by @Bean methods, not scanned: their fields are found through the methods' return types. */
  @Configuration
  static class MakesCheckouts {
    @Bean
    ByFieldAlone alone() {
      return new ByFieldAlone();
    }

    @Bean
    ByField autowired() {
      return new ByField();
    }
  }

  @Component
  static class StaticField {
    @CourierClient("calc")
    static Calculator calculator;
  }

  @Component
  static class FinalField {
    @CourierClient("calc")
    final Calculator calculator = null;
  }

  @Component
  static class BySetter {
    Calculator calculator;

    @Autowired
    @CourierClient("calc")
    void setCalculator(Calculator calculator) {
      this.calculator = calculator;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ByBeanMethod {
    @Bean
    Integer sum(@CourierClient("calc") Calculator calculator) {
      return calculator.add(3, 4);
    }
  }

  @Component
  static class TwoGreeters {
    final Greeter a;
    final Greeter b;

    TwoGreeters(@CourierClient("a") Greeter a, @CourierClient("b") Greeter b) {
      this.a = a;
      this.b = b;
    }
  }

  @Component
  static class WithRpcClient {
    final RpcClient client;

    WithRpcClient(@CourierClient("calc") RpcClient client) {
      this.client = client;
    }
  }

  @Component
  static class Untargeted {
    Untargeted(@CourierClient("nowhere") Calculator calculator) {}
  }

  @Component
  static class InjectsAClass {
    InjectsAClass(@CourierClient("calc") CalculatorImpl calculator) {}
  }
}
