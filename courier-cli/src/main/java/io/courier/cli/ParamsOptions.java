package io.courier.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How a command line gives a call's params: words after the method (positional JSON values, or
 * {@code name=value} pairs), {@code --params JSON}, or {@code -d @file} / {@code -d -} (standard input). A picocli
 * mixin. Not thread-safe; used once per run.
 */
final class ParamsOptions {

  /** Reads numbers exactly (1.10 stays 1.10) and refuses anything after the one value. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();

  /** A name in {@code name=value}: what cannot start a JSON value, so that JSON words are never mistaken. */
  private static final Pattern NAMED = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.\\-]*=.*", Pattern.DOTALL);

  static final String ARGS_HELP = "Params: JSON values by position (add 2 3), or name=value pairs by name "
      + "(subtract minuend=42 subtrahend=23). A word that is not valid JSON is taken as a JSON string (hello is "
      + "\"hello\"), but one that starts with {, [ or \" must be valid JSON.";

  @Option(names = "--params", paramLabel = "JSON",
      description = "All params as one JSON array (by position) or object (by name).")
  String params;

  @Option(names = {"-d", "--data"}, paramLabel = "@FILE|-",
      description = "Read the params JSON from a file (@FILE) or from standard input (-).")
  String data;

  /** A call's params: by position ({@code named == null}) or by name. */
  record Params(List<JsonNode> positional, Map<String, JsonNode> named) {

    Object[] array() {
      return positional.toArray();
    }
  }

  /** Resolves the params from {@code words} or the options; a usage error when they cannot be read. */
  Params resolve(CommandSpec spec, List<String> words, InputStream stdin) {
    int sources = (words.isEmpty() ? 0 : 1) + (params == null ? 0 : 1) + (data == null ? 0 : 1);
    if (sources > 1) {
      throw Main.usage(spec, "give params one way: as words, with --params, or with -d");
    }
    if (params != null) {
      return fromJson(spec, parse(spec, params, "--params"), "--params");
    }
    if (data != null) {
      return fromJson(spec, parse(spec, read(spec, data, stdin), "-d " + data), "-d " + data);
    }
    boolean named = !words.isEmpty() && NAMED.matcher(words.get(0)).matches();
    if (!named) {
      List<JsonNode> values = new ArrayList<>();
      for (String word : words) {
        values.add(word(spec, word));
      }
      return new Params(values, null);
    }
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (String word : words) {
      if (!NAMED.matcher(word).matches()) {
        throw Main.usage(spec, "params are all name=value or all by position, not both: " + word);
      }
      int eq = word.indexOf('=');
      byName.put(word.substring(0, eq), word(spec, word.substring(eq + 1)));
    }
    return new Params(null, byName);
  }

  /** Reads {@code @file} or {@code -} (standard input). */
  static String read(CommandSpec spec, String source, InputStream stdin) {
    try {
      if (source.equals("-")) {
        return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!source.startsWith("@")) {
        throw Main.usage(spec, "-d " + source + " (expected: @FILE or - for standard input)");
      }
      return Files.readString(Path.of(source.substring(1)), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw Main.usage(spec, "-d " + source + ": no such file");
    } catch (IOException e) {
      throw Main.usage(spec, "-d " + source + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  /** Parses one JSON value; a usage error naming where it came from when it is not JSON. */
  static JsonNode parse(CommandSpec spec, String text, String where) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw Main.usage(spec, where + ": no JSON value");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw Main.usage(spec, where + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static JsonNode word(CommandSpec spec, String word) {
    String trimmed = word.strip();
    if (trimmed.startsWith("{") || trimmed.startsWith("[") || trimmed.startsWith("\"")) {
      return parse(spec, word, "'" + word + "'");
    }
    try {
      JsonNode node = JSON.readTree(word);
      return node == null || node.isMissingNode() ? TextNode.valueOf(word) : node;
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(word);
    }
  }

  private static Params fromJson(CommandSpec spec, JsonNode node, String where) {
    if (node.isArray()) {
      List<JsonNode> values = new ArrayList<>();
      node.forEach(values::add);
      return new Params(values, null);
    }
    if (node.isObject()) {
      Map<String, JsonNode> byName = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        byName.put(field.getKey(), field.getValue());
      }
      return new Params(null, byName);
    }
    throw Main.usage(spec, where + ": params are a JSON array or object, not " + node);
  }
}
