package io.courier.client;

import io.courier.ConnectionException;
import io.courier.Endpoint;
import io.courier.RpcError;
import io.courier.discovery.Instance;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of a client to one server, with that server's own reconnect backoff and health: what the
 * client's {@link Router} picks from per call. Over raw TCP and WebSocket one connection carries every call; over
 * HTTP, where a connection answers its requests in order, up to {@code maxConnections} are opened and calls past
 * them wait in order. Its health, read without a lock on every pick, says whether calls should come here: not
 * while it cannot be connected to, is ejected for failing, or is draining. Thread-safe.
 */
final class EndpointPool implements Connection.Events {

  private static final Logger log = LoggerFactory.getLogger(EndpointPool.class);

  private static final Connection[] NONE = {};

  /** How often a pool whose server left the list checks whether its last calls have been answered. */
  private static final long RETIRE_CHECK_MS = 100;

  private final Target target;
  private final Connection.Settings settings;
  private final Bootstrap bootstrap;
  private final EventLoopGroup group;
  private final Backoff reconnectBackoff;
  private final int maxConnections;
  /** Whether one connection carries any number of calls at once (raw TCP, WebSocket); HTTP's carry one. */
  private final boolean multiplexed;
  /** Whether the pool reconnects by itself, with a ping, after a failure: when there are other servers to use. */
  private final boolean probes;
  /** The client's count of connection attempts, across its pools. */
  private final AtomicLong connectAttempts;
  /** The server's address as event listeners are given it (unresolved: no lookup), or null for a program. */
  private final InetSocketAddress address;
  /** The instance this pool serves; its weight and zone may change while its address does not. */
  private volatile Instance instance;

  private final Object lock = new Object();
  /** The open connections, and a copy read without the lock. Guarded by lock. */
  private final List<Connection> connections = new ArrayList<>();
  private volatile Connection[] snapshot = NONE;
  /** Messages waiting for an HTTP connection to be free, in order. Guarded by lock. */
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  /** Connection attempts that failed since one last worked; written under lock. */
  private volatile int connectFailures;
  private long reconnectAt; // guarded by lock
  private String lastConnectFailure; // guarded by lock
  private boolean probing; // guarded by lock
  private volatile boolean closed;

  /** Calls that timed out in a row here; an answer resets it. */
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  /** How often it has been ejected since it last answered. */
  private volatile int ejections;
  /** Until when it is ejected, in {@link System#nanoTime()} units; 0 when it is not. */
  private volatile long ejectedUntil;
  /** The server said it is shutting down: no new calls until a new connection to it works. */
  private volatile boolean draining;

  EndpointPool(Instance instance, Target target, Connection.Settings settings, Bootstrap bootstrap,
      EventLoopGroup group, Backoff reconnectBackoff, int maxHttpConnections, boolean probes,
      AtomicLong connectAttempts) {
    this.instance = instance;
    this.target = target;
    Endpoint server = target.endpoint();
    this.address = server == null ? null : InetSocketAddress.createUnresolved(server.host(), server.port());
    this.settings = settings;
    this.bootstrap = bootstrap;
    this.group = group;
    this.reconnectBackoff = reconnectBackoff;
    this.multiplexed = target.transport() != Target.Transport.HTTP;
    this.maxConnections = multiplexed ? 1 : maxHttpConnections;
    this.probes = probes;
    this.connectAttempts = connectAttempts;
  }

  Target target() {
    return target;
  }

  /** The server's address, unresolved, or null when the target is a program. */
  InetSocketAddress address() {
    return address;
  }

  Instance instance() {
    return instance;
  }

  void instance(Instance updated) {
    this.instance = updated;
  }

  // ------------------------------------------------------------------------------------------------ health

  /**
   * Whether new calls should come here: it is not draining or ejected, and its last connection attempt did not
   * fail (after one fails, a connection must work again first). Takes no lock and, unless it was ejected, does
   * not read the clock.
   */
  boolean isAvailable() {
    if (closed || draining || connectFailures != 0) {
      return false;
    }
    long until = ejectedUntil;
    return until == 0 || until - System.nanoTime() <= 0;
  }

  /** Returns how many calls wait for answers here. */
  int pendingCalls() {
    int pending = 0;
    for (Connection c : snapshot) {
      pending += c.pendingCalls();
    }
    return pending;
  }

  /** A call sent here was answered: the server works. */
  void answered() {
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
    if (ejections != 0) {
      ejections = 0;
    }
  }

  /** A call sent here timed out; returns how many have in a row. */
  int failed() {
    return consecutiveFailures.incrementAndGet();
  }

  boolean isEjected() {
    long until = ejectedUntil;
    return until != 0 && until - System.nanoTime() > 0;
  }

