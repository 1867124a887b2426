package io.courier.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.RpcError;
import io.courier.protocol.CourierJson;
import io.courier.protocol.Decoded;
import io.courier.protocol.InvalidMessage;
import io.courier.protocol.JsonRpcCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Minimized reproducers of what the fuzzers found, kept as regression tests. Each names the input shape; the
 * fuzz smoke test ({@link FuzzSmokeTest}) and the Jazzer target ({@link DecoderFuzzTest}) found them first.
 */
class FuzzFindingsTest {

  private final JsonRpcCodec codec = new JsonRpcCodec(CourierJson.newMapper());

  /**
   * A float whose exponent does not fit an {@code int} must be a parse error (-32700), like any other number the
   * codec cannot represent, not a {@code NumberFormatException} thrown out of {@link JsonRpcCodec#decode}, which
   * promises never to throw for bad input. Found by T08 as mutations of {@code 1e10} and {@code 4.9e-324}.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[1e2147483648],\"id\":1}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"a\":1e-2147483648},\"id\":1}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[-1.5E-99999999999999999999],\"id\":1}",
      "{\"jsonrpc\":\"2.0\",\"result\":1.7976931348623157e4294967296,\"id\":1}",
      "[{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[1e12147483647],\"id\":1}]",
  })
  void hugeExponentIsAnErrorReplyNotAnException(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Decoded decoded = codec.decode(bytes, 0, bytes.length);
    assertThat(decoded.messages()).singleElement()
        .isInstanceOfSatisfying(InvalidMessage.class, m -> assertThat(m.error().code())
            .isIn(RpcError.PARSE_ERROR_CODE, RpcError.INVALID_REQUEST_CODE));
  }
}
