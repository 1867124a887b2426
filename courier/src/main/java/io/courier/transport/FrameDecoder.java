package io.courier.transport;

import io.courier.protocol.JsonBytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-channel decoder that detects a connection's {@link Framing} from its first bytes and then cuts the inbound
 * byte stream into frames, each holding exactly one JSON-RPC message's bytes.
 *
 * <p>Each frame is emitted as a {@link ByteBuf} (a retained slice of the input, which the receiver must release).
 * Framing problems that leave the stream out of sync (a message over the size limit, a broken header block) are
 * emitted once as a {@link FrameError}; all input after that is discarded, on the expectation that the handler
 * downstream replies with an error and closes the channel.
 *
 * <p>For {@link Framing#JSON_STREAM} the decoder keeps its scanning state (offset, nesting, what may come next,
 * string and escape flags) between calls, so each input byte is examined once no matter how the network slices
 * the stream; rescanning a partial message on every chunk would make a large message arriving in small pieces
 * cost quadratic time. The scan follows JSON's grammar over the bytes outside strings (where member names, colons,
 * values, commas and closing brackets may stand; bare tokens are runs of {@code [0-9A-Za-z+-.]}), but leaves the
 * spelling of numbers and literals, and the content of strings, to the parser. At the first byte that cannot
 * continue a value, the bytes so far, that byte included, go out as one frame, which fails to parse downstream
 * and is answered at once; a peer that concatenates values would otherwise never be answered, since no closing
 * bracket may ever come. Then it resynchronises:
 * <ul>
 *   <li>on a connection that has sent a newline between two values (newline-delimited), the rest of the line is
 *       discarded unread, so a broken line is answered once;</li>
 *   <li>on a connection that has not (concatenated values), everything up to the next opening brace or
 *       bracket, or the next newline, is discarded: a JSON-RPC message is an object or an array, and what
 *       comes before one is most likely the rest of the broken value (stray closing brackets, commas, its
 *       strings), which would otherwise each be answered with an error of their own.</li>
 * </ul>
 * A raw newline inside a string (which JSON forbids) ends the value as well; it is the line end, and scanning
 * resumes after it. A value that cannot even start (it begins with a closing bracket, a comma, a colon, a control
 * or non-ASCII byte) is a one-byte frame followed by the same resynchronisation.
 *
 * <p>Not sharable: one instance per channel.
 */
public final class FrameDecoder extends ByteToMessageDecoder implements WireStack {

  /** The largest header block (all header lines plus the terminating empty line) accepted for one message. */
  public static final int MAX_HEADER_BYTES = 8192;

  private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

  /** Lower-case form of the prefix that selects {@link Framing#CONTENT_LENGTH}. */
  private static final byte[] CONTENT_PREFIX = "content-".getBytes(StandardCharsets.US_ASCII);

  private static final int MAX_LENGTH_DIGITS = 10;
  private static final int MAX_QUOTED_VALUE = 32;

  // What the JSON scanner is in the middle of.
  private static final int IDLE = 0;
  private static final int STRUCT = 1;
  private static final int STRING = 2;
  private static final int TOKEN = 3;
  /** Discarding input after a syntax error; see {@link #resync}. */
  private static final int RESYNC = 4;

  // Why the JSON scanner stopped.
  private static final int END_INCLUSIVE = 1;
  private static final int END_EXCLUSIVE = 2;
  /** At a byte that cannot continue the value: the value so far and that byte are one (unparseable) frame. */
  private static final int INVALID = 3;
  private static final int LINE_END = 4;
  /** Inside a string, where the plain bytes up to the next quote, backslash or newline can be skipped. */
  private static final int IN_STRING = 5;

  // What may come next inside an object or an array, outside strings.
  /** After an object's opening brace: a member name or the closing brace. */
  private static final int KEY_OR_END = 0;
  /** After a comma in an object: a member name. */
  private static final int KEY = 1;
  /** After a member name. */
  private static final int COLON = 2;
  /** After a member name's colon. */
  private static final int MEMBER_VALUE = 3;
  /** After a member's value: a comma or the closing brace. */
  private static final int AFTER_MEMBER = 4;
  /** After an array's opening bracket: an item or the closing bracket. */
  private static final int ITEM_OR_END = 5;
  /** After a comma in an array: an item. */
  private static final int ITEM = 6;
  /** After an item: a comma or the closing bracket. */
  private static final int AFTER_ITEM = 7;
  /** Inside a bare token (number or literal) that is a member's value; it ends at any other byte. */
  private static final int MEMBER_TOKEN = 8;
  /** Inside a bare token that is an item. */
  private static final int ITEM_TOKEN = 9;

