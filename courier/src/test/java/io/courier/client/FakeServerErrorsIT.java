package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.courier.RpcError;
import io.courier.RpcException;
import io.courier.client.ErrorsIT.BankClient;
import io.courier.testing.Canary;
import io.courier.testing.FakeJsonRpcServer;
import io.courier.testing.NettyLeakCheck;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Errors a server nobody here wrote might send: a fake raw-TCP server answers with hostile or malformed error
 * objects, and the client must neither load the classes they name nor fail in any other way.
 */
@Timeout(30)
@ExtendWith(NettyLeakCheck.class)
class FakeServerErrorsIT {

  private FakeJsonRpcServer fake;
  private RpcClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  private BankClient fakeBank(FakeJsonRpcServer.Responder responder) throws Exception {
    fake = new FakeJsonRpcServer(responder);
    client = RpcClient.builder()
        .target("tcp://127.0.0.1:" + fake.port())
        .callTimeout(Duration.ofSeconds(5))
        .build();
    return client.create(BankClient.class);
  }

  @Test
  void errorNamingAnUndeclaredTypeFromAFakeServerIsAPlainRpcException() throws Exception {
    BankClient bank = fakeBank(request -> FakeJsonRpcServer.errorReply(request,
        "{\"code\":-32010,\"message\":\"gotcha\",\"data\":{\"type\":\"AccountFrozenException\"}}"));

    Throwable thrown = catchThrowable(() -> bank.withdraw(1));

    assertThat(thrown).isExactlyInstanceOf(RpcException.class);
    assertThat(((RpcException) thrown).error().message()).isEqualTo("gotcha");
  }

  @Test
  void errorNamingProcessBuilderFromAFakeServerIsAPlainRpcException() throws Exception {
    BankClient bank = fakeBank(request -> FakeJsonRpcServer.errorReply(request,
        "{\"code\":-32010,\"message\":\"/usr/bin/touch\",\"data\":{\"type\":\"java.lang.ProcessBuilder\","
            + "\"message\":\"/usr/bin/touch\"}}"));

    Throwable thrown = catchThrowable(() -> bank.withdraw(1));

    assertThat(thrown).isExactlyInstanceOf(RpcException.class);
    assertThat(((RpcException) thrown).code()).isEqualTo(-32010);
  }

  @Test
  void errorNamingACanaryClassNeverLoadsIt() throws Exception {
    BankClient bank = fakeBank(request -> FakeJsonRpcServer.errorReply(request,
        "{\"code\":-32010,\"message\":\"boom\",\"data\":{\"type\":\"" + Canary.NAME + "\",\"@class\":\""
            + Canary.NAME + "\"}}"));

    Throwable withdraw = catchThrowable(() -> bank.withdraw(1));
    Throwable custom = catchThrowable(bank::custom);

    assertThat(withdraw).isExactlyInstanceOf(RpcException.class);
    assertThat(custom).isExactlyInstanceOf(RpcException.class);
    assertThat(Canary.Flag.isSet()).as("canary class initialized").isFalse();
  }

  @Test
  void malformedErrorObjectFromAFakeServerIsAnInternalError() throws Exception {
    BankClient bank = fakeBank(request -> FakeJsonRpcServer.errorReply(request, "{\"code\":\"x\"}"));

    Throwable thrown = catchThrowable(bank::custom);

    assertThat(thrown).isExactlyInstanceOf(RpcException.class);
    assertThat(((RpcException) thrown).code()).isEqualTo(RpcError.INTERNAL_ERROR_CODE);
  }

  @Test
  void aReplyHoldingANumberHugeInScaleFailsItsCallAndTheConnectionServesOn() throws Exception {
    fakeBank(request -> "{\"jsonrpc\":\"2.0\",\"result\":"
        + (request.get("method").asText().equals("huge") ? "[1, 1e100000000]" : "1.5")
        + ",\"id\":" + request.get("id") + "}");

    Throwable thrown = catchThrowable(() -> client.call("huge", Object.class).get(5, TimeUnit.SECONDS));

    assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(RpcException.class);
    assertThat(((RpcException) thrown.getCause()).code()).isEqualTo(-32700);
    assertThat(client.call("small", Object.class).get(5, TimeUnit.SECONDS)).hasToString("1.5");
  }
}
