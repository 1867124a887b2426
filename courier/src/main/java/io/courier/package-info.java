/**
 * What both sides of a Courier call share: the error model ({@link io.courier.RpcError},
 * {@link io.courier.RpcException}), {@link io.courier.Endpoint} and the annotations that shape a service's
 * wire names.
 */
package io.courier;
