package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.bench.GrpcCodecs.AddReply;
import io.courier.bench.GrpcCodecs.AddRequest;
import io.courier.bench.GrpcCodecs.Codec;
import io.courier.bench.GrpcCodecs.EchoRequest;
import io.courier.bench.GrpcCodecs.Methods;
import io.grpc.MethodDescriptor;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GrpcCodecsTest {

  private static <T> byte[] bytes(MethodDescriptor.Marshaller<T> m, T value) throws Exception {
    try (InputStream in = m.stream(value)) {
      return in.readAllBytes();
    }
  }

  @Test
  void jsonMessagesAreTheSameJsonObjectsAsJsonRpcParams() throws Exception {
    Methods json = Methods.of(Codec.JSON);
    assertThat(new String(bytes(json.add().getRequestMarshaller(), new AddRequest(1, 2)), StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":1,\"b\":2}");
    assertThat(new String(bytes(json.add().getResponseMarshaller(), new AddReply(3)), StandardCharsets.UTF_8))
        .isEqualTo("{\"value\":3}");
  }

  @Test
  void binaryMessagesAreCompact() throws Exception {
    Methods binary = Methods.of(Codec.BINARY);
    assertThat(bytes(binary.add().getRequestMarshaller(), new AddRequest(1, 2))).hasSize(8);
    assertThat(bytes(binary.add().getResponseMarshaller(), new AddReply(3))).hasSize(4);
    assertThat(bytes(binary.echo().getRequestMarshaller(), new EchoRequest("héllo"))).hasSize(6);
  }

  @Test
  void everyMarshallerRoundTrips() {
    for (Codec codec : Codec.values()) {
      Methods m = Methods.of(codec);
      AddRequest add = new AddRequest(-7, 1 << 20);
      assertThat(m.add().parseRequest(m.add().streamRequest(add))).isEqualTo(add);
      assertThat(m.add().parseResponse(m.add().streamResponse(new AddReply(42)))).isEqualTo(new AddReply(42));
      EchoRequest echo = new EchoRequest(Workload.echo(1024).payload());
      assertThat(m.echo().parseRequest(m.echo().streamRequest(echo))).isEqualTo(echo);
      assertThat(m.add().getFullMethodName()).isEqualTo("courier.bench.Bench/Add");
    }
  }
}
