package io.courier.peer;

import io.courier.CallEvent;
import io.courier.Peer;
import io.courier.RpcError;
import io.courier.RpcEventListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event listeners of one end, told in the order they were added. A listener that throws is logged (at most
 * once a second) and the others are still told: an observer must never change a call's outcome. An end without
 * listeners has none at all, so that the call path pays one null check. Thread-safe.
 */
public final class EventListeners {

  private static final Logger log = LoggerFactory.getLogger(EventListeners.class);

  private final List<RpcEventListener> listeners;
  private final RateLimitedLog failures = new RateLimitedLog(java.time.Duration.ofSeconds(1));

  private EventListeners(List<RpcEventListener> listeners) {
    this.listeners = listeners;
  }

  /** Returns the events of {@code listeners}, or null when there are none. */
  public static EventListeners of(List<RpcEventListener> listeners) {
    return listeners.isEmpty() ? null : new EventListeners(List.copyOf(listeners));
  }

  public void connectionOpened(Peer connection) {
    tell(listener -> listener.connectionOpened(connection));
  }

  public void connectionClosed(Peer connection) {
    tell(listener -> listener.connectionClosed(connection));
  }

  public void callStarted(CallEvent call) {
    tell(listener -> listener.callStarted(call));
  }

  public void callEnded(CallEvent call) {
    tell(listener -> listener.callEnded(call));
  }

  public void callRejected(Peer connection, String method, RpcError error) {
    tell(listener -> listener.callRejected(connection, method, error));
  }

  private void tell(Consumer<RpcEventListener> event) {
    for (int i = 0; i < listeners.size(); i++) {
      RpcEventListener listener = listeners.get(i);
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        failures.warn(log, "Event listener {} failed: {}", listener.getClass().getName(), e.toString());
      }
    }
  }
}
