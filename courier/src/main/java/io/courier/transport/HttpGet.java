package io.courier.transport;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A {@code GET} (or {@code HEAD}) of a path the server answers with code of its own rather than a static file,
 * handed up the pipeline like a call; answered with an {@link HttpReply} of the same sequence.
 *
 * @param sequence the request's position on the connection
 * @param path     the path asked for, without the query
 * @param headers  the request's headers, not to be modified
 */
public record HttpGet(long sequence, String path, HttpHeaders headers) {}
