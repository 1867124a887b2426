package io.courier.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the node scripts of {@code interop/} live, and whether they can run: the interop tests need {@code node}
 * and {@code npm ci --prefix interop}. Without either they are skipped, except when the environment variable
 * {@code COURIER_CI} is set: then they fail, so that CI cannot pass by skipping them.
 */
final class NodeScripts {

  private static final String INSTALL_HINT = "run `npm ci --prefix interop` at the repository root";

  private NodeScripts() {
  }

  /** The {@code interop/} directory at the repository root. */
  static Path dir() {
    return repoRoot().resolve("interop");
  }

  /**
   * Skips (or, with {@code COURIER_CI}, fails) the calling test unless node runs and the npm packages are installed.
   * Call it before each test rather than once, so that a skip shows as skipped tests in the report.
   */
  static void requireNodeAndPackages() {
    Path interop = dir();
    boolean installed = Files.isRegularFile(interop.resolve("node_modules/jayson/package.json"))
        && Files.isRegularFile(interop.resolve("node_modules/vscode-jsonrpc/package.json"));
    requireOrSkip(installed, interop.resolve("node_modules") + " lacks jayson or vscode-jsonrpc: " + INSTALL_HINT);
    requireOrSkip(nodeRuns(), "`node --version` does not run: install Node.js (>= 20), then " + INSTALL_HINT);
  }

  /** The repository root: the nearest directory at or above the working directory holding interop/. */
  static Path repoRoot() {
    Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("interop").resolve("package.json"))
          && Files.isRegularFile(dir.resolve("interop").resolve("jayson-client.js"))) {
        return dir;
      }
    }
    throw new AssertionError("no interop/package.json in " + start + " or any directory above it");
  }

  private static void requireOrSkip(boolean condition, String message) {
    if (condition) {
      return;
    }
    if (System.getenv("COURIER_CI") != null) {
      throw new AssertionError(message + " (COURIER_CI is set, so this fails instead of being skipped)");
    }
    Assumptions.abort(message);
  }

  private static boolean nodeRuns() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