  // Classes of the bytes outside strings; one table lookup per structural byte.
  private static final byte C_INVALID = 0;
  private static final byte C_SPACE = 1;
  private static final byte C_QUOTE = 2;
  private static final byte C_OPEN_OBJECT = 3;
  private static final byte C_OPEN_ARRAY = 4;
  private static final byte C_CLOSE_OBJECT = 5;
  private static final byte C_CLOSE_ARRAY = 6;
  private static final byte C_COMMA = 7;
  private static final byte C_COLON = 8;
  /** A byte of a number or a literal; the parser checks their spelling. */
  private static final byte C_TOKEN = 9;
  private static final byte[] BYTE_CLASS = new byte[256];

  static {
    for (char c : " \t\r\n".toCharArray()) {
      BYTE_CLASS[c] = C_SPACE;
    }
    for (char c = '0'; c <= '9'; c++) {
      BYTE_CLASS[c] = C_TOKEN;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      BYTE_CLASS[c] = C_TOKEN;
      BYTE_CLASS[c - 'a' + 'A'] = C_TOKEN;
    }
    BYTE_CLASS['+'] = C_TOKEN;
    BYTE_CLASS['-'] = C_TOKEN;
    BYTE_CLASS['.'] = C_TOKEN;
    BYTE_CLASS['"'] = C_QUOTE;
    BYTE_CLASS['{'] = C_OPEN_OBJECT;
    BYTE_CLASS['['] = C_OPEN_ARRAY;
    BYTE_CLASS['}'] = C_CLOSE_OBJECT;
    BYTE_CLASS[']'] = C_CLOSE_ARRAY;
    BYTE_CLASS[','] = C_COMMA;
    BYTE_CLASS[':'] = C_COLON;
  }

  // The whitespace since the last message, which tells whether an idle connection holds part of a message.
  /** Nothing but (part of) the line end that directly follows a message: {@code \r}, {@code \n} or both. */
  private static final int GAP_CLEAN = 0;
  /** A message has just ended. */
  private static final int GAP_AFTER_MESSAGE = 1;
  /** A message and a {@code \r} after it. */
  private static final int GAP_AFTER_CR = 2;
  /** Whitespace that is not the line end of a message: it may be the start of the next one. */
  private static final int GAP_PENDING = 3;

  /** True for the bytes inside a string that the scanner need not look at. */
  private static final ByteProcessor PLAIN_STRING_BYTE = b -> b != '"' && b != '\\' && b != '\n';

  /** True for the bytes that are skipped after a syntax error on a connection that concatenates its values. */
  private static final ByteProcessor NOT_A_MESSAGE_START = b -> b != '{' && b != '[' && b != '\n';

  private static final int[] NO_PLAIN_STRINGS = new int[0];
  /** How far a string is looked at byte by byte before it is taken for a long one. */
  private static final int SHORT_STRING_BYTES = 64;

  private final int maxMessageBytes;
  private final ByteProcessor jsonScanner = this::scanByte;
  private final ByteProcessor gapScanner = this::gapByte;

  // Written on the event loop, read by whoever wants to know how to frame replies.
  private volatile Framing framing;
  private boolean failed;

  // JSON_STREAM state. Offsets are relative to the reader index, which marks the start of the current value and
  // only moves when a value is consumed, so they survive the cumulation buffer being reallocated.
  private int mode = IDLE;
  private int scanned;
  private int depth;
  /** What may come next in the innermost object or array (KEY_OR_END ... ITEM_TOKEN). */
  private int expect;
  private long[] arrayBits = new long[1];
  private boolean inString;
  private boolean escape;
  private int outcome;
  /**
   * Where the current string's content starts (from the reader index) while every byte of it so far is plain
   * ASCII; -1 when it is not, or is not inside an object or array.
   */
  private int plainStart = -1;
  /** The current value's long plain strings so far: pairs of offsets from the reader index (see ScannedFrame). */
  private int[] plainStrings = NO_PLAIN_STRINGS;
  private int plainCount;
  /** Whether a newline has come between two values: the peer delimits its messages with newlines. */
  private boolean lineDelimited;

