package io.courier.transport;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One JSON-RPC body posted over HTTP, passed to the connection's RPC handler. Its reply goes back as an
 * {@link HttpReply} with the same sequence number, which puts it in its place among pipelined requests.
 *
 * @param sequence the request's position on the connection
 * @param body     the JSON-RPC message or batch; the receiver releases it
 * @param headers  the request's headers, read-only
 */
public record HttpCall(long sequence, ByteBuf body, HttpHeaders headers) {}
