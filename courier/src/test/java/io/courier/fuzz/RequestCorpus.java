package io.courier.fuzz;

import io.courier.protocol.JsonRpcCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates valid JSON-RPC messages of every shape (requests with positional, named or no params, notifications,
 * batches, seed-dialect calls, a few responses) with the awkward values a real peer sends (escapes, non-ASCII
 * text, surrogate pairs, numbers of every form, nesting), and lays them out on the wire in each framing Courier
 * detects. Deterministic for a given seed, so that the fuzz smoke test is reproducible.
 */
final class RequestCorpus {

  /** How a sequence of messages is put on the wire. */
  enum WireFraming {
    /** One message per line (the line ends in {@code \n}, sometimes {@code \r\n}). */
    NEWLINE,
    /** Values back to back, with no separator or only some spaces. */
    CONCATENATED,
    /** LSP base protocol: {@code Content-Length} header block, blank line, body. */
    CONTENT_LENGTH
  }

  private static final String[] WORDS = {
    "", "a", "add", "calc.add", "échelle", "测试项", "emoji😀", "tab\there", "quote\"d", "back\\slash", "slash/",
    "nul\u0000char", "line\nbreak", "ctl\u001f", "rpc.discover", "$/cancelRequest", "{[\"]}", "Content-Length: 5",
    // Long strings, on both sides of the length at which the framing scan reports plain ones.
    "long ".repeat(300), "x".repeat(1024), "y".repeat(1023), "z".repeat(1100) + "\"", "é".repeat(600),
  };

  private static final String[] NUMBERS = {
    "0", "-0", "1", "-1", "42", "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "123456789012345678901234567890", "0.5", "-1.5E-3", "1e10", "1E+2", "6.02214076e23",
    "3.141592653589793", "1.7976931348623157e308", "4.9e-324", "1e-400", "0.0", "100.000",
  };

  private final Random random;

  RequestCorpus(long seed) {
    this.random = new Random(seed);
  }

