package io.courier.transport;

import java.util.Objects;

/**
 * A framing failure that {@link FrameDecoder} passes downstream instead of a frame, after which the connection's
 * input can no longer be trusted to be in sync.
 *
 * <p>It is a message rather than an exception so that the handler downstream can still send an error reply (in the
 * framing already detected) before closing the channel; the decoder emits at most one per channel and silently
 * discards everything that arrives afterwards.
 *
 * @param kind    which limit or rule was broken
 * @param message a human-readable description naming the limit and the offending value (never message content)
 */
public record FrameError(Kind kind, String message) {

  /**
   * The category of a {@link FrameError}.
   */
  public enum Kind {
    /** A message is larger than the configured maximum message size. */
    TOO_LARGE,
    /** A {@code Content-Length} header block is malformed, too long, or has a missing or invalid length. */
    BAD_HEADER
  }

  /**
   * Creates a frame error.
   *
   * @param kind    which limit or rule was broken
   * @param message a description of the failure
   */
  public FrameError {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }
}
