package io.courier.transport;

import io.netty.buffer.ByteBuf;

/**
 * The JSON-RPC reply to an {@link HttpCall}, written to the channel; the HTTP handler turns it into a response
 * in request order: 200 with the body, or 204 when {@code body} is null (nothing to answer).
 *
 * @param sequence the {@link HttpCall#sequence()} it answers
 * @param body     the reply, or {@code null}; ownership passes with the message
 */
public record HttpReply(long sequence, ByteBuf body) {}
