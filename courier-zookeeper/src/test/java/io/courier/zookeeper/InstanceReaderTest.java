package io.courier.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.discovery.Instance;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;

class InstanceReaderTest {

  /** Set when this class is initialized: a node naming it must not get it loaded. */
  static volatile boolean canaryLoaded;

  static final class Canary {
    static {
      canaryLoaded = true;
    }
  }

  private final InstanceReader reader = new InstanceReader("calc", null);

  private static byte[] curatorNode(String id, Map<String, Object> payload) throws Exception {
    return new JsonInstanceSerializer<>(Object.class).serialize(ServiceInstance.builder()
        .name("calc").id(id).address("127.0.0.7").port(7070).payload(payload).build());
  }

  private static Map<String, Object> payload(List<String> targets) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("targets", targets);
    payload.put("tls", false);
    payload.put("weight", 5);
    payload.put("zone", "a");
    payload.put("version", "2.0");
    payload.put("metadata", Map.of("team", "x"));
    return payload;
  }

  private Instance read(String json) throws Exception {
    return reader.read("n1", json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsWhatCuratorsSerializerWrites() throws Exception {
    Instance instance = reader.read("n1", curatorNode("n1",
        payload(List.of("tcp://127.0.0.7:7070", "ws://127.0.0.7:7070/ws"))));
    assertThat(instance.id()).isEqualTo("n1");
    assertThat(instance.target().toString()).isEqualTo("tcp://127.0.0.7:7070");
    assertThat(instance.weight()).isEqualTo(5);
    assertThat(instance.zone()).isEqualTo("a");
    assertThat(instance.metadata()).containsEntry("version", "2.0").containsEntry("team", "x");
  }

  @Test
  void picksTheWantedSchemeOrTlsForATlsOnlyServer() throws Exception {
    byte[] both = curatorNode("n1", payload(List.of("tcp://h:1", "tls://h:1", "wss://h:1/ws")));
    assertThat(new InstanceReader("calc", "wss").read("n1", both).target().toString()).isEqualTo("wss://h:1/ws");
    Map<String, Object> tlsOnly = payload(List.of("tls://h:1", "https://h:1/rpc"));
    tlsOnly.put("tls", true);
    assertThat(reader.read("n1", curatorNode("n1", tlsOnly)).target().toString()).isEqualTo("tls://h:1");
    assertThatThrownBy(() -> new InstanceReader("calc", "ws").read("n1", curatorNode("n1", tlsOnly)))
        .hasMessageContaining("no ws:// target");
  }

  @Test
  void neverLoadsTheClassANodeNames() throws Exception {
    String gadget = "{\"payload\":[\"" + Canary.class.getName() + "\",{\"targets\":[\"tcp://h:1\"]}]}";
    assertThat(read(gadget).target().toString()).isEqualTo("tcp://h:1");
    String property = "{\"payload\":{\"@class\":\"" + Canary.class.getName() + "\",\"targets\":[\"tcp://h:1\"]}}";
    assertThat(read(property).target().toString()).isEqualTo("tcp://h:1");
    assertThat(canaryLoaded).isFalse();
  }

  @Test
  void refusesNodesThatAreNotCourierRegistrations() {
    String[][] cases = {
        {"not json", "not JSON"},
        {"{\"a\":1} trailing", "not JSON"},
        {"{\"a\":1,\"a\":2}", "not JSON"},
        {"[1]", "not a JSON object"},
        {"{}", "no payload"},
        {"{\"payload\":{\"url\":\"x\"}}", "not a Courier one"},
        {"{\"payload\":{\"targets\":\"tcp://h:1\"}}", "not a list of URIs"},
        {"{\"payload\":{\"targets\":[\"http://h:1/rpc\"]}}", "no tcp:// target"},
        {"{\"payload\":{\"targets\":[\"tcp://h\"]}}", "host and a port"},
        {"{\"payload\":{\"targets\":[\"tcp://ex ample:1\"]}}", "host and a port"},
        {"{\"payload\":{\"targets\":[\"tcp://user:pw@h:1\"]}}", "host and a port"},
        {"{\"payload\":{\"targets\":[\"file:///etc/passwd\"]}}", "host and a port"},
        {"{\"payload\":{\"targets\":[\"tcp://h:1\"],\"weight\":5000}}", "weight"},
        {"{\"payload\":{\"targets\":[\"tcp://h:1\"],\"weight\":\"1\"}}", "weight"},
        {"{\"payload\":{\"targets\":[\"tcp://h:1\"],\"tls\":\"yes\"}}", "tls"},
        {"{\"payload\":{\"targets\":[\"tcp://h:1\"],\"metadata\":{\"k\":{\"x\":1}}}}", "metadata"},
        {"{\"id\":\"other\",\"payload\":{\"targets\":[\"tcp://h:1\"]}}", "differs from its node name"},
        {"{\"name\":\"other\",\"payload\":{\"targets\":[\"tcp://h:1\"]}}", "not calc"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "not JSON"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> read(c[0])).as(c[0]).isInstanceOf(InstanceReader.Rejected.class)
          .hasMessageContaining(c[1]);
    }
    assertThatThrownBy(() -> reader.read("n1", new byte[InstanceReader.MAX_NODE_BYTES + 1]))
        .hasMessageContaining("bytes");
    assertThatThrownBy(() -> reader.read("n1", new byte[0])).hasMessageContaining("no data");
  }

  @Test
  void quotesNodeTextForLogsShortAndWithoutControlCharacters() {
    assertThat(InstanceReader.quote("a\nb")).isEqualTo("\"a?b\"");
    assertThat(InstanceReader.quote("x".repeat(500))).hasSize(64 + 5);
  }
}
