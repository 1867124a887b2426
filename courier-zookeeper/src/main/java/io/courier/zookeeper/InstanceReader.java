package io.courier.zookeeper;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.discovery.Instance;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a registration node into an {@link Instance}, treating it as untrusted data (RELIABILITY.md §4 item 17): a
 * JSON tree with bounded size and depth, checked field by field against the layout {@link ZooKeeperRegistry}
 * writes. Curator's own {@code JsonInstanceSerializer} is not used here, because its payload carries a Java class
 * name that it instantiates; a node's class name is skipped, never loaded. Thread-safe.
 */
final class InstanceReader {

  /** Larger nodes are refused unread: a registration is a few hundred bytes. */
  static final int MAX_NODE_BYTES = 16 * 1024;
  static final int MAX_TARGETS = 16;
  static final int MAX_METADATA = 64;
  static final int MAX_TEXT = 1024;

  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(16)
          .maxStringLength(MAX_NODE_BYTES)
          .maxNumberLength(20)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String serviceName;
  private final String scheme;

  /**
   * @param serviceName the service the nodes should belong to
   * @param scheme the scheme of the target to pick, or null for {@code tcp}, else {@code tls}
   */
  InstanceReader(String serviceName, String scheme) {
    this.serviceName = serviceName;
    this.scheme = scheme;
  }

  /** Thrown for a node that is not a Courier registration this client can call; the message says why. */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * Reads the node {@code nodeName} holding {@code data}.
   *
   * @throws Rejected when it is malformed, foreign, or has no target of the wanted scheme
   */
  Instance read(String nodeName, byte[] data) throws Rejected {
    if (data == null || data.length == 0) {
      throw new Rejected("it has no data");
    }
    if (data.length > MAX_NODE_BYTES) {
      throw new Rejected("it holds " + data.length + " bytes (expected: <= " + MAX_NODE_BYTES + ")");
    }
    JsonNode node;
    try {
      node = JSON.readTree(data);
    } catch (Exception e) {
      throw new Rejected("it is not JSON (" + firstLine(e.getMessage()) + ")");
    }
    if (node == null || !node.isObject()) {
      throw new Rejected("it is not a JSON object");
    }
    String id = text(node, "id");
    if (id != null && !id.equals(nodeName)) {
      throw new Rejected("its id " + quote(id) + " differs from its node name");
    }
    String name = text(node, "name");
    if (name != null && !name.equals(serviceName)) {
      throw new Rejected("it names the service " + quote(name) + ", not " + serviceName);
    }
    JsonNode payload = payload(node.get("payload"));
    boolean tls = payload.path("tls").asBoolean(false);
    if (payload.has("tls") && !payload.get("tls").isBoolean()) {
      throw new Rejected("its payload's tls is not a boolean");
    }
    URI target = target(payload.get("targets"), tls);
    int weight = Instance.DEFAULT_WEIGHT;
    JsonNode w = payload.get("weight");
    if (w != null && !w.isNull()) {
      if (!w.canConvertToInt() || !w.isIntegralNumber() || w.asInt() < 1 || w.asInt() > Instance.MAX_WEIGHT) {
        throw new Rejected("its weight " + w + " is not an integer from 1 to " + Instance.MAX_WEIGHT);
      }
      weight = w.asInt();
    }
    String zone = text(payload, "zone");
    String version = text(payload, "version");
    Map<String, String> metadata = metadata(payload.get("metadata"));
    if (version != null) {
      metadata.put("version", version);
    }
    try {
      return new Instance(nodeName, target, weight, zone, metadata);
    } catch (IllegalArgumentException e) {
      throw new Rejected(e.getMessage());
    }
  }

  /**
   * The payload object: Curator writes a Map payload as {@code ["java.util.LinkedHashMap", {...}]} and a bean as
   * {@code {"@class": "...", ...}}. The class name is ignored.
   */
  private static JsonNode payload(JsonNode payload) throws Rejected {
    if (payload == null || payload.isNull()) {
      throw new Rejected("it has no payload");
    }
    if (payload.isArray() && payload.size() == 2 && payload.get(0).isTextual() && payload.get(1).isObject()) {
      payload = payload.get(1);
    }
    if (!payload.isObject() || !payload.has("targets")) {
      throw new Rejected("its payload is not a Courier one (an object with targets)");
    }
    return payload;
  }

  /** The target of the wanted scheme: {@code scheme}, else tcp, else tls for an instance that serves TLS only. */
  private URI target(JsonNode targets, boolean tls) throws Rejected {
    if (targets == null || !targets.isArray() || targets.isEmpty()) {
      throw new Rejected("its payload's targets are not a list of URIs");
    }
    if (targets.size() > MAX_TARGETS) {
      throw new Rejected("it lists " + targets.size() + " targets (expected: <= " + MAX_TARGETS + ")");
    }
    Map<String, URI> byScheme = new LinkedHashMap<>();
    for (JsonNode item : targets) {
      if (!item.isTextual() || item.asText().length() > MAX_TEXT) {
        throw new Rejected("its payload's targets are not a list of URIs");
      }
      URI uri = uri(item.asText());
      byScheme.putIfAbsent(uri.getScheme().toLowerCase(Locale.ROOT), uri);
    }
    String wanted = scheme != null ? scheme : byScheme.containsKey("tcp") || !tls ? "tcp" : "tls";
    URI found = byScheme.get(wanted);
    if (found == null) {
      throw new Rejected("it has no " + wanted + ":// target (it has " + byScheme.keySet() + ")");
    }
    return found;
  }

  /** A target a client may connect to: a known scheme, a host, a port, and nothing that is not an address. */
  private static URI uri(String text) throws Rejected {
    URI uri;
    try {
      uri = new URI(text).parseServerAuthority();
    } catch (URISyntaxException e) {
      throw new Rejected("its target " + quote(text) + " is not a URI with a host and a port");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!ZkTarget.SCHEMES.contains(scheme) || uri.getHost() == null || uri.getPort() < 1
        || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new Rejected("its target " + quote(text) + " is not a " + ZkTarget.SCHEMES
          + ":// URI with a host and a port");
    }
    return uri;
  }

  private static Map<String, String> metadata(JsonNode metadata) throws Rejected {
    Map<String, String> out = new LinkedHashMap<>();
    if (metadata == null || metadata.isNull()) {
      return out;
    }
    if (!metadata.isObject() || metadata.size() > MAX_METADATA) {
      throw new Rejected("its metadata is not an object of at most " + MAX_METADATA + " strings");
    }
    for (Map.Entry<String, JsonNode> entry : metadata.properties()) {
      JsonNode value = entry.getValue();
      if (!value.isTextual() || entry.getKey().length() > MAX_TEXT || value.asText().length() > MAX_TEXT) {
        throw new Rejected("its metadata " + quote(entry.getKey()) + " is not a string of at most " + MAX_TEXT
            + " characters");
      }
      out.put(entry.getKey(), value.asText());
    }
    return out;
  }

  /** A string field, or null when absent; anything else is refused. */
  private static String text(JsonNode node, String field) throws Rejected {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.asText().length() > MAX_TEXT) {
      throw new Rejected("its " + field + " is not a string of at most " + MAX_TEXT + " characters");
    }
    return value.asText();
  }

  /** A value from a node, shortened and quoted for a log line, so that a hostile node cannot flood the log. */
  static String quote(String value) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    StringBuilder out = new StringBuilder("\"");
    for (char c : shown.toCharArray()) {
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.append('"').toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return quote(newline < 0 ? message : message.substring(0, newline)).replace("\"", "");
  }
}
