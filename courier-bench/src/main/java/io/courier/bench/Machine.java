package io.courier.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The facts about the machine that a result needs beside it: cores, CPU, memory, JDK, OS and the open-file
 * limit. Immutable.
 *
 * @param cores processors the JVM sees
 * @param cpu the CPU model, or "unknown"
 * @param memoryBytes physical memory, or -1
 * @param jdk the runtime's name and version
 * @param os the operating system's name, version and architecture
 * @param maxFileDescriptors this process's open-file limit ({@code ulimit -n}), or -1
 */
record Machine(int cores, String cpu, long memoryBytes, String jdk, String os, long maxFileDescriptors) {

  static Machine probe() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    long memory = -1;
    long fds = -1;
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      memory = sun.getTotalMemorySize();
    }
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      fds = unix.getMaxFileDescriptorCount();
    }
    String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    String osName = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch");
    return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel().orElse("unknown"), memory, jdk,
        osName, fds);
  }

  private static Optional<String> cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return Optional.empty();
    }
    try (var lines = Files.lines(cpuinfo)) {
      return lines.filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * How busy the CPUs are with other work, 0 to 1, sampled from {@code /proc/stat} over {@code window}; empty
   * where that file does not exist. The bench calls it while none of its own processes run.
   */
  static OptionalDouble busy(Duration window) throws InterruptedException {
    long[] before = cpuTimes();
    if (before.length == 0) {
      return OptionalDouble.empty();
    }
    Thread.sleep(window.toMillis());
    long[] after = cpuTimes();
    long total = 0;
    long idle = 0;
    for (int i = 0; i < Math.min(before.length, after.length); i++) {
      long d = after[i] - before[i];
      total += d;
      if (i == 3 || i == 4) { // idle, iowait
        idle += d;
      }
    }
    return total <= 0 ? OptionalDouble.empty() : OptionalDouble.of(1 - (double) idle / total);
  }

  /** The first line of {@code /proc/stat}: user, nice, system, idle, iowait, irq, softirq, steal; or none. */
  private static long[] cpuTimes() {
    try (var lines = Files.lines(Path.of("/proc/stat"))) {
      String cpu = lines.filter(l -> l.startsWith("cpu ")).findFirst().orElse("");
      String[] f = cpu.trim().split("\\s+");
      long[] times = new long[Math.max(0, Math.min(8, f.length - 1))];
      for (int i = 0; i < times.length; i++) {
        times[i] = Long.parseLong(f[i + 1]);
      }
      return times;
    } catch (IOException | RuntimeException e) {
      return new long[0];
    }
  }

  /** One line: {@code 2 cores (CPU), 24 GiB, JDK ..., OS ...}. */
  String describe() {
    String memory = memoryBytes > 0 ? ", " + Math.round(memoryBytes / (1024.0 * 1024 * 1024)) + " GiB" : "";
    return cores + " cores (" + cpu + ")" + memory + "; " + jdk + "; " + os;
  }
}
