/**
 * The client side: {@link io.courier.client.RpcClient} makes proxies from Java interfaces and dynamic calls by
 * name, with many calls in flight on one connection, per-call deadlines and cancellation.
 */
package io.courier.client;
