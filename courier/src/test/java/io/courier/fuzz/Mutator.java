package io.courier.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A deterministic byte-level mutator in the style of a fuzzer's havoc stage: bit flips, byte insertion and
 * deletion, truncation, splices of two inputs, invalid UTF-8 sequences, interesting JSON and header tokens, and
 * random chunking of the result. Everything comes from one {@link Random}, so a seed reproduces a run exactly.
 */
final class Mutator {

  /** Byte sequences that are not UTF-8: overlong forms, lone continuation bytes, truncated and surrogate forms. */
  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, {(byte) 0x80}, {(byte) 0xbf},
    {(byte) 0xe2, (byte) 0x82}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80,
    (byte) 0x80}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xfe}, {(byte) 0xff},
    {(byte) 0xc3}, {(byte) 0xf0, (byte) 0x9f, (byte) 0x98},
  };

  /** Tokens that steer the framing scanner and the parser into their corners. */
  private static final List<byte[]> TOKENS = List.of(ascii("{"), ascii("}"), ascii("["), ascii("]"),
      ascii("\""), ascii("\\"), ascii("\\u"), ascii("\\ud800"), ascii(":"), ascii(","), ascii("\n"), ascii("\r\n"),
      ascii("\r\n\r\n"), ascii(" "), ascii("\t"), ascii("\u0000"), ascii("null"), ascii("true"), ascii("-"),
      ascii("1e999999999"), ascii("-0"), ascii("NaN"), ascii("Infinity"), ascii("9".repeat(1001)),
      ascii("\"jsonrpc\":\"2.0\""), ascii("\"method\":\"m\""), ascii("\"id\":1"), ascii("\"params\":[]"),
      ascii("\"method_name\":\"m\""), ascii("Content-Length: "), ascii("Content-Length: 2147483648\r\n\r\n"),
      ascii("Content-Length: -1\r\n"), ascii("Content-Length: 12a\r\n"), ascii("content-length:0\r\n\r\n"),
      ascii("[".repeat(300)), ascii("{\"a\":".repeat(100)), ascii("]".repeat(50)), ascii("//"), ascii("/*"),
      ascii("'"), ascii("\"\"\""), ascii("\u007f"));

  private final Random random;

  Mutator(Random random) {
    this.random = random;
  }

  /** Applies one to four stacked mutations to {@code input}, using {@code other} as a splice partner. */
  byte[] mutate(byte[] input, byte[] other) {
    byte[] data = input;
    int rounds = 1 + random.nextInt(4);
    for (int i = 0; i < rounds; i++) {
      data = mutateOnce(data, other);
    }
    return data;
  }

  private byte[] mutateOnce(byte[] data, byte[] other) {
    switch (random.nextInt(10)) {
      case 0: // flip 1..8 single bits
        data = data.clone();
        for (int n = 1 + random.nextInt(8); n > 0 && data.length > 0; n--) {
          data[random.nextInt(data.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return data;
      case 1: // overwrite a byte with a random or boundary value
        if (data.length == 0) {
          return data;
        }
        data = data.clone();
        byte[] boundary = {0, (byte) 0x7f, (byte) 0x80, (byte) 0xff, '0', '9', '"', '\\', '\n'};
        data[random.nextInt(data.length)] =
            random.nextBoolean() ? (byte) random.nextInt(256) : boundary[random.nextInt(boundary.length)];
        return data;
      case 2: // insert random bytes
        byte[] bytes = new byte[1 + random.nextInt(8)];
        random.nextBytes(bytes);
        return insert(data, random.nextInt(data.length + 1), bytes);
      case 3: // delete a run of bytes
        if (data.length == 0) {
          return data;
        }
        int at = random.nextInt(data.length);
        int len = 1 + random.nextInt(Math.min(16, data.length - at));
        return delete(data, at, len);
      case 4: // truncate
        return Arrays.copyOf(data, data.length == 0 ? 0 : random.nextInt(data.length));
      case 5: // splice: a prefix of this input, then a suffix of the other
        int cut = random.nextInt(data.length + 1);
        int from = random.nextInt(other.length + 1);
        byte[] spliced = Arrays.copyOf(data, cut + other.length - from);
        System.arraycopy(other, from, spliced, cut, other.length - from);
        return spliced;
      case 6: // invalid UTF-8, inserted or overwriting
        byte[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
        int pos = random.nextInt(data.length + 1);
        if (random.nextBoolean() || pos + bad.length > data.length) {
          return insert(data, pos, bad);
        }
        data = data.clone();
        System.arraycopy(bad, 0, data, pos, bad.length);
        return data;
      case 7: // an interesting token
        return insert(data, random.nextInt(data.length + 1), TOKENS.get(random.nextInt(TOKENS.size())));
      case 8: // duplicate a region (repeated members, doubled headers, concatenated values)
        if (data.length == 0) {
          return data;
        }
        int start = random.nextInt(data.length);
        int n = 1 + random.nextInt(Math.min(64, data.length - start));
        return insert(data, random.nextInt(data.length + 1), Arrays.copyOfRange(data, start, start + n));
      default: // change a digit run (Content-Length values, numbers, ids)
        return changeNumber(data);
    }
  }

  private byte[] changeNumber(byte[] data) {
    int start = -1;
    for (int tries = 0; tries < 8 && data.length > 0; tries++) {
      int i = random.nextInt(data.length);
      if (data[i] >= '0' && data[i] <= '9') {
        start = i;
        break;
      }
    }
    if (start < 0) {
      return data;
    }
    int end = start;
    while (end < data.length && data[end] >= '0' && data[end] <= '9') {
      end++;
    }
    String[] replacements = {"0", "1", "99999999999999999999", "2147483647", "2147483648", "4294967296", "-1",
        Integer.toString(random.nextInt(5000)), "1e5", "00"};
    byte[] replacement = ascii(replacements[random.nextInt(replacements.length)]);
    return insert(delete(data, start, end - start), start, replacement);
  }

  /** Cuts an input of {@code length} bytes into chunks: one piece, single bytes, or random sizes. */
  int[] chunking(int length) {
    switch (random.nextInt(5)) {
      case 0:
        return new int[] {Math.max(1, length)};
      case 1: {
        int[] ones = new int[Math.max(1, length)];
        Arrays.fill(ones, 1);
        return ones;
      }
      default: {
        int max = 1 + random.nextInt(random.nextBoolean() ? 8 : 256);
        int[] sizes = new int[Math.max(1, length)];
        int n = 0;
        for (int left = length; left > 0; n++) {
          sizes[n] = Math.min(left, 1 + random.nextInt(max));
          left -= sizes[n];
        }
        return Arrays.copyOf(sizes, Math.max(1, n));
      }
    }
  }

  private static byte[] insert(byte[] data, int at, byte[] bytes) {
    byte[] out = new byte[data.length + bytes.length];
    System.arraycopy(data, 0, out, 0, at);
    System.arraycopy(bytes, 0, out, at, bytes.length);
    System.arraycopy(data, at, out, at + bytes.length, data.length - at);
    return out;
  }

  private static byte[] delete(byte[] data, int at, int len) {
    byte[] out = new byte[data.length - len];
    System.arraycopy(data, 0, out, 0, at);
    System.arraycopy(data, at + len, out, at, data.length - at - len);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
