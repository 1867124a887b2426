package io.courier.discovery;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A fixed list: listeners are never called, since nothing changes. */
final class StaticEndpointGroup implements EndpointGroup {

  private final List<Instance> instances;

  StaticEndpointGroup(List<Instance> instances) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("instances: [] (expected: at least one)");
    }
    this.instances = List.copyOf(instances);
  }

  @Override
  public List<Instance> instances() {
    return instances;
  }

  @Override
  public CompletableFuture<List<Instance>> whenReady() {
    return CompletableFuture.completedFuture(instances);
  }

  @Override
  public void addListener(Listener listener) {}

  @Override
  public void removeListener(Listener listener) {}

  @Override
  public void close() {}

  @Override
  public String toString() {
    return instances.toString();
  }
}
