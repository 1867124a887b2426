package io.courier.server;

import io.courier.transport.HttpOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web console's static files, read from the jar once per server and served like {@code /courier.js}: the page
 * at {@code /console} (and {@code /console/}), its script and its style sheet. They hold no data, so they are
 * served without authentication; the page learns everything by calling the server. Thread-safe (stateless).
 */
final class ConsoleFiles {

  /** The paths the console takes on the HTTP port. */
  static final List<String> PATHS = List.of("/console", "/console/", "/console/console.js", "/console/console.css");

  private static final String DIRECTORY = "/io/courier/web/console/";
  /** Where the page is told the WebSocket path, which a builder may change. */
  private static final String WEB_SOCKET_PATH_MARK = "{{webSocketPath}}";

  private ConsoleFiles() {}

  /**
   * Returns the console's files by path, the page told to connect to {@code webSocketPath}.
   *
   * @throws UncheckedIOException when a file is missing from the jar: a broken build, not a server to start
   */
  static Map<String, HttpOptions.Resource> load(String webSocketPath) {
    String page = new String(read("index.html"), StandardCharsets.UTF_8)
        .replace(WEB_SOCKET_PATH_MARK, escapeAttribute(webSocketPath));
    HttpOptions.Resource html = new HttpOptions.Resource("text/html; charset=utf-8",
        page.getBytes(StandardCharsets.UTF_8));
    Map<String, HttpOptions.Resource> files = new LinkedHashMap<>();
    files.put("/console", html);
    files.put("/console/", html);
    files.put("/console/console.js", new HttpOptions.Resource("text/javascript; charset=utf-8", read("console.js")));
    files.put("/console/console.css", new HttpOptions.Resource("text/css; charset=utf-8", read("console.css")));
    return files;
  }

  private static byte[] read(String name) {
    try (InputStream in = ConsoleFiles.class.getResourceAsStream(DIRECTORY + name)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("The web console's " + DIRECTORY + name
            + " is not on the class path"));
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The path goes into an HTML attribute; a builder's path is trusted, but must not break the markup. */
  private static String escapeAttribute(String text) {
    return text.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
