/**
 * The server side: {@link io.courier.server.RpcServer} and its builder (which also registers single
 * {@link io.courier.RpcHandler} functions), and the per-call {@link io.courier.RpcContext}. Methods are
 * bound once at registration; a call is a map lookup and a method-handle invocation.
 */
package io.courier.server;
