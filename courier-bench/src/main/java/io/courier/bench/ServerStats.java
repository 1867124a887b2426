package io.courier.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a target server process reports about itself on request: used heap right after a full collection, live
 * threads, open file descriptors. A server prints it as a {@code STATS} line. Immutable.
 *
 * @param heapAfterGc bytes of heap in use after {@link System#gc()}
 * @param threads live threads
 * @param fileDescriptors open file descriptors, or -1 where {@code /proc/self/fd} does not exist
 */
record ServerStats(long heapAfterGc, int threads, int fileDescriptors) {

  static final String PREFIX = "STATS ";

  /** Reads this process's figures, collecting garbage first (twice, so that finalizable objects go too). */
  static ServerStats probe() {
    System.gc();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    return new ServerStats(heap, threads, countFileDescriptors());
  }

  private static int countFileDescriptors() {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return -1;
    }
    int n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
      for (Path ignored : entries) {
        n++;
      }
    } catch (IOException e) {
      return -1;
    }
    return n;
  }

  String toLine() {
    return PREFIX + heapAfterGc + " " + threads + " " + fileDescriptors;
  }

  static ServerStats parse(String line) {
    String[] f = line.substring(PREFIX.length()).trim().split(" ");
    if (!line.startsWith(PREFIX) || f.length != 3) {
      throw new IllegalArgumentException("stats: " + line + " (expected: STATS HEAP THREADS FDS)");
    }
    return new ServerStats(Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
  }
}
