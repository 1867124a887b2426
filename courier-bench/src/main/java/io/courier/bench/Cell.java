package io.courier.bench;

/**
 * One measured combination: a workload, how many calls are kept in flight, and over how many connections. It
 * is written {@code add@16} (one connection) or {@code add@16x1000} (16 calls spread over 1,000 connections).
 * Immutable.
 *
 * @param workload what each call does
 * @param inFlight calls kept in flight at every moment (a closed loop)
 * @param connections connections the calls are spread over; 1 for every row but the scale row
 */
record Cell(Workload workload, int inFlight, int connections) {

  Cell {
    if (inFlight < 1) {
      throw new IllegalArgumentException("inFlight: " + inFlight + " (expected: >= 1)");
    }
    if (connections < 1) {
      throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
    }
  }

  static Cell of(Workload workload, int inFlight) {
    return new Cell(workload, inFlight, 1);
  }

  String spec() {
    return workload.spec() + "@" + inFlight + (connections == 1 ? "" : "x" + connections);
  }

  static Cell parse(String spec) {
    int at = spec.indexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("cell: " + spec + " (expected: WORKLOAD@INFLIGHT[xCONNECTIONS])");
    }
    String rest = spec.substring(at + 1);
    int x = rest.indexOf('x');
    try {
      int inFlight = Integer.parseInt(x < 0 ? rest : rest.substring(0, x));
      int connections = x < 0 ? 1 : Integer.parseInt(rest.substring(x + 1));
      return new Cell(Workload.parse(spec.substring(0, at)), inFlight, connections);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cell: " + spec + " (expected: WORKLOAD@INFLIGHT[xCONNECTIONS])", e);
    }
  }

  @Override
  public String toString() {
    return spec();
  }
}
