/**
 * Service registration and discovery on Apache ZooKeeper, through Apache Curator: a server registers with a
 * {@link io.courier.zookeeper.ZooKeeperRegistry} added as its listener, and a client finds it with a target such as
 * {@code zk://zk1:2181,zk2:2181/calc}, which {@link io.courier.zookeeper.ZooKeeperEndpointGroupProvider} resolves
 * to a live {@link io.courier.zookeeper.ZooKeeperEndpointGroup}. Nodes use Curator's service-discovery layout, so
 * Curator's own {@code ServiceDiscovery} lists Courier servers too.
 */
package io.courier.zookeeper;
