package io.courier.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so that a test can check, deterministically and right
 * away, that each one was released: Netty's leak detector only reports a leak after the garbage collector has
 * found the buffer, which makes it a backstop rather than a per-input assertion.
 *
 * <p>Buffers come from an unpooled heap allocator; derived buffers (slices) share their parent's reference count,
 * so checking the parents covers them. Not thread-safe: use it from one thread (an {@code EmbeddedChannel}).
 */
final class TrackingAllocator implements ByteBufAllocator {

  private final ByteBufAllocator delegate = new UnpooledByteBufAllocator(false);
  private final List<ByteBuf> allocated = new ArrayList<>();

  /** Returns how many buffers this allocator has handed out and not yet seen released. */
  int unreleased() {
    int n = 0;
    for (ByteBuf buf : allocated) {
      if (buf.refCnt() != 0) {
        n++;
      }
    }
    return n;
  }

  /** Releases whatever is still held (after a failed check) so that one failure does not cascade. */
  void releaseAll() {
    for (ByteBuf buf : allocated) {
      if (buf.refCnt() > 0) {
        buf.release(buf.refCnt());
      }
    }
    allocated.clear();
  }

  /** Forgets the buffers checked so far. */
  void clear() {
    allocated.clear();
  }

  private <T extends ByteBuf> T track(T buf) {
    allocated.add(buf);
    return buf;
  }

  @Override
  public ByteBuf buffer() {
    return track(delegate.buffer());
  }

  @Override
  public ByteBuf buffer(int initialCapacity) {
    return track(delegate.buffer(initialCapacity));
  }

  @Override
  public ByteBuf buffer(int initialCapacity, int maxCapacity) {
    return track(delegate.buffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf ioBuffer() {
    return track(delegate.heapBuffer());
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity) {
    return track(delegate.heapBuffer(initialCapacity));
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.heapBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf heapBuffer() {
    return track(delegate.heapBuffer());
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity) {
    return track(delegate.heapBuffer(initialCapacity));
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.heapBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf directBuffer() {
    return track(delegate.directBuffer());
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity) {
    return track(delegate.directBuffer(initialCapacity));
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.directBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public CompositeByteBuf compositeBuffer() {
    return track(delegate.compositeBuffer());
  }

  @Override
  public CompositeByteBuf compositeBuffer(int maxNumComponents) {
    return track(delegate.compositeBuffer(maxNumComponents));
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer() {
    return track(delegate.compositeHeapBuffer());
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
    return track(delegate.compositeHeapBuffer(maxNumComponents));
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer() {
    return track(delegate.compositeDirectBuffer());
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
    return track(delegate.compositeDirectBuffer(maxNumComponents));
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  @Override
  public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
    return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
  }
}
