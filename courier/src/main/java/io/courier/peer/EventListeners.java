package io.courier.peer;

import io.courier.CallEvent;
import io.courier.Peer;
import io.courier.RpcError;
import io.courier.RpcEventListener;
import java.util.List;
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
    for (RpcEventListener listener : listeners) {
      try {
        listener.connectionOpened(connection);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  public void connectionClosed(Peer connection) {
    for (RpcEventListener listener : listeners) {
      try {
        listener.connectionClosed(connection);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  // The call events come twice per call, so each is a plain loop: a lambda capturing the call would be an
  // allocation per event on the call path.

  public void callStarted(CallEvent call) {
    for (RpcEventListener listener : listeners) {
      try {
        listener.callStarted(call);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  public void callEnded(CallEvent call) {
    for (RpcEventListener listener : listeners) {
      try {
        listener.callEnded(call);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  public void callRejected(Peer connection, String method, RpcError error) {
    for (RpcEventListener listener : listeners) {
      try {
        listener.callRejected(connection, method, error);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  private void failed(RpcEventListener listener, RuntimeException e) {
    failures.warn(log, "Event listener {} failed: {}", listener.getClass().getName(), e.toString());
  }
}
