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
  CONTENT_LENGTH;

  /**
   * Returns the framing to write with for a user's {@link io.courier.Framing} choice. The public enum names only
   * what a user may choose to send; this one names what a peer may send (JSON values merely concatenated
   * included), so they are kept apart and meet only here.
   */
  public static Framing of(io.courier.Framing chosen) {
    return switch (chosen) {
      case NEWLINE -> JSON_STREAM;
      case CONTENT_LENGTH -> CONTENT_LENGTH;
    };
  }
}
