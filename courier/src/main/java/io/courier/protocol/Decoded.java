package io.courier.protocol;

import java.util.List;

/**
 * What one frame held: a single message or a batch. A batch is answered with one array of replies; a frame
 * that could not be parsed or an empty batch decodes as a single {@link InvalidMessage}.
 *
 * @param batch whether the frame was a JSON array of messages
 * @param messages the messages, in the order they were sent; never empty
 */
public record Decoded(boolean batch, List<Message> messages) {

  public Decoded {
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("messages: empty (expected: at least one)");
    }
  }

  static Decoded single(Message message) {
    return new Decoded(false, List.of(message));
  }
}
