package io.courier.peer;

import io.courier.CallEvent;
import io.courier.Peer;
import io.courier.RpcError;
import io.courier.RpcEventListener;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event listeners of one end, told in the order they were added. A listener that throws is logged (at most
 * once a second) and the others are still told: an observer must never change a call's outcome. An end without
 * listeners has none at all, so that the call path pays one null check. Thread-safe.
 */
public final class EventListeners {

  private static final Logger log = LoggerFactory.getLogger(EventListeners.class);

  /** An array, iterated without an iterator object on the call path. */
  private final RpcEventListener[] listeners;
  private final RateLimitedLog failures = new RateLimitedLog(java.time.Duration.ofSeconds(1));

  private EventListeners(List<RpcEventListener> listeners) {
    this.listeners = listeners.toArray(RpcEventListener[]::new);
  }

  /** Returns the events of {@code listeners}, or null when there are none. */
  public static EventListeners of(List<RpcEventListener> listeners) {
    return listeners.isEmpty() ? null : new EventListeners(listeners);
  }

  public void connectionOpened(Peer connection) {
    tell(connection, RpcEventListener::connectionOpened);
  }

  public void connectionClosed(Peer connection) {
    tell(connection, RpcEventListener::connectionClosed);
  }

  public void callStarted(CallEvent call) {
    tell(call, RpcEventListener::callStarted);
  }

  public void callEnded(CallEvent call) {
    tell(call, RpcEventListener::callEnded);
  }

  public void callRejected(Peer connection, String method, RpcError error) {
    // A capturing lambda, an allocation: refusals are rare next to calls.
    tell(connection, (listener, peer) -> listener.callRejected(peer, method, error));
  }

  /**
   * Tells every listener, each failure logged and kept from the others. The per-call events pass unbound method
   * references, which capture nothing and so cost no allocation per event.
   */
  private <T> void tell(T event, BiConsumer<RpcEventListener, T> action) {
    for (RpcEventListener listener : listeners) {
      try {
        action.accept(listener, event);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  private void failed(RpcEventListener listener, RuntimeException e) {
    failures.warn(log, "Event listener {} failed: {}", listener.getClass().getName(), e.toString());
  }
}
