package io.courier.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  /** A body with spare capacity, as an encoder writing into a fresh buffer would produce. */
  private static ByteBuf roomyBody(String text) {
    byte[] bytes = text.getBytes(UTF_8);
    return ALLOC.buffer(bytes.length + 64).writeBytes(bytes);
  }

  /** A body that cannot grow, so the newline has to go into a separate buffer. */
  private static ByteBuf fullBody(String text) {
    return Unpooled.wrappedBuffer(text.getBytes(UTF_8));
  }

  private static String consume(ByteBuf framed) {
    try {
      return framed.toString(UTF_8);
    } finally {
      framed.release();
    }
  }

  @Test
  void appendsANewlineForJsonStreamInPlaceWhenTheBodyHasRoom() {
    ByteBuf body = roomyBody("{\"a\":1}");
    ByteBuf framed = FrameWriter.frame(ALLOC, Framing.JSON_STREAM, body, true);
    assertThat(framed).isSameAs(body);
    assertThat(consume(framed)).isEqualTo("{\"a\":1}\n");
  }

  @Test
  void appendsANewlineInASeparateComponentWhenTheBodyCannotGrow() {
    ByteBuf body = fullBody("[1,2]");
    assertThat(consume(FrameWriter.frame(ALLOC, Framing.JSON_STREAM, body, true))).isEqualTo("[1,2]\n");
    assertThat(body.refCnt()).isZero();
  }

  @Test
  void neverWritesTheNewlineIntoABodyThatIsSharedOrReadOnly() {
    ByteBuf shared = roomyBody("{}");
    ByteBuf framed = FrameWriter.frame(ALLOC, Framing.JSON_STREAM, shared.retain(), true);
    assertThat(consume(framed)).isEqualTo("{}\n");
    assertThat(shared.refCnt()).isEqualTo(1);
    assertThat(shared.toString(UTF_8)).isEqualTo("{}");
    assertThat(shared.writerIndex()).isEqualTo(2);
    shared.release();

    ByteBuf readOnly = roomyBody("[]").asReadOnly();
    assertThat(consume(FrameWriter.frame(ALLOC, Framing.JSON_STREAM, readOnly, true))).isEqualTo("[]\n");
    assertThat(readOnly.refCnt()).isZero();
  }

  @Test
  void returnsTheBodyUnchangedForJsonStreamWhenNotLineTerminated() {
    ByteBuf body = roomyBody("{\"a\":1}");
    ByteBuf framed = FrameWriter.frame(ALLOC, Framing.JSON_STREAM, body, false);
    assertThat(framed).isSameAs(body);
    assertThat(consume(framed)).isEqualTo("{\"a\":1}");
  }

  @Test
  void treatsAnUndetectedFramingAsJsonStream() {
    assertThat(consume(FrameWriter.frame(ALLOC, null, roomyBody("1"), true))).isEqualTo("1\n");
    assertThat(consume(FrameWriter.frame(ALLOC, null, roomyBody("2"), false))).isEqualTo("2");
  }

  @Test
  void prefixesAContentLengthHeaderCountingUtf8Bytes() {
    String body = "{\"method\":\"测试项\"}";
    assertThat(body.getBytes(UTF_8)).hasSize(22);
    ByteBuf framed = FrameWriter.frame(ALLOC, Framing.CONTENT_LENGTH, roomyBody(body), false);
    byte[] expected = ("Content-Length: 22\r\n\r\n" + body).getBytes(UTF_8);
    byte[] actual = new byte[framed.readableBytes()];
    framed.getBytes(framed.readerIndex(), actual);
    framed.release();
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void ignoresLineTerminationForContentLength() {
    assertThat(consume(FrameWriter.frame(ALLOC, Framing.CONTENT_LENGTH, fullBody("{}"), true)))
        .isEqualTo("Content-Length: 2\r\n\r\n{}");
  }

  @Test
  void framesAnEmptyBodyWithAZeroContentLength() {
    ByteBuf empty = ALLOC.buffer(0);
    assertThat(consume(FrameWriter.frame(ALLOC, Framing.CONTENT_LENGTH, empty, false)))
        .isEqualTo("Content-Length: 0\r\n\r\n");
    assertThat(empty.refCnt()).isZero();
  }

  @Test
  void releasingTheFramedBufferReleasesTheBody() {
    for (Framing framing : new Framing[] {Framing.JSON_STREAM, Framing.CONTENT_LENGTH}) {
      ByteBuf body = fullBody("{\"x\":true}");
      FrameWriter.frame(ALLOC, framing, body, true).release();
      assertThat(body.refCnt()).as("%s", framing).isZero();
    }
  }

  @Test
  void producesBytesThatFrameDecoderSplitsBackIntoTheOriginalBodies() {
    for (Framing framing : Framing.values()) {
      EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
      for (String body : new String[] {"{\"a\":\"测试项\"}", "[1,{\"b\":[]}]", "\"s\""}) {
        channel.writeInbound(FrameWriter.frame(ALLOC, framing, roomyBody(body), true));
        ByteBuf frame = channel.readInbound();
        assertThat(frame.toString(UTF_8)).as("%s", framing).isEqualTo(body);
        frame.release();
      }
      assertThat(channel.pipeline().get(FrameDecoder.class).framing()).isEqualTo(framing);
      assertThat(channel.finishAndReleaseAll()).isFalse();
    }
  }

  @Test
  void releasesTheBodyWhenTheAllocatorIsMissing() {
    ByteBuf body = fullBody("{}");
    assertThatThrownBy(() -> FrameWriter.frame(null, Framing.JSON_STREAM, body, true))
        .isInstanceOf(NullPointerException.class);
    assertThat(body.refCnt()).isZero();
    assertThatThrownBy(() -> FrameWriter.frame(ALLOC, Framing.JSON_STREAM, null, true))
        .isInstanceOf(NullPointerException.class);
  }
}