  // Either framing: the whitespace since the last message (GAP_*), and whether there has been a message yet.
  private int gap = GAP_CLEAN;
  private boolean anyMessage;

  // CONTENT_LENGTH state, offsets relative to the reader index (the start of the header block).
  private boolean inHeaders;
  private int headerScanned;
  private int lineStart;
  private long contentLength = -1;
  private int bodyLength = -1;

  /**
   * Creates a decoder for one channel.
   *
   * @param maxMessageBytes the largest message, in bytes, that will be passed on; larger ones produce a
   *                        {@link FrameError.Kind#TOO_LARGE} error
   * @throws IllegalArgumentException if {@code maxMessageBytes} is not positive
   */
  public FrameDecoder(int maxMessageBytes) {
    if (maxMessageBytes <= 0) {
      throw new IllegalArgumentException("maxMessageBytes: " + maxMessageBytes + " (expected: > 0)");
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Returns the framing detected on this channel.
   *
   * @return the framing, or {@code null} while no non-whitespace byte has been seen or the bytes seen so far are
   *         still a prefix of {@code Content-}
   */
  public Framing framing() {
    return framing;
  }

  /**
   * Whether bytes have arrived that do not form a message yet: part of one, whitespace (which may precede the
   * next), or input being discarded after a syntax error. The line end ({@code \n} or {@code \r\n}) right after
   * a message is its delimiter and does not count, nor does a {@code \r} that may begin it, so a peer that writes
   * a message and its newline separately does not look like it is still sending. A connection in this state for
   * long is trickling bytes (slowloris) and should be closed. Call on the channel's event loop.
   */
  public boolean hasPartialFrame() {
    return !failed && (gap == GAP_PENDING || mode == RESYNC || bufferedBytes() > 0);
  }

  /**
   * Returns the bytes held for a message that has not fully arrived (a value or header block in progress, a
   * {@code Content-} prefix not yet decided); whitespace and input discarded after a syntax error are not held.
   * Call on the channel's event loop.
   */
  @Override
  public long partialBytes() {
    return bufferedBytes();
  }

  @Override
  public String protocol() {
    return "tcp";
  }

  @Override
  public boolean hasPartialMessage() {
    return hasPartialFrame();
  }

  @Override
  public boolean canPush() {
    return true;
  }

  /** Frames a message in the framing this connection uses; see {@link FrameWriter#frame}. */
  @Override
  public Object wrap(ByteBufAllocator alloc, ByteBuf body) {
    return FrameWriter.frame(alloc, framing, body, true);
  }

  @Override
  public Object reply(ByteBufAllocator alloc, Object request, ByteBuf body, boolean jsonRpc) {
    return body == null ? null : FrameWriter.frame(alloc, framing, body, jsonRpc);
  }

  /** Bytes held in the cumulation buffer; lets tests check that the decoder does not hoard input. */
  int bufferedBytes() {
    return internalBuffer().readableBytes();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (framing == null) {
      if (!detect(in)) {
        return;
      }
      // The stack is announced only now: the server runs its protocol-detection timer until it hears of one,
      // and a peer that sends nothing but whitespace has not chosen a protocol.
      ctx.fireUserEventTriggered(this);
    }
    if (framing == Framing.JSON_STREAM) {
      decodeJson(ctx, in, out);
    } else {
      decodeContentLength(ctx, in, out);
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // callDecode has already run on the remaining input, so whatever is left is an unfinished message that can
    // never be completed.
    if (in.isReadable()) {
      if (!failed) {
        log.debug("Discarding {} bytes of an incomplete message from {} at end of input",
            in.readableBytes(), ctx.channel().remoteAddress());
      }
      in.skipBytes(in.readableBytes());
    }
    resetJson();
    inHeaders = false;
    bodyLength = -1;
  }

  private boolean detect(ByteBuf in) {
    if (!skipGap(in)) {
      return false;
    }
    int start = in.readerIndex();
    int n = Math.min(in.readableBytes(), CONTENT_PREFIX.length);
    for (int i = 0; i < n; i++) {
      if (toLowerAscii(in.getByte(start + i)) != CONTENT_PREFIX[i]) {
        framing = Framing.JSON_STREAM;
        return true;
      }
    }
    if (n < CONTENT_PREFIX.length) {
      return false;
    }
    framing = Framing.CONTENT_LENGTH;
    return true;
  }

  // ---------------------------------------------------------------------------------------------- JSON_STREAM

  private void decodeJson(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    for (;;) {
      if (mode == RESYNC && !resync(in)) {
        return;
      }
      if (mode == IDLE) {
        if (!skipGap(in)) {
          return;
        }
        if (!startValue(in.getByte(in.readerIndex()))) {
          emitInvalid(in, out, 1);
          continue;
        }
      }
      int start = in.readerIndex();
      // One byte past the limit is enough to tell: a bare token needs to see its delimiter, and anything
      // still unfinished after that many bytes is too large.
      int window = (int) Math.min(in.readableBytes(), (long) maxMessageBytes + 1);
      if (inString && !escape) {
        skipStringBytes(in, start, window);
      }
      if (scanned < window) {
        int stop = in.forEachByte(start + scanned, window - scanned, jsonScanner);
        if (stop < 0) {
          scanned = window;
        } else {
          int offset = stop - start;
          if (outcome == IN_STRING) {
            scanned = offset + 1;
            plainStart = scanned;
            continue;
          }
          int length = outcome == END_INCLUSIVE || outcome == INVALID ? offset + 1 : offset;
          if (length > maxMessageBytes) {
            fail(ctx, in, out, new FrameError(FrameError.Kind.TOO_LARGE, tooLarge()));
            return;
          }
          if (outcome == INVALID) {
            emitInvalid(in, out, length);
            continue;
          }
          ByteBuf frame = in.readRetainedSlice(length);
          // A whole object or array that may hold a long string goes with what the scan found in it.
          boolean scannedWhole = mode == STRUCT && outcome == END_INCLUSIVE && length > JsonBytes.LONG_STRING_BYTES;
          out.add(scannedWhole ? new ScannedFrame(frame, foundPlainStrings()) : frame);
          messageEnded();
          if (outcome == LINE_END) {
            in.skipBytes(1);
            lineEnded();
          }
          resetJson();
          continue;
        }
      }
      if (scanned > maxMessageBytes) {
        fail(ctx, in, out, new FrameError(FrameError.Kind.TOO_LARGE, tooLarge()));
      }
      return;
    }
  }

  /** Emits the current value up to and including the byte that broke it, and starts resynchronising. */
  private void emitInvalid(ByteBuf in, List<Object> out, int length) {
    out.add(in.readRetainedSlice(length));
    messageEnded();
    resetJson();
    mode = RESYNC;
  }

  /**
   * Discards input after a syntax error up to where scanning can resume: past the next newline, or, on a
   * connection that has never put a newline between values, at the next opening brace or bracket if that comes
   * first. Returns whether that point has arrived; until then nothing is held.
   */
  private boolean resync(ByteBuf in) {
    int from = in.readerIndex();
    int stop = in.forEachByte(from, in.readableBytes(), lineDelimited ? ByteProcessor.FIND_LF : NOT_A_MESSAGE_START);
    if (stop < 0) {
      in.skipBytes(in.readableBytes());
      return false;
    }
    mode = IDLE;
    if (in.getByte(stop) == '\n') {
      in.readerIndex(stop + 1);
      lineEnded();
    } else {
      in.readerIndex(stop);
    }
    return true;
  }

  private void messageEnded() {
    gap = GAP_AFTER_MESSAGE;
    anyMessage = true;
  }

  /** A newline ended a value, or the discarding after one: it is that message's delimiter. */
  private void lineEnded() {
    gap = GAP_CLEAN;
    lineDelimited = true;
  }

  /** Discards whitespace, noting what it means (see GAP_*); returns whether a non-whitespace byte is next. */
  private boolean skipGap(ByteBuf in) {
    int i = in.forEachByte(gapScanner);
    if (i < 0) {
      in.skipBytes(in.readableBytes());
      return false;
    }
    in.readerIndex(i);
    return true;
  }

  private boolean gapByte(byte b) {
    switch (b) {
      case '\n':
        if (gap == GAP_AFTER_MESSAGE || gap == GAP_AFTER_CR) {
          gap = GAP_CLEAN;
        } else {
          gap = GAP_PENDING;
        }
        lineDelimited |= anyMessage;
        return true;
      case '\r':
        gap = gap == GAP_AFTER_MESSAGE ? GAP_AFTER_CR : GAP_PENDING;
        return true;
      case ' ', '\t':
        gap = GAP_PENDING;
        return true;
      default:
        return false;
    }
  }

  /**
   * Skips the plain bytes of a string to the next byte the scanner must see (a quote, a backslash or a
   * newline), eight bytes at a time ({@link JsonBytes}), instead of the scanner's per-byte state machine: long
   * strings are the bulk of a large message. It runs where a string starts; after an escape the rest of that
   * string is scanned byte by byte. Each byte is looked at once. While a string is still plain ASCII the skip
   * stops at anything else too, so that it learns, at no extra pass, whether the string needs decoding at all.
   */
  private void skipStringBytes(ByteBuf in, int start, int window) {
    int from = start + scanned;
    int end = start + window;
    if (from >= end) {
      return;
    }
    if (in.nioBufferCount() != 1) {
      plainStart = -1; // a composite buffer is rare: byte by byte, and nothing learnt
      int special = in.forEachByte(from, end - from, PLAIN_STRING_BYTE);
      scanned = (special < 0 ? end : special) - start;
      return;
    }
    if (plainStart == from - start) {
      // Most strings are short (member names, methods, ids): look at their first bytes without making a view.
      int special = in.forEachByte(from, Math.min(end - from, SHORT_STRING_BYTES), PLAIN_STRING_BYTE);
      if (special >= 0) {
        plainStart = -1; // it ends or escapes here: far too short to be worth cutting out
        scanned = special - start;
        return;
      }
      // A long one: the plain-ASCII scan below starts again from its first byte.
    }
    // A view of the bytes, read a word at a time without a reference-count check per read.
    ByteBuffer view = in.nioBuffer(from, end - from);
    int length = end - from;
    int i = 0;
    if (plainStart >= 0) {
      i = JsonBytes.skipPlainAscii(view, 0, length);
      if (i == length) {
        scanned = window; // plain so far; the rest has not arrived
        return;
      }
      byte stop = view.get(i);
      if (stop == '"') {
        addPlainString(plainStart, from + i - start);
      }
      plainStart = -1;
      if (stop == '"' || stop == '\\' || stop == '\n') {
        scanned = from + i - start;
        return;
      }
      // A control character or a non-ASCII byte: the string needs decoding, but the scanner need not see it.
    }
    int special = JsonBytes.indexOfQuoteBackslashOrNewline(view, i, length);
    scanned = (special < 0 ? end : from + special) - start;
  }

  /** The current value's long plain strings, as {@link ScannedFrame#plainStrings()} gives them. */
  private int[] foundPlainStrings() {
    return plainCount == 0 ? NO_PLAIN_STRINGS : Arrays.copyOf(plainStrings, plainCount * 2);
  }

  private void addPlainString(int contentStart, int closingQuote) {
    if (closingQuote - contentStart < JsonBytes.LONG_STRING_BYTES) {
      return;
    }
    if (plainCount * 2 == plainStrings.length) {
      plainStrings = Arrays.copyOf(plainStrings, Math.max(8, plainStrings.length * 2));
    }
    plainStrings[plainCount * 2] = contentStart;
    plainStrings[plainCount * 2 + 1] = closingQuote;
    plainCount++;
  }

  /** Starts scanning a value at its first byte; returns false when no value can start with that byte. */
  private boolean startValue(byte first) {
    scanned = 1;
    switch (BYTE_CLASS[first & 0xff]) {
      case C_OPEN_OBJECT -> {
        mode = STRUCT;
        push(false);
        expect = KEY_OR_END;
      }
      case C_OPEN_ARRAY -> {
        mode = STRUCT;
        push(true);
        expect = ITEM_OR_END;
      }
      case C_QUOTE -> {
        mode = STRING;
        inString = true;
      }
      case C_TOKEN -> mode = TOKEN;
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The scanner's per-byte step; returns false (with {@link #outcome} set) where the current value ends. */
  private boolean scanByte(byte b) {
    switch (mode) {
      case STRUCT:
        if (inString) {
          return stringByte(b, false);
        }
        return structByte(b);
      case STRING:
        return stringByte(b, true);
      case TOKEN:
        byte kind = BYTE_CLASS[b & 0xff];
        if (kind == C_TOKEN) {
          return true;
        }
        // At top level anything that may follow a value ends the token, and the next value may follow at once.
        outcome = kind == C_INVALID ? INVALID : END_EXCLUSIVE;
        return false;
      default:
        throw new IllegalStateException("scanner mode " + mode);
    }
  }

  /** One byte outside strings inside an object or array, checked against what may come next. */
  private boolean structByte(byte b) {
    byte kind = BYTE_CLASS[b & 0xff];
    if (expect >= MEMBER_TOKEN) {
      if (kind == C_TOKEN) {
        return true;
      }
      expect = expect == MEMBER_TOKEN ? AFTER_MEMBER : AFTER_ITEM; // and the byte must be able to follow it
    }
    switch (kind) {
      case C_SPACE:
        return true;
      case C_QUOTE:
        if (expect == KEY_OR_END || expect == KEY) {
          expect = COLON;
        } else if (!valueStarts()) {
          return invalid();
        }
        inString = true;
        outcome = IN_STRING;
        return false;
      case C_OPEN_OBJECT:
        if (!valueStarts()) {
          return invalid();
        }
        push(false);
        expect = KEY_OR_END;
        return true;
      case C_OPEN_ARRAY:
        if (!valueStarts()) {
          return invalid();
        }
        push(true);
        expect = ITEM_OR_END;
        return true;
      case C_CLOSE_OBJECT:
        return expect == KEY_OR_END || expect == AFTER_MEMBER ? close() : invalid();
      case C_CLOSE_ARRAY:
        return expect == ITEM_OR_END || expect == AFTER_ITEM ? close() : invalid();
      case C_COMMA:
        if (expect == AFTER_MEMBER) {
          expect = KEY;
        } else if (expect == AFTER_ITEM) {
          expect = ITEM;
        } else {
          return invalid();
        }
        return true;
      case C_COLON:
        if (expect != COLON) {
          return invalid();
        }
        expect = MEMBER_VALUE;
        return true;
      case C_TOKEN:
        if (!valueStarts()) {
          return invalid();
        }
        expect = expect == AFTER_MEMBER ? MEMBER_TOKEN : ITEM_TOKEN;
        return true;
      default:
        return invalid();
    }
  }

  /** Whether a value may start here; if so, what may follow it is expected next (once it is over). */
  private boolean valueStarts() {
    if (expect == MEMBER_VALUE) {
      expect = AFTER_MEMBER;
      return true;
    }
    if (expect == ITEM || expect == ITEM_OR_END) {
      expect = AFTER_ITEM;
      return true;
    }
    return false;
  }

  private boolean invalid() {
    outcome = INVALID;
    return false;
  }

  private boolean stringByte(byte b, boolean topLevel) {
    if (b == '\n') {
      // JSON forbids a raw newline in a string, and a line-based peer most likely ended its message here.
      outcome = LINE_END;
      return false;
    }
    if (escape) {
      escape = false;
    } else if (b == '\\') {
      escape = true;
    } else if (b == '"') {
      inString = false;
      if (topLevel) {
        outcome = END_INCLUSIVE;
        return false;
      }
    }
    return true;
  }

  private void push(boolean array) {
    int word = depth >>> 6;
    if (word == arrayBits.length) {
      arrayBits = Arrays.copyOf(arrayBits, arrayBits.length * 2);
    }
    long mask = 1L << depth;
    if (array) {
      arrayBits[word] |= mask;
    } else {
      arrayBits[word] &= ~mask;
    }
    depth++;
  }

  /** Closes the innermost object or array, whose closing byte has been checked already. */
  private boolean close() {
    depth--;
    if (depth == 0) {
      outcome = END_INCLUSIVE;
      return false;
    }
    int parent = depth - 1;
    expect = (arrayBits[parent >>> 6] & (1L << parent)) != 0 ? AFTER_ITEM : AFTER_MEMBER;
    return true;
  }

  private void resetJson() {
    mode = IDLE;
    scanned = 0;
    depth = 0;
    inString = false;
    escape = false;
    plainStart = -1;
    plainCount = 0;
    if (arrayBits.length > 64) {
      // Do not keep a deep value's nesting stack, or its list of strings, for the life of the connection.
      arrayBits = new long[1];
    }
    if (plainStrings.length > 64) {
      plainStrings = NO_PLAIN_STRINGS;
    }
  }

  private String tooLarge() {
    return "message exceeds " + maxMessageBytes + " bytes";
  }

  // ------------------------------------------------------------------------------------------- CONTENT_LENGTH

  private void decodeContentLength(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    for (;;) {
      if (bodyLength >= 0) {
        if (in.readableBytes() < bodyLength) {
          return;
        }
        out.add(in.readRetainedSlice(bodyLength));
        bodyLength = -1;
        messageEnded();
        continue;
      }
      if (!inHeaders) {
        if (!skipGap(in)) {
          return;
        }
        inHeaders = true;
        headerScanned = 0;
        lineStart = 0;
        contentLength = -1;
      }
      int start = in.readerIndex();
      int window = Math.min(in.readableBytes(), MAX_HEADER_BYTES);
      if (headerScanned < window) {
        int lf = in.forEachByte(start + headerScanned, window - headerScanned, ByteProcessor.FIND_LF);
        if (lf < 0) {
          headerScanned = window;
        } else {
          int lineEnd = lf - start;
          headerScanned = lineEnd + 1;
          if (lineEnd > lineStart && in.getByte(start + lineEnd - 1) == '\r') {
            lineEnd--;
          }
          if (lineEnd == lineStart) {
            if (contentLength < 0) {
              fail(ctx, in, out,
                  new FrameError(FrameError.Kind.BAD_HEADER, "missing Content-Length header"));
              return;
            }
            in.skipBytes(headerScanned);
            inHeaders = false;
            bodyLength = (int) contentLength;
            continue;
          }
          FrameError error = headerLine(in, start + lineStart, lineEnd - lineStart);
          if (error != null) {
            fail(ctx, in, out, error);
            return;
          }
          lineStart = headerScanned;
          continue;
        }
      }
      if (headerScanned >= MAX_HEADER_BYTES) {
        String reason = "header block exceeds " + MAX_HEADER_BYTES + " bytes";
        fail(ctx, in, out, new FrameError(FrameError.Kind.BAD_HEADER, reason));
      }
      return;
    }
  }

  /** Checks one header line, recording Content-Length; returns the error it causes, if any. */
  private FrameError headerLine(ByteBuf in, int index, int length) {
    int colon = in.indexOf(index, index + length, (byte) ':');
    String name = colon < 0 ? "" : in.toString(index, colon - index, StandardCharsets.ISO_8859_1).trim();
    if (name.isEmpty()) {
      return new FrameError(FrameError.Kind.BAD_HEADER, "malformed header line");
    }
    if (!name.equalsIgnoreCase("Content-Length")) {
      return null;
    }
    if (contentLength >= 0) {
      return new FrameError(FrameError.Kind.BAD_HEADER, "duplicate Content-Length header");
    }
    String value = in.toString(colon + 1, index + length - colon - 1, StandardCharsets.ISO_8859_1).trim();
    // Checking the digits first keeps a hostile value from reaching the number parser at all.
    if (value.isEmpty() || value.length() > MAX_LENGTH_DIGITS || !allDigits(value)
        || Long.parseLong(value) > Integer.MAX_VALUE) {
      return new FrameError(FrameError.Kind.BAD_HEADER, "invalid Content-Length: " + quote(value));
    }
    long n = Long.parseLong(value);
    if (n > maxMessageBytes) {
      return new FrameError(FrameError.Kind.TOO_LARGE,
          "message exceeds " + maxMessageBytes + " bytes (Content-Length: " + n + ")");
    }
    contentLength = n;
    return null;
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Renders a header value for an error message and log line: short and printable, whatever the peer sent. */
  private static String quote(String value) {
    if (value.isEmpty()) {
      return "(empty)";
    }
    StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_QUOTED_VALUE) + 3);
    for (int i = 0; i < value.length() && i < MAX_QUOTED_VALUE; i++) {
      char c = value.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (value.length() > MAX_QUOTED_VALUE) {
      sb.append("...");
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------------- shared

  private void fail(ChannelHandlerContext ctx, ByteBuf in, List<Object> out, FrameError error) {
    failed = true;
    in.skipBytes(in.readableBytes());
    resetJson();
    inHeaders = false;
    bodyLength = -1;
    log.warn("Rejecting input from {}: {}", ctx.channel().remoteAddress(), error.message());
    out.add(error);
  }

  private static byte toLowerAscii(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
  }
}
