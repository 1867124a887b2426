package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static final Cell ADD_16 = Cell.of(Workload.ADD, 16);

  private static Sample sample(Target target, double callsPerSecond) {
    return new Sample(target.id(), ADD_16, 1, (long) callsPerSecond, 0, 1_000_000_000L, 100_000, 200_000,
        300_000, 400_000);
  }

  private static Report report() {
    return report(Plan.quick());
  }

  private static Report report(Plan plan) {
    Machine machine = new Machine(2, "test CPU", 1L << 34, "JDK 17", "Linux", 20_000);
    return new Report(plan, machine, "java -jar courier-bench.jar --" + plan.mode(), ZonedDateTime.now());
  }

  private static Row row(Target target, double callsPerSecond) {
    return new Row(target, ADD_16, List.of(sample(target, callsPerSecond)), null);
  }

  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  @Test
  void medianIsTheMiddleOrTheMeanOfTheTwoMiddles() {
    assertThat(Row.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(Row.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(Row.median(new double[0])).isZero();
  }

  @Test
  void rowGivesMedianAndSpreadOfItsWindows() {
    Row row = new Row(Target.COURIER, ADD_16,
        List.of(sample(Target.COURIER, 900), sample(Target.COURIER, 1000), sample(Target.COURIER, 1200)), null);
    assertThat(row.callsPerSecond()).isEqualTo(1000);
    assertThat(row.minCallsPerSecond()).isEqualTo(900);
    assertThat(row.maxCallsPerSecond()).isEqualTo(1200);
    assertThat(row.calls()).isEqualTo(3100);
  }

  @Test
  void ratiosAreRelativeToGrpcJsonForTheSameCell() {
    Report report = report();
    report.add(new Row(Target.GRPC_JSON, ADD_16, List.of(sample(Target.GRPC_JSON, 1000)), null));
    Row courier = new Row(Target.COURIER, ADD_16, List.of(sample(Target.COURIER, 1500)), null);
    report.add(courier);
    Row other = new Row(Target.COURIER, Cell.of(Workload.ADD, 1), List.of(sample(Target.COURIER, 10)), null);
    report.add(other);
    assertThat(report.ratio(courier)).hasValue(1.5);
    assertThat(report.ratio(other)).isEmpty();
    assertThat(report.resultsTable()).contains("| add | 16 | 1 | Courier | 1,500 |").contains("1.50×");
  }

  @Test
  void failedRowsSayWhyInTheNotes() {
    Report report = report();
    report.add(Row.failed(Target.JSONRPC4J, ADD_16, "the server did not start"));
    assertThat(report.resultsTable()).contains("| jsonrpc4j | not measured (see notes)");
    assertThat(report.tables()).contains("jsonrpc4j, add@16: the server did not start");
    assertThat(report.csv()).contains("quick,load,jsonrpc4j,add,16,1,0,failed,");
  }

  @Test
  void transportsTableGivesRatiosToCourierOverTcpAndToGrpcJson() {
    Report report = report(Plan.transports());
    report.add(row(Target.COURIER, 1000));
    report.add(row(Target.COURIER_HTTPS, 500));
    report.add(row(Target.GRPC_JSON, 250));
    assertThat(report.transportsTable())
        .contains("| Courier, HTTP/1.1 + TLS | HTTP/1.1 | yes | 500 |")
        .contains("| 0.50× | 2.00× |")
        .contains("| gRPC + JSON | HTTP/2 | no | 250 |");
    assertThat(report.tables()).isEqualTo(report.transportsTable());
  }

  @Test
  void transportsRunWritesOnlyItsSectionAndOtherRunsKeepIt() {
    Report quick = report();
    quick.add(row(Target.COURIER, 1000));
    String page = quick.page(null);
    assertThat(page).doesNotContain(Report.TRANSPORTS_BEGIN);

    Report transports = report(Plan.transports());
    transports.add(row(Target.COURIER_WSS, 777));
    String withSection = transports.page(page);
    assertThat(withSection).startsWith(page.substring(0, page.indexOf("## How it measures")))
        .contains("## Transports").contains("| Courier, WebSocket + TLS | WebSocket | yes | 777 |")
        .endsWith(page.substring(page.indexOf("## How it measures")));
    assertThat(withSection.indexOf("## Transports")).isLessThan(withSection.indexOf("## How it measures"));

    Report again = report(Plan.transports());
    again.add(row(Target.COURIER_WSS, 888));
    String replaced = again.page(withSection);
    assertThat(count(replaced, Report.TRANSPORTS_BEGIN)).isEqualTo(1);
    assertThat(replaced).contains("| 888 |").doesNotContain("| 777 |")
        .contains("| add | 16 | 1 | Courier | 1,000 |");

    Report nextQuick = report();
    nextQuick.add(row(Target.COURIER, 2000));
    String kept = nextQuick.page(replaced);
    assertThat(kept).contains("| add | 16 | 1 | Courier | 2,000 |").contains("| 888 |");
    assertThat(count(kept, Report.TRANSPORTS_BEGIN)).isEqualTo(1);
    assertThat(report(Plan.transports()).page(null)).startsWith("# Benchmarks").contains("## Transports");
  }

  @Test
  void aBaselineRunWritesOnlyItsBeforeAndAfterSectionAndOtherRunsKeepIt() {
    Report quick = report();
    quick.add(row(Target.COURIER, 1000));
    String page = quick.page(null);

    Report ab = report();
    ab.add(row(Target.COURIER, 1100));
    ab.add(row(Target.COURIER_BASELINE, 1000));
    ab.add(row(Target.COURIER_IO, 1900));
    ab.add(row(Target.COURIER_IO_BASELINE, 2000));
    String withSection = ab.page(page);
    assertThat(withSection).contains("## Before and after")
        .contains("| add | 16 | Courier | 1,100 | 1,000 | 1.10× |")
        .contains("| add | 16 | Courier, I/O thread | 1,900 | 2,000 | 0.95× |")
        .contains("| add | 16 | 1 | Courier | 1,000 |"); // the results of the earlier run stay
    assertThat(withSection.indexOf("## Before and after")).isLessThan(withSection.indexOf("## How it measures"));

    Report nextQuick = report();
    nextQuick.add(row(Target.COURIER, 2000));
    String kept = nextQuick.page(withSection);
    assertThat(kept).contains("| add | 16 | 1 | Courier | 2,000 |").contains("| 1,100 | 1,000 | 1.10× |");
    assertThat(count(kept, Report.BASELINE_BEGIN)).isEqualTo(1);
  }

  @Test
  void peersRunWritesOnlyItsSectionWithItsRatiosAndRefreshesTheMethod() {
    Report quick = report();
    quick.add(row(Target.COURIER, 1000));
    String current = quick.page(null);
    String stale = current.substring(0, current.indexOf("## How it measures")) + "## How it measures\n\n- old\n";

    Cell stream = Cell.of(Workload.STREAM, 1);
    Report peers = report(Plan.peers());
    peers.add(row(Target.COURIER, 1000));
    peers.add(row(Target.COURIER_PEER, 950));
    peers.add(new Row(Target.COURIER, stream, List.of(new Sample("courier", stream, 1, 5000, 0, 1_000_000_000L,
        0, 0, 0, 0)), null));
    peers.add(new Row(Target.GRPC_JSON, stream, List.of(new Sample("grpc-json", stream, 1, 2500, 0,
        1_000_000_000L, 0, 0, 0, 0)), null));
    String withSection = peers.page(stale);
    assertThat(withSection).contains("## Peers and streams")
        .contains("| add | 16 | Courier, server to client | 950 |").contains("| 0.95× |")
        .contains("| stream of ints | 1 | Courier | 5,000 | 5,000–5,000 | 0 | 2.00× |")
        .contains("server to client over client to server at 16 in flight: 0.95×")
        .contains("| add | 16 | 1 | Courier | 1,000 |") // the results of the earlier run stay
        .doesNotContain("- old\n").endsWith(Report.howItMeasures());
    assertThat(withSection.indexOf("## Peers and streams")).isLessThan(withSection.indexOf("## How it measures"));

    Report nextQuick = report();
    nextQuick.add(row(Target.COURIER, 2000));
    String kept = nextQuick.page(withSection);
    assertThat(kept).contains("| add | 16 | 1 | Courier | 2,000 |").contains("| 950 |");
    assertThat(count(kept, Report.PEERS_BEGIN)).isEqualTo(1);
  }

  @Test
  void clusterRunWritesOnlyItsSectionAfterPeersWithRatiosAndKillsAndOtherRunsKeepIt() {
    Report peers = report(Plan.peers());
    peers.add(row(Target.COURIER, 1000));
    peers.add(row(Target.COURIER_PEER, 950));
    String page = peers.page(report().page(null));

    Report cluster = report(Plan.cluster());
    cluster.add(new Row(Target.COURIER, ADD_16, List.of(sample(Target.COURIER, 1000),
        sample(Target.COURIER, 2000)), null));
    cluster.add(new Row(Target.COURIER_LIST, ADD_16, List.of(sample(Target.COURIER_LIST, 900),
        sample(Target.COURIER_LIST, 2000)), null));
    long ms = 1_000_000;
    cluster.add(new KillRow(Target.COURIER_LIST, Failover.Variant.PLAIN, List.of(
        new Failover.Trial(0, 2 * ms, 10 * ms, 14, 14, Map.of("-32005 sent", 14), 5, 9000, 0),
        new Failover.Trial(1, 4 * ms, 30 * ms, 16, 16, Map.of("-32005 sent", 16), 6, 9000, 0)), null));
    cluster.add(new KillRow(Target.COURIER_LIST, Failover.Variant.IDEMPOTENT, List.of(), "failed: boom"));
    String withSection = cluster.page(page);
    assertThat(withSection).contains("## Several servers")
        .contains("| add | 16 | Courier, list of 3 servers | 3 | 1,450 |")
        .contains("list of 3 servers over one server at 16 in flight: 0.97× (0.90×, 1.00×; median 0.95×)")
        .contains("| Courier, list of 3 servers | not idempotent | 2 | 3.00 ms / 4.00 ms | 20.00 ms / 30.00 ms "
            + "| 15 / 16 | 30 of 30 | 5.5 / 6 | -32005 sent ×30 |")
        .contains("| Courier, list of 3 servers | not idempotent | 2 | 2 | 4.00 ms | 30.00 ms | 16 (16) |")
        .contains("add `@Idempotent`: failed: boom")
        .contains("| 950 |") // the peers section stays
        .endsWith(Report.howItMeasures());
    assertThat(withSection.indexOf(Report.CLUSTER_BEGIN)).isGreaterThan(withSection.indexOf(Report.PEERS_END))
        .isLessThan(withSection.indexOf("## How it measures"));
    assertThat(cluster.killsCsv()).contains("cluster,courier-list,plain,2,2,4000.0,30000.0,16,16,-32005 sent ×16,6");

    Report nextQuick = report();
    nextQuick.add(row(Target.COURIER, 2000));
    String kept = nextQuick.page(withSection);
    assertThat(kept).contains("| add | 16 | 1 | Courier | 2,000 |")
        .contains("| add | 16 | Courier, list of 3 servers | 3 | 1,450 |");
    assertThat(count(kept, Report.CLUSTER_BEGIN)).isEqualTo(1);
    assertThat(Report.sectionOf(kept, Report.CLUSTER_BEGIN, Report.CLUSTER_END))
        .isEqualTo(Report.sectionOf(withSection, Report.CLUSTER_BEGIN, Report.CLUSTER_END));
  }

  @Test
  void eachTargetGetsOnlyTheWorkloadsItSupports() {
    Cell stream = Cell.of(Workload.STREAM, 1);
    Cell add128 = Cell.of(Workload.ADD, 128);
    assertThat(Plan.peers().cellsFor(Target.COURIER)).containsExactly(ADD_16, add128, stream);
    assertThat(Plan.peers().cellsFor(Target.COURIER_PEER)).containsExactly(ADD_16, add128);
    assertThat(Plan.smoke().cellsFor(Target.COURIER_PEER)).containsExactly(ADD_16);
    assertThat(Plan.smoke().cellsFor(Target.GRPC_BINARY)).contains(stream);
    assertThat(Plan.smoke().cellsFor(Target.JSONRPC4J)).doesNotContain(stream).isNotEmpty();
    assertThat(Plan.quick().cellsFor(Target.COURIER)).doesNotContain(stream);
    assertThat(Cell.parse("stream@1")).isEqualTo(stream);
  }

  @Test
  void transportTargetsHaveNoScaleRows() {
    Plan full = Plan.full();
    assertThat(full.cellsFor(Target.COURIER)).isEqualTo(full.allCells());
    assertThat(full.cellsFor(Target.COURIER_HTTP)).isEqualTo(full.cells());
    assertThat(Plan.smoke().cellsFor(Target.COURIER_WSS)).containsExactly(ADD_16);
    assertThat(Plan.transports().allCells()).containsExactly(ADD_16);
  }

  @Test
  void scaleRowFollowsTheCellItIsComparedWith() {
    List<Cell> full = Plan.full().allCells();
    Cell scale = new Cell(Workload.ADD, Plan.SCALE_IN_FLIGHT, Plan.full().manyConnections());
    assertThat(full).hasSize(Plan.full().cells().size() + 1);
    assertThat(full.get(full.indexOf(scale) - 1)).isEqualTo(ADD_16);

    Plan echoOnly = new Plan("full", List.of(Cell.of(Workload.echo(1024), 1)), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1_000, 0);
    assertThat(echoOnly.allCells()).containsExactly(Cell.of(Workload.echo(1024), 1), scale);
  }

  @Test
  void pageNamesTheCommandDateAndMachine() {
    String page = report().markdown();
    assertThat(page).contains(Report.BUILD_AND_RUN).contains("java -jar courier-bench.jar --quick")
        .contains("2 cores (test CPU), 16 GiB; JDK 17; Linux");
  }
}