  /** Keeps calls away for {@code base} times the ejections so far (doubling each time), at most {@code max}. */
  void eject(long baseNanos, long maxNanos) {
    int count = ejections + 1;
    ejections = count;
    long time = Math.min(maxNanos, baseNanos << Math.min(count - 1, 20));
    ejectedUntil = System.nanoTime() + time;
    consecutiveFailures.set(0);
    log.warn("Ejected {} for {} ms after calls failed in a row (ejection {})", target,
        TimeUnit.NANOSECONDS.toMillis(time), count);
  }

  /** The server is shutting down: calls go elsewhere until a new connection to it works. */
  void draining() {
    if (!draining) {
      draining = true;
      log.info("{} is shutting down; sending calls elsewhere", target);
    }
  }

  // ------------------------------------------------------------------------------------------- connections

  /** A message waiting for an HTTP connection to be free: how to send it, and how to fail it. */
  private record Waiting(Consumer<Connection> send, Consumer<ConnectionException> fail) {}

  /**
   * Hands the next message a connection: the open one on raw TCP and WebSocket (opened when needed); over
   * HTTP, an idle one, else a new one while there are fewer than {@code maxConnections}, else the message waits
   * for the first to be free (OkHttp's choice: no pipelining behind a slow call). After a failed attempt to
   * connect, new attempts wait for the reconnect backoff, and messages with no connection fail at once, unsent,
   * rather than queue.
   */
  void withConnection(Consumer<Connection> send, Consumer<ConnectionException> fail) {
    Connection conn;
    try {
      synchronized (lock) {
        conn = pick(false);
        if (conn == null) {
          waiting.add(new Waiting(send, fail));
          return;
        }
        conn.reserve();
      }
    } catch (ConnectionException notConnected) {
      fail.accept(notConnected);
      return;
    }
    conn.open(bootstrap);
    send.accept(conn);
  }

  /**
   * Returns the connection for the next message, opening one when allowed, or null when it must wait for an
   * HTTP connection. {@code waiting} messages go first unless {@code forWaiting}. Called with the lock held.
   */
  private Connection pick(boolean forWaiting) {
    if (closed) {
      throw ConnectionException.notSent(RpcError.CONNECTION_LOST.withMessage(
          "No longer calling " + target + ": it left the client's list"), null);
    }
    removeClosed();
    if (multiplexed && !connections.isEmpty()) {
      return connections.get(0);
    }
    if (!forWaiting && !waiting.isEmpty()) {
      return null;
    }
    for (Connection c : connections) {
      if (c.requestsInFlight() == 0) {
        return c;
      }
    }
    if (connections.size() >= maxConnections) {
      return null;
    }
    long wait = reconnectAt - System.nanoTime();
    if (connectFailures > 0 && (wait > 0 || probing)) {
      if (!connections.isEmpty()) {
        return null; // the open ones will do
      }
      throw ConnectionException.notSent(RpcError.CONNECTION_LOST.withMessage("Not connected to " + target
          + "; next attempt in " + Math.max(0, TimeUnit.NANOSECONDS.toMillis(wait)) + " ms (last attempt: "
          + lastConnectFailure + ")"), null);
    }
    if (target.transport() == Target.Transport.STDIO && connectAttempts.get() > 0) {
      // A launched program is not started again: whatever state it had went with it.
      throw ConnectionException.notSent(RpcError.CONNECTION_LOST.withMessage(target + " has exited or closed "
          + "its output; a client of a program does not start it again"), null);
    }
    return newConnection(); // opened by the caller, once the lock is released
  }

  /** Makes a connection, not yet open, and counts it. Called with the lock held. */
  private Connection newConnection() {
    Connection made = new Connection(settings, this);
    connections.add(made);
    snapshot = connections.toArray(NONE);
    connectAttempts.incrementAndGet();
    return made;
  }

  /** Called with the lock held. */
  private void removeClosed() {
    if (connections.removeIf(c -> !c.isOpen())) {
      snapshot = connections.toArray(NONE);
    }
  }

  /** An HTTP connection with no request left in flight takes the first waiting message. */
  @Override
  public void connectionIdle(Connection idle) {
    Waiting next;
    synchronized (lock) {
      if (closed || !idle.isOpen() || (next = waiting.poll()) == null) {
        return;
      }
      idle.reserve();
    }
    // On the event loop rather than here: a message whose calls were all abandoned sends nothing and makes the
    // connection idle again, which would otherwise recurse through the whole queue.
    group.execute(() -> next.send().accept(idle));
  }

  /**
   * Gives waiting messages the connections they can get after one closed or failed to open: new ones, or a
   * failure when no connection can be had.
   */
  private void serveWaiting() {
    while (true) {
      Waiting next;
      Connection conn;
      try {
        synchronized (lock) {
          if (waiting.isEmpty() || (conn = pick(true)) == null) {
            return;
          }
          next = waiting.poll();
          conn.reserve();
        }
      } catch (ConnectionException notConnected) {
        List<Waiting> failed;
        synchronized (lock) {
          failed = List.copyOf(waiting);
          waiting.clear();
        }
        failed.forEach(w -> failQuietly(w, notConnected));
        return;
      }
      conn.open(bootstrap);
      next.send().accept(conn);
    }
  }

