package io.courier.discovery;

import static java.util.Objects.requireNonNull;

import io.courier.Experimental;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A live list of the instances of one service, which a client balances its calls over: fixed for a list of
 * addresses, kept up to date by a registry for a discovered service. A client reads {@link #instances()} once, then
 * follows changes through its {@link Listener}. Implementations are thread-safe and never block in
 * {@link #instances()}.
 */
@Experimental
public interface EndpointGroup extends AutoCloseable {

  /** Told of each new list of instances; called on the group's own thread, so it should return quickly. */
  @FunctionalInterface
  interface Listener {
    /** The group's instances are now {@code instances} (the whole list, possibly empty). */
    void instancesChanged(List<Instance> instances);
  }

  /** Returns the instances known now: never null, empty before the first list arrives or when there are none. */
  List<Instance> instances();

  /**
   * Completes with the first list of instances once the group has one (at once for a fixed list), or
   * exceptionally, saying why, when it cannot get one (its registry cannot be reached).
   */
  CompletableFuture<List<Instance>> whenReady();

  /** Calls {@code listener} with every later change, until it is removed or the group is closed. */
  void addListener(Listener listener);

  /** Stops calling {@code listener}. */
  void removeListener(Listener listener);

  /** Stops following the registry and frees what the group holds; the client that made it closes it. */
  @Override
  void close();

  /** A group that holds {@code instances} for ever. */
  static EndpointGroup of(List<Instance> instances) {
    return new StaticEndpointGroup(requireNonNull(instances, "instances"));
  }

  /** A group that holds {@code instances} for ever. */
  static EndpointGroup of(Instance... instances) {
    return of(List.of(instances));
  }
}
