package io.courier.peer;

import io.courier.CallEvent;
import io.courier.RequestId;
import io.courier.RpcError;
import java.net.SocketAddress;

/**
 * What an end records of one call for its event listeners, made only when it has some: when the call came or was
 * made, when its method started, its sizes and its outcome. It tells the listeners that the call ended exactly
 * once, whichever path ends it first (a reply, a refusal, a stopping server's abort). Thread-safe.
 */
public final class CallRecord implements CallEvent {

  private final EventListeners events;
  private final boolean served;
  private final String method;
  private final RequestId id;
  private final long startNanos;
  private final long requestBytes;
  private volatile String protocol;
  private volatile SocketAddress remoteAddress;
  private volatile long queuedNanos;
  private volatile long durationNanos;
  private volatile long sentBytes = -1;
  private volatile long responseBytes = -1;
  private volatile RpcError error;
  private volatile boolean ran;
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

  /** The call's reply took {@code bytes} on the wire. */
  public void answered(long bytes) {
    responseBytes = bytes;
  }

  /** The call ended with {@code error}, or a result when null: tells the listeners, the first time only. */
  public void end(RpcError error) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    this.durationNanos = System.nanoTime() - startNanos;
    this.error = error;
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