  /** Fails a waiting message; a notification's failure has no caller left to throw to, so it is logged. */
  private static void failQuietly(Waiting waiting, ConnectionException failure) {
    try {
      waiting.fail().accept(failure);
    } catch (ConnectionException notification) {
      log.debug("Dropped a notification: {}", notification.getMessage());
    }
  }

  @Override
  public void connectFailed(Connection failed, Throwable cause) {
    long delay;
    synchronized (lock) {
      connectFailures++;
      delay = reconnectBackoff.delayNanos(connectFailures);
      reconnectAt = System.nanoTime() + delay;
      lastConnectFailure = cause.getMessage();
      connections.remove(failed);
      snapshot = connections.toArray(NONE);
      probing = false;
    }
    serveWaiting();
    probeLater(delay);
  }

  @Override
  public void connectionWorks(Connection working) {
    boolean wasDown = connectFailures > 0 || draining;
    synchronized (lock) {
      connectFailures = 0;
      probing = false;
    }
    draining = false;
    if (wasDown && probes) {
      log.info("{} answers again", target);
    }
  }

  @Override
  public void connectionClosed(Connection closedConnection) {
    boolean none;
    synchronized (lock) {
      connections.remove(closedConnection);
      snapshot = connections.toArray(NONE);
      none = connections.isEmpty();
      if (none) {
        probing = false; // a probe that closed before it was answered has failed
      }
      if (none && draining && !closed) {
        // The drained server closed its connections: find out, in the background, when it serves again.
        connectFailures = Math.max(connectFailures, 1);
        reconnectAt = System.nanoTime() + reconnectBackoff.delayNanos(connectFailures);
      }
    }
    serveWaiting();
    if (none && connectFailures > 0) { // drained, or a probe that was not answered: find out again later
      probeLater(reconnectBackoff.delayNanos(Math.max(1, connectFailures)));
    }
  }

  /**
   * A server that does not answer its keepalive ping is treated, when there are other servers, as one that cannot
   * be connected to: no calls until a probe's ping is answered. A lone server's next call reconnects instead.
   */
  @Override
  public void connectionUnresponsive(Connection silent) {
    if (!probes) {
      return;
    }
    long delay;
    synchronized (lock) {
      connectFailures++;
      delay = reconnectBackoff.delayNanos(connectFailures);
      reconnectAt = System.nanoTime() + delay;
      lastConnectFailure = "no answer to a keepalive ping";
      probing = false; // if it was the probe, it failed
    }
    log.warn("{} does not answer; sending calls elsewhere until it does", target);
    probeLater(delay);
  }

  /**
   * With other servers to send calls to, a server that failed is not tried with a caller's call: after the
   * backoff the pool connects by itself and pings, and calls come back once the server answers.
   */
  private void probeLater(long delayNanos) {
    if (!probes || closed) {
      return;
    }
    group.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void probe() {
    Connection conn;
    synchronized (lock) {
      removeClosed();
      if (closed || probing || connectFailures == 0) {
        return;
      }
      conn = connections.isEmpty() ? newConnection() : null;
      probing = conn != null;
    }
    if (conn == null) { // the connection that failed is still closing: look again later
      probeLater(reconnectBackoff.delayNanos(1));
      return;
    }
    log.debug("Probing {} (attempt {} since it failed)", target, connectFailures + 1);
    conn.open(bootstrap);
    conn.ping();
  }

  long connectAttempts() {
    return connectAttempts.get();
  }

  /** Stops using this server: pending and waiting calls fail with {@code failure}, and its connections close. */
  void close(ConnectionException failure) {
    List<Connection> open;
    List<Waiting> stranded;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open = List.copyOf(connections);
      connections.clear();
      snapshot = NONE;
      stranded = List.copyOf(waiting);
      waiting.clear();
    }
    open.forEach(c -> c.close(failure));
    stranded.forEach(w -> failQuietly(w, failure));
  }

  /**
   * Closes the pool once the calls pending on it have their answers, or {@code patienceNanos} has passed: its
   * server left the client's list, and calls already sent there may still be answered.
   */
  void retire(long patienceNanos, ConnectionException failure) {
    long giveUpAt = System.nanoTime() + patienceNanos;
    draining = true; // no new calls
    closeWhenQuiet(giveUpAt, failure);
  }

  private void closeWhenQuiet(long giveUpAt, ConnectionException failure) {
    if (pendingCalls() == 0 || System.nanoTime() - giveUpAt >= 0) {
      close(failure);
      return;
    }
    group.schedule(() -> closeWhenQuiet(giveUpAt, failure), RETIRE_CHECK_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public String toString() {
    return target.toString();
  }
}
