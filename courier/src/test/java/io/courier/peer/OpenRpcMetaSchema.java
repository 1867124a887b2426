package io.courier.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The OpenRPC 1.3.2 meta-schema (from npm's {@code @open-rpc/meta-schema}, see {@code openrpc/README.md} in the
 * test resources) as a draft-07 validator, offline: the JSON Schema meta-schema it refers to is served from the
 * test resources too. Also checks what a validator does not: that every {@code $ref} resolves in the document.
 */
public final class OpenRpcMetaSchema {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOOLS_URI = "https://meta.json-schema.tools";
  private static final Schema SCHEMA = load();

  private OpenRpcMetaSchema() {}

  private static Schema load() {
    String tools = draft07("openrpc/json-schema-tools-meta-schema.json");
    String openRpc = draft07("openrpc/meta-schema.json");
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
        builder -> builder.schemas(Map.of(TOOLS_URI, tools, TOOLS_URI + "/", tools)));
    return registry.getSchema(SchemaLocation.of("https://meta.open-rpc.org/"), openRpc, InputFormat.JSON);
  }

  /** Reads a schema without its {@code $schema}, a dialect URI the validator does not know, so draft-07 applies. */
  private static String draft07(String resource) {
    try (InputStream in = OpenRpcMetaSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing test resource " + resource);
      }
      ObjectNode schema = (ObjectNode) JSON.readTree(in);
      schema.remove("$schema");
      return JSON.writeValueAsString(schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns what is wrong with {@code document} as an OpenRPC document: empty when it is valid. */
  public static List<String> problems(JsonNode document) {
    List<String> problems = new ArrayList<>();
    try {
      for (Error error : SCHEMA.validate(JSON.writeValueAsString(document), InputFormat.JSON)) {
        problems.add(error.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    collectUnresolvedRefs(document, document, problems);
    return problems;
  }

  private static void collectUnresolvedRefs(JsonNode node, JsonNode document, List<String> problems) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && ref.isTextual()) {
        String pointer = ref.asText();
        if (!pointer.startsWith("#/") || document.at(pointer.substring(1)).isMissingNode()) {
          problems.add("$ref " + pointer + " does not resolve within the document");
        }
      }
      for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
        collectUnresolvedRefs(children.next(), document, problems);
      }
    } else if (node.isArray()) {
      node.forEach(child -> collectUnresolvedRefs(child, document, problems));
    }
  }
}
