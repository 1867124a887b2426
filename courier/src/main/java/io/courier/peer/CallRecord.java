package io.courier.peer;

import io.courier.CallEvent;
import io.courier.RequestId;
import io.courier.RpcError;
import java.net.SocketAddress;

/**
 * What an end records of one call for its event listeners, made only when it has some: when the call came or was
 * made, when its method started, its sizes and its outcome. It tells the listeners that the call ended exactly
 * once, whichever path ends it first (a reply, a refusal, a stopping server's abort). Thread-safe as
 * {@link CallEvent} says.
 */
public final class CallRecord implements CallEvent {

  private final EventListeners events;
  private final boolean served;
  private final String method;
  private final RequestId id;
  private final long startNanos;
  private final long requestBytes;
  // Mostly plain fields: eight fenced writes per call would be paid by every call of an end with listeners. These
  // are written before the call's end, on threads its own hand-offs order (the executor, its future), and read by
  // the listeners on the thread that ends the call, or later through whatever safe hand-off they use.
  private String protocol;
  private SocketAddress remoteAddress;
  private long durationNanos;
  private long sentBytes = -1;
  private long responseBytes = -1;
  private RpcError error;
  // Volatile: a worker writes these while the call runs, and a stop's abort or a deadline may end the call on
  // another thread meanwhile, with no hand-off between the two.
  private volatile long queuedNanos;
  private volatile boolean ran;
  /** Guarded by {@code this}: the end is told once, whichever path ends the call first. */
  private boolean ended;

  private CallRecord(EventListeners events, boolean served, String method, RequestId id, String protocol,
      SocketAddress remoteAddress, long requestBytes) {
    this.events = events;
    this.served = served;
    this.method = method;
    this.id = id;
    this.protocol = protocol;
    this.remoteAddress = remoteAddress;
    this.requestBytes = requestBytes;
    this.startNanos = System.nanoTime();
  }

  /** Records a call that arrived on {@code session}, and tells the listeners it started. */
  static CallRecord served(EventListeners events, String method, RequestId id, Session session, long requestBytes) {
    CallRecord call = new CallRecord(events, true, method, id, session.protocol(), session.remoteAddress(),
        requestBytes);
    events.callStarted(call);
    return call;
  }

  /** Records a call this end makes, and tells the listeners it started. */
  public static CallRecord made(EventListeners events, String method, RequestId id) {
    CallRecord call = new CallRecord(events, false, method, id, null, null, -1);
    events.callStarted(call);
    return call;
  }

  /** The served call's method is about to run (or to be refused): it has waited for a thread until now. */
  void running() {
    queuedNanos = System.nanoTime() - startNanos;
  }

  /** The served call's method (not just its interceptors) was invoked. */
  void invoked() {
    ran = true;
  }

  /** A call made was written, in a request of {@code bytes}, on a {@code protocol} connection to {@code server}. */
  public void sent(String protocol, SocketAddress server, long bytes) {
    this.protocol = protocol;
    this.remoteAddress = server;
    sentBytes = bytes;
    ran = true;
  }

  /**
   * The call ended with {@code error}, or a result when null, its reply taking {@code responseBytes} on the wire
   * (-1 for none): tells the listeners, the first time only; a later end, which lost the race, changes nothing.
   */
  public void end(RpcError error, long responseBytes) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    this.durationNanos = System.nanoTime() - startNanos;
    this.error = error;
    this.responseBytes = responseBytes;
    events.callEnded(this);
  }

  @Override
  public boolean served() {
    return served;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public RequestId id() {
    return id;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public SocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public long queuedNanos() {
    return queuedNanos;
  }

  @Override
  public long durationNanos() {
    return durationNanos;
  }

  @Override
  public long requestBytes() {
    return served ? requestBytes : sentBytes;
  }

  @Override
  public long responseBytes() {
    return responseBytes;
  }

  @Override
  public RpcError error() {
    return error;
  }

  @Override
  public boolean ran() {
    return ran;
  }

  @Override
  public String toString() {
    return "CallEvent{" + (served ? "served " : "made ") + method + ", id=" + id + ", error=" + error + "}";
  }
}
