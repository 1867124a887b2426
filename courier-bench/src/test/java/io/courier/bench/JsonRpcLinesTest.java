package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcLinesTest {

  private static boolean right(String reply, long id, Workload w, int a, int b) throws Exception {
    return JsonRpcLines.isRightReply(JsonRpcLines.MAPPER.readTree(reply), id, w, a, b);
  }

  @Test
  void requestIsOneJsonRpcLine() {
    String add = new String(JsonRpcLines.request(Workload.ADD, 1, 2, 7), StandardCharsets.UTF_8);
    assertThat(add).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":7}\n");
    String echo = new String(JsonRpcLines.request(Workload.echo(3), 0, 0, 8), StandardCharsets.UTF_8);
    assertThat(echo).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\""
        + Workload.echo(3).payload() + "\"],\"id\":8}\n");
  }

  @Test
  void onlyTheRightResultForTheRightIdCounts() throws Exception {
    assertThat(right("{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":7}", 7, Workload.ADD, 1, 2)).isTrue();
    assertThat(right("{\"jsonrpc\":\"2.0\",\"result\":4,\"id\":7}", 7, Workload.ADD, 1, 2)).isFalse();
    assertThat(right("{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":8}", 7, Workload.ADD, 1, 2)).isFalse();
    assertThat(right("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601},\"id\":7}", 7, Workload.ADD, 1, 2))
        .isFalse();
    String payload = Workload.echo(5).payload();
    assertThat(right("{\"result\":\"" + payload + "\",\"id\":1}", 1, Workload.echo(5), 0, 0)).isTrue();
    assertThat(right("{\"result\":\"x\",\"id\":1}", 1, Workload.echo(5), 0, 0)).isFalse();
  }
}
