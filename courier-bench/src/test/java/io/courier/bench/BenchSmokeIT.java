package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged bench in its smoke mode, as a user would ({@code java -jar target/courier-bench.jar
 * --smoke}), and checks that every target answered every cell: calls made, no errors, and the idle rows read.
 * The smoke targets include Courier over HTTP/1.1 and over WebSocket inside TLS (with the run's certificates),
 * which have no scale or idle rows. Nothing is asserted about speed.
 */
class BenchSmokeIT {

  private static final long TIMEOUT_SECONDS = 120;

  @Test
  void smokeRunMeasuresEveryTargetWithoutErrors() throws Exception {
    Path jar = Path.of("target", "courier-bench.jar");
    assertThat(jar).as("the shaded jar, made by the package phase").exists();
    Path csv = Path.of("target", "bench-smoke-it.csv");
    Path output = Path.of("target", "bench-smoke-it.out");
    Files.deleteIfExists(csv);
    Process bench = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--smoke", "--no-markdown", "--csv", csv.toString())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    if (!bench.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      bench.destroyForcibly().waitFor();
      fail("the smoke run took more than " + TIMEOUT_SECONDS + " s; its output:\n" + Files.readString(output));
    }
    String printed = Files.readString(output);
    assertThat(bench.exitValue()).as(printed).isZero();

    List<Map<String, String>> rows = readCsv(csv);
    Plan plan = Plan.smoke();
    for (Target target : Target.SMOKE) {
      for (Cell cell : plan.cellsFor(target)) {
        Map<String, String> row = rows.stream()
            .filter(r -> r.get("kind").equals("load") && r.get("target").equals(target.id())
                && r.get("workload").equals(cell.workload().spec())
                && r.get("in_flight").equals(Integer.toString(cell.inFlight()))
                && r.get("connections").equals(Integer.toString(cell.connections())))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no row for " + target.id() + " " + cell + " in\n" + printed));
        String what = target.id() + " " + cell + ": " + row;
        assertThat(row.get("status")).as(what).isEqualTo("ok");
        assertThat(Long.parseLong(row.get("calls"))).as(what).isPositive();
        assertThat(Long.parseLong(row.get("errors"))).as(what).isZero();
      }
      List<Map<String, String>> idleRows = rows.stream()
          .filter(r -> r.get("kind").equals("idle") && r.get("target").equals(target.id()))
          .toList();
      if (!target.hasScaleRows()) {
        assertThat(idleRows).as(target.id() + " has no idle row").isEmpty();
        continue;
      }
      Map<String, String> idle = idleRows.stream()
          .findFirst()
          .orElseThrow(() -> new AssertionError("no idle row for " + target.id() + " in\n" + printed));
      assertThat(idle.get("status")).as(target.id() + " idle: " + idle).isEqualTo("ok");
      assertThat(idle.get("connections")).isEqualTo(Integer.toString(plan.idleConnections()));
    }
  }

  /** Reads a CSV with a header line; fields may be quoted, with "" for a quote. */
  static List<Map<String, String>> readCsv(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> header = fields(lines.get(0));
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      List<String> f = fields(line);
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), i < f.size() ? f.get(i) : "");
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}
