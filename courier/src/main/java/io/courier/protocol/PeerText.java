package io.courier.protocol;

/** Text a peer chose, made fit for a log line or a reply: short, on one line, and unable to forge another. */
public final class PeerText {

  /** The most characters of a peer's text that are kept. */
  static final int MAX_CHARS = 100;

  private PeerText() {}

  /** Returns at most {@value #MAX_CHARS} characters of {@code value}, anything but printable ASCII as {@code ?}. */
  public static String abbreviate(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(value.length(), MAX_CHARS) + 3);
    for (int i = 0; i < value.length() && i < MAX_CHARS; i++) {
      char c = value.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return value.length() > MAX_CHARS ? b.append("...").toString() : b.toString();
  }
}
