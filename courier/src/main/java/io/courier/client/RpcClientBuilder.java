package io.courier.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.Endpoint;
import io.courier.protocol.CourierJson;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Configures and builds an {@link RpcClient}. Each setter states its default; {@link #target} is required.
 * Not thread-safe; the client it builds is.
 */
public final class RpcClientBuilder {

  static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  Endpoint endpoint;
  Dialect dialect = Dialect.JSON_RPC;
  Duration callTimeout = DEFAULT_CALL_TIMEOUT;
  Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  ObjectMapper mapper;
  int maxMessageBytes = CourierJson.DEFAULT_MAX_MESSAGE_BYTES;
  int ioThreads = 1;
  Executor callbackExecutor = ForkJoinPool.commonPool();

  RpcClientBuilder() {}

  /**
   * The server to call, as a URI {@code tcp://host:port} or a plain {@code host:port}. Required.
   *
   * @throws IllegalArgumentException when it is not a TCP address with a port
   */
  public RpcClientBuilder target(String target) {
    requireNonNull(target, "target");
    if (!target.contains("://")) {
      return endpoint(Endpoint.parse(target));
    }
    return target(URI.create(target));
  }

  /** The server to call, as a URI {@code tcp://host:port}. */
  public RpcClientBuilder target(URI target) {
    requireNonNull(target, "target");
    if (!"tcp".equalsIgnoreCase(target.getScheme())) {
      throw new IllegalArgumentException("target: " + target + " (expected: tcp://host:port)");
    }
    if (target.getHost() == null || target.getPort() < 0) {
      throw new IllegalArgumentException("target: " + target + " (expected: tcp://host:port, with a port)");
    }
    return endpoint(Endpoint.of(target.getHost(), target.getPort()));
  }

  /** The server to call. */
  public RpcClientBuilder endpoint(Endpoint endpoint) {
    this.endpoint = requireNonNull(endpoint, "endpoint");
    return this;
  }

  /** The dialect to speak. Default: {@link Dialect#JSON_RPC}. */
  public RpcClientBuilder dialect(Dialect dialect) {
    this.dialect = requireNonNull(dialect, "dialect");
    return this;
  }

  /**
   * How long a call may take, from the moment it is made until its reply arrives, connecting included. A call
   * that runs out of time fails with {@link io.courier.CallTimeoutException} and the server is told to stop
   * working on it. Default: 30 seconds. {@link RpcClient#withCallTimeout} overrides it for some calls.
   */
  public RpcClientBuilder callTimeout(Duration timeout) {
    this.callTimeout = checkPositive(timeout, "callTimeout");
    return this;
  }

  /** How long opening a connection may take. Default: 10 seconds. */
  public RpcClientBuilder connectTimeout(Duration timeout) {
    checkPositive(timeout, "connectTimeout");
    if (timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeout: " + timeout + " (expected: <= 24 days)");
    }
    this.connectTimeout = timeout;
    return this;
  }

  /**
   * The Jackson mapper for params and results. Default: {@link CourierJson#newMapper(int)}; a mapper of your
   * own should start from that one.
   */
  public RpcClientBuilder objectMapper(ObjectMapper mapper) {
    this.mapper = requireNonNull(mapper, "mapper");
    return this;
  }

  /** Largest reply accepted, in bytes. Default: 4 MiB; past it the connection is closed. */
  public RpcClientBuilder maxMessageBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maxMessageBytes: " + bytes + " (expected: > 0)");
    }
    this.maxMessageBytes = bytes;
    return this;
  }

  /** Number of Netty I/O threads. Default: 1, which one connection needs. */
  public RpcClientBuilder ioThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("ioThreads: " + threads + " (expected: >= 1)");
    }
    this.ioThreads = threads;
    return this;
  }

  /**
   * The executor that completes the futures of asynchronous calls, so that callbacks never run on an I/O
   * thread. Default: {@link ForkJoinPool#commonPool()}. Blocking calls are completed directly.
   */
  public RpcClientBuilder callbackExecutor(Executor executor) {
    this.callbackExecutor = requireNonNull(executor, "executor");
    return this;
  }

  ObjectMapper mapper() {
    return mapper != null ? mapper : CourierJson.newMapper(maxMessageBytes);
  }

  private static Duration checkPositive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
    return d;
  }

  /**
   * Builds the client. It connects lazily, on the first call.
   *
   * @throws IllegalStateException when no target was set
   */
  public RpcClient build() {
    if (endpoint == null) {
      throw new IllegalStateException("target is required (e.g. target(\"tcp://127.0.0.1:7070\"))");
    }
    return new RpcClient(new ClientCore(this), mapper(), callTimeout, true);
  }
}
