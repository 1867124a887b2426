package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leaked {@link ByteBuf} while the class ran.
 *
 * <p>It listens on the detector every {@code ByteBuf} allocation goes through (a listener can be added at any
 * time, unlike a detector factory, which must be installed before Netty's buffer classes load). Netty only
 * notices a leak when the leaked buffer has been garbage-collected and a later allocation polls the detector's
 * queue, so before and after the class this forces a few collections and allocations. A leak that the GC has
 * not collected by then goes unnoticed: the check can miss a leak, but never reports one that did not happen.
 * Leaks found before the class starts are reported to the log and not blamed on the class.
 *
 * <p>Use with {@code @ExtendWith(NettyLeakCheck.class)}; the JVM must run with
 * {@code -Dio.netty.leakDetection.level=paranoid} (the poms set it) for every buffer to be tracked.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  static {
    try {
      Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
      field.setAccessible(true);
      ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
      detector.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError("Cannot listen to Netty's ByteBuf leak detector: " + e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    flush();
    if (!LEAKS.isEmpty()) {
      System.err.println("Netty leaks reported before " + context.getDisplayName() + " (not blamed on it): "
          + LEAKS);
      LEAKS.clear();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    flush();
    List<String> found = List.copyOf(LEAKS);
    LEAKS.clear();
    assertThat(found).as("ByteBuf leaks reported by Netty while %s ran", context.getDisplayName()).isEmpty();
  }

  /** Lets the GC collect unreachable buffers, then allocates so that the detector reports them. */
  private static void flush() {
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (ByteBufAllocator allocator : List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
          UnpooledByteBufAllocator.DEFAULT)) {
        ByteBuf probe = allocator.buffer(8);
        probe.release();
      }
    }
  }
}
