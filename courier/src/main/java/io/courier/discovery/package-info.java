/**
 * Where a client finds the servers it calls: an {@link io.courier.discovery.EndpointGroup} is a live list of
 * {@link io.courier.discovery.Instance}s that a client balances its calls over, and an
 * {@link io.courier.discovery.EndpointGroupProvider}, found through {@link java.util.ServiceLoader}, makes one for
 * a target scheme such as {@code zk://} (module {@code courier-zookeeper}). A list of addresses needs none of it:
 * {@code tcp://host1:7070,host2:7070} is a static group. A server tells registries when it has started and when it
 * begins to stop through {@link io.courier.server.ServerListener}.
 */
package io.courier.discovery;
