/**
 * What both sides of a Courier call share: the error model ({@link io.courier.RpcError},
 * {@link io.courier.RpcException}), {@link io.courier.Endpoint}, the annotations that shape a service's
 * wire names, and {@link io.courier.RpcHandler} with its {@link io.courier.Arguments}, since either end of a
 * connection may serve functions.
 */
package io.courier;
