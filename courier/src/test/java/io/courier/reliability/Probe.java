package io.courier.reliability;

import io.courier.server.RpcServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Looks inside a running server, for assertions only: its open channels (by reflection on its channel group),
 * the bytes each one's frame decoder holds and the bytes waiting in its outbound buffer (read on the channel's
 * event loop), the allocator's memory in use, and process-level counts (threads, file descriptors, CPU).
 */
final class Probe {

  private Probe() {}

  @SuppressWarnings("unchecked")
  static List<Channel> channels(RpcServer server) {
    try {
      Field f = RpcServer.class.getDeclaredField("connections");
      f.setAccessible(true);
      return new ArrayList<>((Collection<Channel>) f.get(server));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Bytes held by the channel's frame decoder (its cumulation buffer), read on the channel's event loop. */
  static long inboundBuffered(Channel ch) {
    return onLoop(ch, () -> {
      ChannelHandler framer = ch.pipeline().get("framer");
      if (framer == null) {
        return 0L;
      }
      Method m = framer.getClass().getDeclaredMethod("bufferedBytes");
      m.setAccessible(true);
      return ((Number) m.invoke(framer)).longValue();
    });
  }

  /** Bytes written to the channel and not yet flushed to the socket, read on the channel's event loop. */
  static long outboundPending(Channel ch) {
    return onLoop(ch, () -> {
      ChannelOutboundBuffer buf = ch.unsafe().outboundBuffer();
      return buf == null ? 0L : buf.totalPendingWriteBytes();
    });
  }

  static boolean autoRead(Channel ch) {
    return ch.config().isAutoRead();
  }

  static long maxOver(RpcServer server, java.util.function.ToLongFunction<Channel> f) {
    long max = 0;
    for (Channel ch : channels(server)) {
      max = Math.max(max, f.applyAsLong(ch));
    }
    return max;
  }

  interface Task {
    long run() throws Exception;
  }

  private static long onLoop(Channel ch, Task task) {
    if (!ch.isOpen()) {
      return 0;
    }
    try {
      return ch.eventLoop().submit(() -> {
        try {
          return task.run();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      return 0; // the channel closed or its loop stopped meanwhile
    }
  }

  /** Memory the default allocator (Netty 4.2: adaptive) has taken from the OS or heap for buffers, in bytes. */
  static long allocatorUsed() {
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    ByteBufAllocatorMetric metric = alloc instanceof ByteBufAllocatorMetricProvider p ? p.metric()
        : PooledByteBufAllocator.DEFAULT.metric();
    return metric.usedDirectMemory() + metric.usedHeapMemory();
  }

  /** Samples a value every millisecond on a daemon thread and keeps the maximum, until closed. */
  static final class PeakSampler implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong(Long.MIN_VALUE);
    private final Thread thread;
    private volatile boolean running = true;

    PeakSampler(java.util.function.LongSupplier value, long periodMs) {
      peak.set(value.getAsLong());
      thread = new Thread(() -> {
        while (running) {
          long v = value.getAsLong();
          peak.accumulateAndGet(v, Math::max);
          try {
            Thread.sleep(periodMs);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "peak-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    long peak() {
      return peak.get();
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the test ends anyway; its caller sees the flag
      }
    }
  }

  static int threadCount() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** Live threads, not counting the server's worker pool (its idle threads live on for 60 s by design). */
  static int threadCountExceptWorkers() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !t.getName().startsWith("courier-worker"))
        .count();
  }

  static int fdCount() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  /** CPU time (ns) used so far by the live threads whose names start with one of the prefixes. */
  static long cpuNanos(String... prefixes) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      for (String p : prefixes) {
        if (t.getName().startsWith(p)) {
          long cpu = mx.getThreadCpuTime(t.getId());
          if (cpu > 0) {
            total += cpu;
          }
          break;
        }
      }
    }
    return total;
  }

  static long ms(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
