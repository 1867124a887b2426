package io.courier.micrometer;

import static java.util.Objects.requireNonNull;

import io.courier.CallEvent;
import io.courier.Experimental;
import io.courier.Peer;
import io.courier.RpcError;
import io.courier.RpcEventListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link RpcEventListener} that records what a server or a client does as Micrometer meters, named after
 * OpenTelemetry's RPC semantic conventions: per method, the duration, outcome and sizes of calls served and made,
 * calls in flight and time queued; per end, connections by protocol and the messages it refused. Give one to a
 * server, another to a client:
 *
 * <pre>{@code
 * RpcServer server = RpcServer.builder()
 *     .eventListener(CourierMetrics.server(registry))
 *     .service(Calculator.class, new CalculatorImpl())
 *     .build()
 *     .start();
 * RpcClient client = RpcClient.builder()
 *     .target("tcp://localhost:7070")
 *     .eventListener(CourierMetrics.client(registry))
 *     .build();
 * }</pre>
 *
 * <p>Calls are recorded by the side that plays the role: a call this end serves goes to the {@code rpc.server.*}
 * meters, one it makes to {@code rpc.client.*}, whichever kind of end it is (a client serves its server's calls
 * back too). Connections and refused messages carry no such role, so they are named by the end the listener was
 * made for, {@link #server} or {@link #client}.
 *
 * <p>Tag values stay bounded whatever a peer sends: a method is tagged by name only once it has started a call
 * (on a server, only registered methods do) and at most {@link Builder#maxMethods} names are kept; any other is
 * {@code _OTHER}, as the conventions ask for methods a server does not know. Status codes are bounded the same way
 * per method, since a client's come from its server. Meters are created once per method and outcome and cached,
 * so that recording a call costs a few map operations and builds no meter ids.
 *
 * <p>Several instances may share one registry (say a server and a client in one process): meters with the same
 * name and tags are shared, and the connection gauges are computed from shared counters so that neither instance's
 * counts hide the other's. Thread-safe; its methods never block.
 */
@Experimental
public final class CourierMetrics implements RpcEventListener {

  /** The value of {@code rpc.system.name}: the conventions' name for JSON-RPC. */
  static final String SYSTEM = "jsonrpc";
  /** A method or status code beyond the bounds, or a method this end does not know. */
  static final String OTHER = "_OTHER";
  /** The status code of a call that returned a result: JSON-RPC has none, and every meter needs the same keys. */
  static final String OK = "OK";
  /** The {@code error.type} of a call that returned a result (Micrometer's usual word for "no error"). */
  static final String NONE = "none";

  /** Codes tagged per method: a server answers with a handful; a client's come from its server, whatever it is. */
  private static final int MAX_STATUS_CODES = 32;
  /**
   * In-flight counts by registry, then by gauge name and tags; weak, so that a registry dropped is not kept. Read
   * only when a method's meters are made, never per call.
   */
  private static final Map<MeterRegistry, Map<String, AtomicLong>> IN_FLIGHT = new WeakHashMap<>();

  private final MeterRegistry registry;
  private final String side;
  private final Tags commonTags;
  private final boolean percentileHistogram;
  private final double[] percentiles;
  private final int maxMethods;

  private final Role serving = new Role("server");
  private final Role making = new Role("client");
  private final Map<String, Map<String, Counter>> rejected = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> connections = new ConcurrentHashMap<>();

  private CourierMetrics(Builder builder, String side) {
    this.registry = builder.registry;
    this.side = side;
    this.commonTags = builder.tags.and(Tag.of("rpc.system.name", SYSTEM));
    this.percentileHistogram = builder.percentileHistogram;
    this.percentiles = builder.percentiles.clone();
    this.maxMethods = builder.maxMethods;
  }

  /** Returns metrics for a server, with the defaults of {@link Builder}, recording into {@code registry}. */
  public static CourierMetrics server(MeterRegistry registry) {
    return builder(registry).buildForServer();
  }

  /** Returns metrics for a client, with the defaults of {@link Builder}, recording into {@code registry}. */
  public static CourierMetrics client(MeterRegistry registry) {
    return builder(registry).buildForClient();
  }

  /** Returns a builder of metrics that record into {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(requireNonNull(registry, "registry"));
  }

  @Override
  public void connectionOpened(Peer connection) {
    Counter[] counters = connectionCounters(connection);
    counters[0].increment();
  }

  @Override
  public void connectionClosed(Peer connection) {
    Counter[] counters = connectionCounters(connection);
    counters[1].increment();
  }

  @Override
  public void callStarted(CallEvent call) {
    (call.served() ? serving : making).method(call.method()).active.incrementAndGet();
  }

  @Override
  public void callEnded(CallEvent call) {
    // The same lookup as at the start finds the same meters: names are only ever added, up to the bound.
    MethodMeters meters = (call.served() ? serving : making).method(call.method());
    meters.active.decrementAndGet();
    RpcError error = call.error();
    Outcome outcome = error == null ? meters.ok() : meters.outcome(String.valueOf(error.code()));
    outcome.duration.record(call.durationNanos(), TimeUnit.NANOSECONDS);
    if (call.requestBytes() >= 0) {
      outcome.requestSize.record(call.requestBytes());
    }
    if (call.responseBytes() >= 0) {
      outcome.responseSize.record(call.responseBytes());
    }
    if (call.served()) {
      // A call refused as busy never waited in the queue; every other served call did, if only for an instant.
      if (call.ran() || call.queuedNanos() > 0) {
        meters.queued.record(call.queuedNanos(), TimeUnit.NANOSECONDS);
      }
      if (!call.ran() && error != null) {
        // Refused after it started (busy, expired or cancelled in the queue, or by an interceptor such as auth):
        // no method ran, so it counts with the messages refused before they became calls.
        rejectedCounter(meters.name, error).increment();
      }
    }
  }

  @Override
  public void callRejected(Peer connection, String method, RpcError error) {
    // Only a method that has started a call here is known to be served (registered) by this end; any other name,
    // even one refused as busy before it was looked up, came from the peer and could be anything.
    String name = method != null && serving.methods.containsKey(method) ? method : OTHER;
    rejectedCounter(name, error).increment();
  }

  private Counter rejectedCounter(String method, RpcError error) {
    Map<String, Counter> byCode = rejected.computeIfAbsent(method, m -> new ConcurrentHashMap<>());
    String code = String.valueOf(error.code());
    Counter counter = byCode.get(code);
    if (counter != null) {
      return counter;
    }
    if (byCode.size() >= MAX_STATUS_CODES) {
      code = OTHER;
    }
    // Past the bound one counter takes every further code, so it cannot name one reason.
    String reason = code.equals(OTHER) ? "other" : reason(error.code());
    return byCode.computeIfAbsent(code, c -> Counter.builder("courier." + side + ".calls.rejected")
        .description("Messages and calls this end refused before any method ran")
        .tags(commonTags)
        .tag("rpc.method", method)
        .tag("rpc.status_code", c)
        .tag("courier.reason", reason)
        .register(registry));
  }

  /** A short, bounded word for why a call was refused, so that dashboards need not know the codes. */
  static String reason(int code) {
    switch (code) {
      case RpcError.PARSE_ERROR_CODE:
        return "parse_error";
      case RpcError.INVALID_REQUEST_CODE:
        return "invalid_request";
      case RpcError.METHOD_NOT_FOUND_CODE:
        return "method_not_found";
      case RpcError.INVALID_PARAMS_CODE:
        return "invalid_params";
      case RpcError.SERVER_BUSY_CODE:
        return "busy";
      case RpcError.SHUTTING_DOWN_CODE:
        return "shutting_down";
      case RpcError.LIMIT_EXCEEDED_CODE:
        return "limit_exceeded";
      case RpcError.UNAUTHENTICATED_CODE:
        return "unauthenticated";
      case RpcError.PERMISSION_DENIED_CODE:
        return "permission_denied";
      case RpcError.TIMEOUT_CODE:
        return "expired";
      case RpcError.CANCELLED_CODE:
        return "cancelled";
      default:
        return "other";
    }
  }

  /** Returns the opened and closed counters of the connection's protocol, registering them and the gauge once. */
  private Counter[] connectionCounters(Peer connection) {
    String protocol = connection.protocol() == null ? "unknown" : connection.protocol();
    Counter[] counters = connections.get(protocol);
    if (counters != null) {
      return counters;
    }
    return connections.computeIfAbsent(protocol, p -> {
      String name = "courier." + side + ".connections";
      Tags tags = commonTags.and("courier.protocol", p);
      Counter opened = Counter.builder(name + ".opened").description("Connections opened")
          .tags(tags).register(registry);
      Counter closed = Counter.builder(name + ".closed").description("Connections closed")
          .tags(tags).register(registry);
      // Open = opened - closed, from counters the registry shares: a second instance on the same registry gets
      // this gauge back rather than its own, and its connections must still show in it.
      Gauge.builder(name, () -> opened.count() - closed.count()).description("Connections open")
          .tags(tags).register(registry);
      return new Counter[] {opened, closed};
    });
  }

  /** The meters of one role ({@code rpc.server} or {@code rpc.client}), per method. */
  private final class Role {
    final String prefix;
    final Map<String, MethodMeters> methods = new ConcurrentHashMap<>();

    Role(String role) {
      this.prefix = "rpc." + role;
    }

    /**
     * Returns the meters of {@code method}, creating them when there is room; otherwise those of {@code _OTHER},
     * so that the number of names stays bounded.
     */
    MethodMeters method(String method) {
      MethodMeters meters = methods.get(method);
      if (meters != null) {
        return meters;
      }
      String name = method != null && methods.size() < maxMethods ? method : OTHER;
      return methods.computeIfAbsent(name, n -> new MethodMeters(this, n));
    }
  }

  /** The meters of one method in one role, and its outcomes by status code. */
  private final class MethodMeters {
    final Role role;
    final String name;
    final Tags tags;
    /** Calls in flight, shared with every instance that records this method into the same registry. */
    final AtomicLong active;
    final Timer queued;
    final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    /** The outcome of most calls, kept aside so that a success needs no map lookup; set on the first one. */
    private volatile Outcome ok;

    MethodMeters(Role role, String name) {
      this.role = role;
      this.name = name;
      this.tags = commonTags.and("rpc.method", name);
      String activeName = role.prefix + ".active_calls";
      this.active = shared(registry, activeName, tags);
      Gauge.builder(activeName, active, AtomicLong::get).description("Calls in flight").tags(tags)
          .register(registry);
      this.queued = role == serving ? timer("courier.server.call.queue.duration",
          "Time a served call waited for a thread before its method ran", tags) : null;
    }

    Outcome ok() {
      Outcome outcome = ok;
      return outcome != null ? outcome : (ok = outcome(OK));
    }

    Outcome outcome(String code) {
      Outcome outcome = outcomes.get(code);
      if (outcome != null) {
        return outcome;
      }
      String bounded = outcomes.size() < MAX_STATUS_CODES ? code : OTHER;
      return outcomes.computeIfAbsent(bounded, c -> new Outcome(this, c));
    }
  }

  /** The meters of one method's calls that ended with one status code. */
  private final class Outcome {
    final Timer duration;
    final DistributionSummary requestSize;
    final DistributionSummary responseSize;

    Outcome(MethodMeters method, String code) {
      Tags tags = method.tags.and("rpc.status_code", code, "error.type", code.equals(OK) ? NONE : code);
      String prefix = method.role.prefix;
      this.duration = timer(prefix + ".call.duration", "Duration of calls, from arrival or call to reply", tags);
      this.requestSize = summary(prefix + ".request.size", "Size of requests on the wire", tags);
      this.responseSize = summary(prefix + ".response.size", "Size of responses on the wire", tags);
    }
  }

  private Timer timer(String name, String description, Tags tags) {
    return Timer.builder(name)
        .description(description)
        .tags(tags)
        .publishPercentiles(percentiles)
        .publishPercentileHistogram(percentileHistogram)
        .register(registry);
  }

  /**
   * Sizes keep a count, a total and a maximum, no histogram: a histogram of sizes would be a few hundred series per
   * method and outcome, recorded on every call, for a figure rarely asked about.
   */
  private DistributionSummary summary(String name, String description, Tags tags) {
    return DistributionSummary.builder(name)
        .description(description)
        .baseUnit("bytes")
        .tags(tags)
        .register(registry);
  }

  /**
   * Returns the in-flight count of the gauge {@code name} with {@code tags} in {@code registry}: one per registry,
   * whichever instance asks first, since the registry keeps the first gauge registered under a name and tags and
   * would not read another instance's count.
   */
  private static AtomicLong shared(MeterRegistry registry, String name, Tags tags) {
    synchronized (IN_FLIGHT) {
      return IN_FLIGHT.computeIfAbsent(registry, r -> new HashMap<>())
          .computeIfAbsent(name + tags, key -> new AtomicLong());
    }
  }

  /**
   * Configures {@link CourierMetrics}. Not thread-safe; what it builds is.
   */
  @Experimental
  public static final class Builder {
    private final MeterRegistry registry;
    private Tags tags = Tags.empty();
    private boolean percentileHistogram = true;
    private double[] percentiles = {};
    private int maxMethods = 1000;

    private Builder(MeterRegistry registry) {
      this.registry = registry;
    }

    /** Adds {@code tags} to every meter, e.g. the name of a server when a process runs several. Default none. */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = this.tags.and(requireNonNull(tags, "tags"));
      return this;
    }

    /**
     * Whether durations and sizes publish a percentile histogram, which a backend such as Prometheus aggregates
     * across instances ({@code histogram_quantile}). Default true; turn it off to keep fewer time series.
     */
    public Builder percentileHistogram(boolean enabled) {
      this.percentileHistogram = enabled;
      return this;
    }

    /**
     * The percentiles that durations publish as computed on this end (not aggregatable across instances), each
     * in [0, 1]. Default none: the percentile histogram gives them, across instances too, at a fraction of the
     * cost per call (a window of percentiles is several histograms recorded into on every call).
     */
    public Builder percentiles(double... percentiles) {
      for (double p : requireNonNull(percentiles, "percentiles")) {
        if (!(p >= 0 && p <= 1)) {
          throw new IllegalArgumentException("percentiles: " + Arrays.toString(percentiles)
              + " (expected: each in [0, 1])");
        }
      }
      this.percentiles = percentiles.clone();
      return this;
    }

    /**
     * The most method names tagged per role; calls of any further method are tagged {@code _OTHER}. Default
     * 1000, a bound against a program that calls dynamically built names; a server's methods are bounded anyway
     * by what it registered.
     */
    public Builder maxMethods(int maxMethods) {
      if (maxMethods < 1) {
        throw new IllegalArgumentException("maxMethods: " + maxMethods + " (expected: >= 1)");
      }
      this.maxMethods = maxMethods;
      return this;
    }

    /** Returns metrics for a server: its connections and refusals are named {@code courier.server.*}. */
    public CourierMetrics buildForServer() {
      return new CourierMetrics(this, "server");
    }

    /** Returns metrics for a client: its connections and refusals are named {@code courier.client.*}. */
    public CourierMetrics buildForClient() {
      return new CourierMetrics(this, "client");
    }
  }
}
