package io.courier.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metadata the configuration processor generates from {@link CourierProperties}, which IDEs complete from. */
class ConfigurationMetadataTest {

  @Test
  void generatedMetadataListsTheMainKeysWithTheirTypesDefaultsAndDescriptions() throws Exception {
    Map<String, JsonNode> properties = new HashMap<>();
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
      for (JsonNode property : new ObjectMapper().readTree(in).path("properties")) {
        properties.put(property.path("name").asText(), property);
      }
    }
    assertThat(properties).containsKeys("courier.server.enabled", "courier.server.host", "courier.server.port",
        "courier.server.shutdown-grace", "courier.server.worker-threads", "courier.server.max-message-bytes",
        "courier.server.console", "courier.server.metrics-endpoint", "courier.server.tls.certificate-chain",
        "courier.server.tls.private-key", "courier.server.tls.client-auth", "courier.clients");
    assertThat(properties.get("courier.server.port").path("defaultValue").asInt()).isEqualTo(7070);
    assertThat(properties.get("courier.server.port").path("type").asText()).isEqualTo("java.lang.Integer");
    assertThat(properties.get("courier.server.shutdown-grace").path("type").asText()).isEqualTo("java.time.Duration");
    assertThat(properties.get("courier.clients").path("type").asText())
        .startsWith("java.util.Map<java.lang.String,io.courier.spring.CourierProperties$Client>");
    properties.values().forEach(property ->
        assertThat(property.path("description").asText()).as(property.path("name").asText()).isNotBlank());
  }
}
