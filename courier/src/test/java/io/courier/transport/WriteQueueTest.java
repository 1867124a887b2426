package io.courier.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteQueueTest {

  /** Counts flushes, so a test can tell one flush per burst from one per message. */
  private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
    int flushes;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes++;
      ctx.flush();
    }
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, US_ASCII);
  }

  private static List<String> drainOutbound(EmbeddedChannel channel) {
    List<String> out = new ArrayList<>();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      out.add(b.toString(US_ASCII));
      b.release();
    }
    return out;
  }

  @Test
  void holdsMessagesWhileTheChannelIsUnwritableAndResumesAfter() {
    EmbeddedChannel channel = new EmbeddedChannel();
    WriteQueue queue = new WriteQueue(channel);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // as if over the high-water mark
    assertThat(channel.isWritable()).isFalse();

    queue.write(text("a"));
    queue.write(text("b"));
    channel.runPendingTasks();
    assertThat(channel.outboundMessages()).as("nothing written while unwritable").isEmpty();

    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    assertThat(channel.isWritable()).isTrue();
    queue.resume();
    channel.runPendingTasks();
    assertThat(drainOutbound(channel)).containsExactly("a", "b");
    channel.finishAndReleaseAll();
  }

  @Test
  void closesOnlyAfterWritingWhatWasQueuedBefore() {
    EmbeddedChannel channel = new EmbeddedChannel();
    WriteQueue queue = new WriteQueue(channel);
    queue.write(text("last reply"));
    queue.closeWhenFlushed();
    channel.runPendingTasks();

    assertThat(drainOutbound(channel)).containsExactly("last reply");
    assertThat(channel.isOpen()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void releasesWhatItCanNoLongerWrite() {
    EmbeddedChannel channel = new EmbeddedChannel();
    WriteQueue queue = new WriteQueue(channel);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    ByteBuf pending = text("never sent");
    queue.write(pending);
    channel.runPendingTasks();
    assertThat(pending.refCnt()).as("held while unwritable").isEqualTo(1);

    queue.discard();
    assertThat(pending.refCnt()).isZero();
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    channel.finishAndReleaseAll();
  }

  @Test
  void aBurstWrittenDuringAReadGoesOutInOrderWithOneFlushWhenTheReadCompletes() {
    FlushCounter counter = new FlushCounter();
    EmbeddedChannel channel = new EmbeddedChannel(counter);
    WriteQueue queue = new WriteQueue(channel);

    queue.reading();
    for (int i = 0; i < 10; i++) {
      queue.write(text("m" + i));
    }
    assertThat(channel.hasPendingTasks()).as("no task: the read's end flushes").isFalse();
    assertThat(counter.flushes).isZero();
    queue.readComplete();

    assertThat(counter.flushes).isEqualTo(1);
    assertThat(drainOutbound(channel)).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    queue.readComplete();
    assertThat(counter.flushes).as("nothing new, no flush").isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void aLongBurstIsFlushedEvery32MessagesSoThePeerCanStartOnTheFirst() {
    FlushCounter counter = new FlushCounter();
    EmbeddedChannel channel = new EmbeddedChannel(counter);
    WriteQueue queue = new WriteQueue(channel);
    List<String> expected = new ArrayList<>();

    queue.reading();
    for (int i = 0; i < 70; i++) {
      queue.write(text("m" + i));
      expected.add("m" + i);
      if (i == 31) {
        assertThat(counter.flushes).as("the 32nd message flushes").isEqualTo(1);
        assertThat(drainOutbound(channel)).isEqualTo(expected.subList(0, 32));
      }
    }
    assertThat(counter.flushes).isEqualTo(2);
    queue.readComplete();
    assertThat(counter.flushes).as("the last 6 at the read's end").isEqualTo(3);
    assertThat(drainOutbound(channel)).isEqualTo(expected.subList(32, 70));

    channel.finishAndReleaseAll();
  }

  @Test
  void aLongQueuedBurstIsAlsoFlushedEvery32Messages() {
    FlushCounter counter = new FlushCounter();
    EmbeddedChannel channel = new EmbeddedChannel(counter);
    WriteQueue queue = new WriteQueue(channel);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    for (int i = 0; i < 70; i++) {
      queue.write(text("q" + i)); // unwritable: queued, as replies from workers are
    }
    channel.runPendingTasks();
    assertThat(counter.flushes).as("nothing goes out while unwritable").isZero();

    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    queue.resume();
    channel.runPendingTasks();

    assertThat(counter.flushes).as("at 32, 64 and the end").isEqualTo(3);
    assertThat(drainOutbound(channel)).hasSize(70).startsWith("q0").endsWith("q69");
    channel.finishAndReleaseAll();
  }

  @Test
  void messagesQueuedBeforeKeepTheirPlaceAheadOfDirectWrites() {
    EmbeddedChannel channel = new EmbeddedChannel();
    WriteQueue queue = new WriteQueue(channel);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    queue.write(text("queued first"));
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);

    queue.write(text("then this")); // writable again, but something is queued: it must wait its turn
    queue.resume();
    channel.runPendingTasks();

    assertThat(drainOutbound(channel)).containsExactly("queued first", "then this");
    channel.finishAndReleaseAll();
  }
}
