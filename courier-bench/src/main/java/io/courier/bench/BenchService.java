package io.courier.bench;

/**
 * The service every RPC target serves: the two methods of the workload. Courier and jsonrpc4j serve it as is;
 * gRPC serves the same two operations through its own descriptors.
 */
public interface BenchService {

  int add(int a, int b);

  String echo(String s);

  /** The implementation: no work beyond the operation itself. Thread-safe. */
  final class Impl implements BenchService {

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public String echo(String s) {
      return s;
    }
  }
}
