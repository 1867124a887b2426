package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.server.RpcServer;
import io.courier.testing.NettyLeakCheck;
import io.courier.testing.Transports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** How failures travel: application errors, internal errors and their hygiene, declared exceptions. */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
@ParameterizedClass(name = "{0}")
@EnumSource(Transports.class)
class ErrorsIT {

  @Parameter
  Transports transport;

  /** A checked exception a service declares, rebuilt by the client from its public (String) constructor. */
  public static class InsufficientFundsException extends Exception {
    private static final long serialVersionUID = 1L;

    public InsufficientFundsException(String message) {
      super(message);
    }
  }

  /** Another checked exception, declared nowhere on the client. */
  public static class AccountFrozenException extends Exception {
    private static final long serialVersionUID = 1L;

    public AccountFrozenException(String message) {
      super(message);
    }
  }

  interface Bank {
    void withdraw(int amount) throws InsufficientFundsException;

    void freeze() throws AccountFrozenException;

    void custom();

    void customWithData();

    String npe();

    void risky() throws Exception;
  }

  /** The client's view of the bank: {@code freeze} declares nothing, {@code withdraw} what the server does. */
  interface BankClient {
    void withdraw(int amount) throws InsufficientFundsException;

    void freeze();

    void custom();

    void customWithData();

    String npe();

    void risky() throws Exception;
  }

  static final class BankImpl implements Bank {
    @Override
    public void withdraw(int amount) throws InsufficientFundsException {
      throw new InsufficientFundsException("balance 10 is less than " + amount);
    }

    @Override
    public void freeze() throws AccountFrozenException {
      throw new AccountFrozenException("frozen by compliance");
    }

    @Override
    public void custom() {
      throw new RpcException(1234, "custom");
    }

    @Override
    public void customWithData() {
      ObjectNode data = JsonNodeFactory.instance.objectNode().put("retryAfter", 30);
      data.putArray("reasons").add("quota").add("测试项");
      throw new RpcException(RpcError.of(1234, "custom", data));
    }

    @Override
    public String npe() {
      throw new NullPointerException("secret-token-0xDEADBEEF");
    }

    @Override
    public void risky() throws Exception {
      throw new java.io.IOException("cannot open /etc/secret-config");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      AutoCloseable resource = resources.get(i);
      if (resource instanceof RpcServer server) {
        server.stop(Duration.ofSeconds(1));
      } else {
        resource.close();
      }
    }
  }

  private RpcClient clientFor(int port) {
    RpcClient client = transport.target(RpcClient.builder(), port)
        .callTimeout(Duration.ofSeconds(5))
        .build();
    resources.add(client);
    return client;
  }

  private BankClient bank(boolean developmentMode) {
    RpcServer server = Transports.serve(RpcServer.builder())
        .host("127.0.0.1")
        .port(0)
        .developmentMode(developmentMode)
        .service(Bank.class, new BankImpl())
        .build()
        .start();
    resources.add(server);
    return clientFor(server.port()).create(BankClient.class);
  }

  @Test
  void rpcExceptionFromTheServiceReachesTheCallerWithItsCodeAndMessage() {
    RpcException e = (RpcException) catchThrowable(() -> bank(false).custom());

    assertThat(e.code()).isEqualTo(1234);
    assertThat(e.error().message()).isEqualTo("custom");
    assertThat(e.error().data()).isNull();
  }

  @Test
  void rpcExceptionDataReachesTheCaller() throws Exception {
    RpcException e = (RpcException) catchThrowable(() -> bank(false).customWithData());

    assertThat(e.code()).isEqualTo(1234);
    assertThat(e.error().message()).isEqualTo("custom");
    assertThat(e.error().data()).isEqualTo(JSON.readTree("{\"retryAfter\":30,\"reasons\":[\"quota\",\"测试项\"]}"));
  }

  @Test
  void unexpectedExceptionIsAnInternalErrorWithoutDetails() {
    Throwable thrown = catchThrowable(() -> bank(false).npe());

    assertThat(thrown).isExactlyInstanceOf(RpcException.class);
    RpcException e = (RpcException) thrown;
    assertThat(e.code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
    assertThat(e.error().message()).isEqualTo("Internal error");
    JsonNode data = e.error().data();
    assertThat(data.path("type").asText()).isEqualTo("NullPointerException");
    assertThat(data.has("stackTrace")).isFalse();
    assertThat(data.has("message")).isFalse();
    assertThat(e.getMessage()).doesNotContain("secret");
    assertThat(data.toString()).doesNotContain("secret").doesNotContain("BankImpl").doesNotContain("at io.");
  }

  @Test
  void catchAllThrowsClauseDoesNotMakeEveryExceptionSpeak() {
    Throwable thrown = catchThrowable(() -> bank(false).risky());

    assertThat(thrown).isExactlyInstanceOf(RpcException.class);
    RpcException e = (RpcException) thrown;
    assertThat(e.code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
    assertThat(e.error().message()).isEqualTo("Internal error");
    assertThat(String.valueOf(e.error().data())).doesNotContain("secret");
  }

  @Test
  void developmentModeSendsTheMessageAndStackTrace() {
    RpcException e = (RpcException) catchThrowable(() -> bank(true).npe());

    assertThat(e.code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
    JsonNode data = e.error().data();
    assertThat(data.path("type").asText()).isEqualTo("NullPointerException");
    assertThat(data.path("message").asText()).isEqualTo("secret-token-0xDEADBEEF");
    assertThat(data.path("stackTrace").asText()).contains("BankImpl.npe");
  }

  @Test
  void declaredCheckedExceptionIsRebuiltAsItsType() {
    BankClient bank = bank(false);

    assertThatThrownBy(() -> bank.withdraw(100))
        .isExactlyInstanceOf(InsufficientFundsException.class)
        .hasMessage("balance 10 is less than 100")
        .hasCauseInstanceOf(RpcException.class);
  }

  @Test
  void declaredExceptionUsesTheDeclaredExceptionCode() {
    Throwable thrown = catchThrowable(() -> bank(false).withdraw(100));

    assertThat(((RpcException) thrown.getCause()).code()).isEqualTo(RpcError.DECLARED_EXCEPTION_CODE);
  }

  @Test
  void exceptionTheClientDoesNotDeclareIsNotRebuilt() {
    Throwable thrown = catchThrowable(() -> bank(false).freeze());

    assertThat(thrown).isExactlyInstanceOf(RpcException.class);
    RpcException e = (RpcException) thrown;
    assertThat(e.code()).isEqualTo(RpcError.DECLARED_EXCEPTION_CODE);
    assertThat(e.error().message()).isEqualTo("frozen by compliance");
    assertThat(e.error().data().path("type").asText()).isEqualTo("AccountFrozenException");
  }
}
