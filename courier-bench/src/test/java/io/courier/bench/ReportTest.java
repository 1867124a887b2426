package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static final Cell ADD_16 = Cell.of(Workload.ADD, 16);

  private static Sample sample(Target target, double callsPerSecond) {
    return new Sample(target.id(), ADD_16, 1, (long) callsPerSecond, 0, 1_000_000_000L, 100_000, 200_000,
        300_000, 400_000);
  }

  private static Report report() {
    Machine machine = new Machine(2, "test CPU", 1L << 34, "JDK 17", "Linux", 20_000);
    return new Report(Plan.quick(), machine, "java -jar courier-bench.jar --quick", ZonedDateTime.now());
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
  void pageNamesTheCommandDateAndMachine() {
    String page = report().markdown();
    assertThat(page).contains(Report.BUILD_AND_RUN).contains("java -jar courier-bench.jar --quick")
        .contains("2 cores (test CPU), 16 GiB; JDK 17; Linux");
  }
}
