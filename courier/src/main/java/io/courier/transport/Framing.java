package io.courier.transport;

/**
 * The way a connection delimits JSON-RPC messages on the wire, detected once from the connection's first bytes.
 *
 * <p>One port serves every kind of client, so the server cannot be told the framing up front: {@link FrameDecoder}
 * looks at the first non-whitespace bytes and fixes the framing for the rest of the connection, and replies are
 * written back with the same framing by {@link FrameWriter}.
 */
public enum Framing {

  /**
   * A stream of JSON values, one after another, optionally separated by whitespace or newlines (covers
   * newline-delimited JSON and clients that concatenate values with no separator at all).
   */
  JSON_STREAM,

  /**
   * The Language Server Protocol base protocol: a header block carrying {@code Content-Length}, an empty line, then
   * exactly that many bytes of body.
   */
  CONTENT_LENGTH
}