  /** Returns {@code n} distinct-ish valid messages, each as one JSON text (cycling through every shape). */
  List<String> messages(int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(message(i % 10));
    }
    return out;
  }

  private String message(int shape) {
    return switch (shape) {
      case 0 -> request(id(), "positional");
      case 1 -> request(id(), "named");
      case 2 -> request(id(), "none");
      case 3 -> request(null, random.nextBoolean() ? "positional" : "named"); // notification
      case 4 -> batch();
      case 5 -> seed();
      case 6 -> response();
      case 7 -> pretty(request(id(), "named"));
      case 8 -> requestWithTimeout();
      default -> request(id(), random.nextBoolean() ? "positional" : "named");
    };
  }

  private String request(String id, String paramsKind) {
    StringBuilder sb = new StringBuilder("{");
    List<String> members = new ArrayList<>();
    members.add("\"jsonrpc\":\"2.0\"");
    members.add("\"method\":" + string(method()));
    switch (paramsKind) {
      case "positional" -> members.add("\"params\":" + array(2));
      case "named" -> members.add("\"params\":" + object(2));
      default -> { }
    }
    if (id != null) {
      members.add("\"id\":" + id);
    }
    if (random.nextInt(4) == 0) {
      members.add("\"x-extension\":" + value(2)); // members the spec does not define are ignored
    }
    shuffle(members);
    sb.append(String.join(random.nextBoolean() ? "," : ", ", members));
    return sb.append('}').toString();
  }

  private String requestWithTimeout() {
    return "{\"jsonrpc\":\"2.0\",\"method\":" + string(method()) + ",\"params\":" + array(1) + ",\"id\":" + id()
        + ",\"timeout_ms\":" + random.nextInt(60_000) + "}";
  }

  private String batch() {
    int n = 1 + random.nextInt(5);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(random.nextInt(3) == 0 ? request(null, "positional") : request(id(), "named"));
    }
    return "[" + String.join(",", items) + "]";
  }

  private String seed() {
    return "{\"method_name\": " + string(method()) + ", \"method_args\": " + array(2)
        + ", \"method_kwargs\": " + object(2) + "}";
  }

  private String response() {
    if (random.nextBoolean()) {
      return "{\"jsonrpc\":\"2.0\",\"result\":" + value(3) + ",\"id\":" + id() + "}";
    }
    return "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":" + (-32700 + random.nextInt(700)) + ",\"message\":"
        + string(word()) + ",\"data\":" + value(2) + "},\"id\":" + id() + "}";
  }

  /** Re-indents a compact message over several lines, as a pretty-printing client would. */
  private static String pretty(String json) {
    StringBuilder sb = new StringBuilder();
    boolean inString = false;
    boolean escape = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      sb.append(c);
      if (inString) {
        if (escape) {
          escape = false;
        } else if (c == '\\') {
          escape = true;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == ',' || c == '{') {
        sb.append("\n  ");
      }
    }
    return sb.toString();
  }

  private String id() {
    return switch (random.nextInt(6)) {
      case 0, 1 -> Integer.toString(random.nextInt(100_000));
      case 2 -> string("id-" + random.nextInt(1000));
      case 3 -> string(wordOfAtMost(JsonRpcCodec.MAX_ID_CHARS)); // a longer id is invalid
      case 4 -> NUMBERS[random.nextInt(NUMBERS.length)];
      default -> Long.toString(random.nextLong());
    };
  }

  private String method() {
    String[] methods = {"calc.add", "echo", "测试项.方法", "rpc.ping", "a.b.c.d", "m" + random.nextInt(100), "x\"y"};
    return methods[random.nextInt(methods.length)];
  }

  private String word() {
    return WORDS[random.nextInt(WORDS.length)];
  }

  private String wordOfAtMost(int chars) {
    String word = word();
    while (word.length() > chars) {
      word = word();
    }
    return word;
  }

  private String value(int depth) {
    int choice = random.nextInt(depth > 0 ? 9 : 6);
    return switch (choice) {
      case 0 -> string(word());
      case 1 -> NUMBERS[random.nextInt(NUMBERS.length)];
      case 2 -> random.nextBoolean() ? "true" : "false";
      case 3 -> "null";
      case 4 -> string(escapedWord());
      case 5 -> Integer.toString(random.nextInt());
      case 6, 7 -> object(depth - 1);
      default -> array(depth - 1);
    };
  }

  private String array(int depth) {
    int n = random.nextInt(4);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(value(depth));
    }
    return "[" + String.join(",", items) + "]";
  }

  private String object(int depth) {
    int n = random.nextInt(4);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(string("k" + i + word()) + ":" + value(depth));
    }
    return "{" + String.join(",", items) + "}";
  }

  /** A word that uses JSON's escapes explicitly (\\uXXXX, surrogate pairs) rather than raw characters. */
  private String escapedWord() {
    String[] escaped = {"\\u00e9t\\u00e9", "\\ud83d\\ude00", "\\/\\b\\f\\n\\r\\t", "\\u0000", "\\\"\\\\",
        "\\u6d4b\\u8bd5", "plain"};
    return "\u0001RAW" + escaped[random.nextInt(escaped.length)];
  }

  /** A JSON string literal for {@code s}; a marker prefix means "already escaped, copy as is". */
  private static String string(String s) {
    if (s.startsWith("\u0001RAW")) {
      return "\"" + s.substring(4) + "\"";
    }
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private void shuffle(List<String> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      String t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** Lays out {@code messages} on the wire in {@code framing}, with the variations a real peer uses. */
  byte[] wire(WireFraming framing, List<String> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String message : messages) {
      byte[] body = message.getBytes(StandardCharsets.UTF_8);
      switch (framing) {
        case NEWLINE -> {
          out.writeBytes(body);
          out.writeBytes(random.nextInt(4) == 0 ? "\r\n".getBytes(StandardCharsets.US_ASCII) : new byte[] {'\n'});
        }
        case CONCATENATED -> {
          out.writeBytes(body);
          if (random.nextBoolean()) {
            out.writeBytes(" ".repeat(random.nextInt(3)).getBytes(StandardCharsets.US_ASCII));
          }
        }
        case CONTENT_LENGTH -> {
          String header = switch (random.nextInt(4)) {
            case 0 -> "Content-Length: " + body.length + "\r\n\r\n";
            case 1 -> "content-length:" + body.length + "\n\n";
            case 2 -> "Content-Length: " + body.length + "\r\nContent-Type: application/vscode-jsonrpc; "
                + "charset=utf-8\r\n\r\n";
            default -> "Content-Type: application/json\r\nCONTENT-LENGTH: " + body.length + "\r\n\r\n";
          };
          out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
          out.writeBytes(body);
        }
        default -> throw new AssertionError(framing);
      }
    }
    return out.toByteArray();
  }
}
