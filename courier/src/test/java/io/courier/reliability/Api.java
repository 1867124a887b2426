package io.courier.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.Idempotent;
import io.courier.NonBlocking;
import io.courier.RpcContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The service the battery calls: small methods whose behaviour each test controls, with counters. */
public interface Api {

  String echo(String s);

  int add(int a, int b);

  long num(long x);

  BigInteger bigint(BigInteger x);

  double dbl(double x);

  int len(String s);

  Object any(Object o);

  Map<String, Object> map(Map<String, Object> m);

  /** Adds decimals exactly; counts its invocations. */
  BigDecimal sum(List<BigDecimal> xs);

  /** Returns its argument as a tree; counts its invocations. */
  JsonNode tree(JsonNode x);

  /** Returns its argument; counts its invocations. */
  Number number(Number x);

  /** Returns the name of the thread it runs on. */
  String thread();

  /** Fails with an {@link io.courier.RpcException} whose message is {@code chars} characters long. */
  void failWith(int chars);

  /**
   * Fails with an {@link io.courier.RpcException} whose data cannot be written: reading it throws an
   * {@link IllegalStateException} ({@code "exception"}) or an {@link OutOfMemoryError} ({@code "error"}).
   */
  void failWithUnwritableData(String how);

  /** Blocks the I/O thread it runs on for {@code ms}: what a non-blocking method must never do, for tests. */
  @NonBlocking
  int blockIo(int ms) throws InterruptedException;

  /**
   * Fails with an {@link Error}: {@code "throw"} throws one, {@code "result"} returns a value whose
   * serialization throws one.
   */
  Object explode(String how);

  /** A value that cannot be written: reading its one property throws an {@link Error}. */
  final class Unwritable {
    public String getValue() {
      throw new OutOfMemoryError("simulated, while writing the result");
    }
  }

  /** Returns {@code bytes} characters after sleeping {@code delayMs}. */
  String blob(int bytes, int delayMs) throws InterruptedException;

  /** Sleeps {@code ms}, returning {@code id}; counts its invocations. */
  int sleep(int id, int ms) throws InterruptedException;

  /** Counts and returns the invocation number. */
  int count();

  /** Blocks until the test opens {@link Impl#gate}; counts entries. */
  int gated(int id) throws InterruptedException;

  /** Same as {@link #echo}, marked idempotent. */
  @Idempotent
  String idem(String s);

  /** An interface-typed param: nothing in the input may choose its implementation. */
  interface Shape {
    double area();
  }

  final class Impl implements Api {
    final AtomicInteger invocations = new AtomicInteger();
    final AtomicInteger counted = new AtomicInteger();
    final AtomicInteger gatedEntries = new AtomicInteger();
    final AtomicInteger sleepsStarted = new AtomicInteger();
    final AtomicInteger sleepsCancelled = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(1);

    @Override
    public String echo(String s) {
      invocations.incrementAndGet();
      return s;
    }

    @Override
    public int add(int a, int b) {
      invocations.incrementAndGet();
      return a + b;
    }

    @Override
    public long num(long x) {
      return x;
    }

    @Override
    public BigInteger bigint(BigInteger x) {
      return x;
    }

    @Override
    public double dbl(double x) {
      return x;
    }

    @Override
    public int len(String s) {
      return s.length();
    }

    @Override
    public Object any(Object o) {
      return o;
    }

    @Override
    public Map<String, Object> map(Map<String, Object> m) {
      return m;
    }

    @Override
    public BigDecimal sum(List<BigDecimal> xs) {
      invocations.incrementAndGet();
      return xs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Override
    public JsonNode tree(JsonNode x) {
      invocations.incrementAndGet();
      return x;
    }

    @Override
    public Number number(Number x) {
      invocations.incrementAndGet();
      return x;
    }

    @Override
    public String thread() {
      return Thread.currentThread().getName();
    }

    @Override
    public void failWith(int chars) {
      throw new io.courier.RpcException(1000, "x".repeat(chars));
    }

    @Override
    public void failWithUnwritableData(String how) {
      Object data = how.equals("error") ? new Unwritable() : new Object() {
        @SuppressWarnings("unused")
        public String getValue() {
          throw new IllegalStateException("simulated, while writing the error's data");
        }
      };
      throw new io.courier.RpcException(io.courier.RpcError.of(1000, "unwritable data",
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.pojoNode(data)));
    }

    @Override
    public int blockIo(int ms) throws InterruptedException {
      Thread.sleep(ms);
      return ms;
    }

    @Override
    public Object explode(String how) {
      if (how.equals("throw")) {
        throw new OutOfMemoryError("simulated, in the method");
      }
      return new Unwritable();
    }

    @Override
    public String blob(int bytes, int delayMs) throws InterruptedException {
      invocations.incrementAndGet();
      if (delayMs > 0) {
        Thread.sleep(delayMs);
      }
      return "x".repeat(bytes);
    }

    @Override
    public int sleep(int id, int ms) throws InterruptedException {
      sleepsStarted.incrementAndGet();
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        if (RpcContext.current().isCancelled()) {
          sleepsCancelled.incrementAndGet();
        }
        throw e;
      }
      return id;
    }

    @Override
    public int count() {
      return counted.incrementAndGet();
    }

    @Override
    public int gated(int id) throws InterruptedException {
      gatedEntries.incrementAndGet();
      gate.await(30, TimeUnit.SECONDS);
      return id;
    }

    @Override
    public String idem(String s) {
      invocations.incrementAndGet();
      return s;
    }
  }
}
