package dev.kiln.benchmarks;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Waits, between blocks of timed runs, until the JIT compiler threads have finished what the last
 * block gave them. Compilation runs in the background: on 2 cores, SameDiff's training step left
 * the C2 thread compiling through the next block, so a block of Kiln's encoder steps that
 * followed it shared the cores with the compiler (5 steps of 50-60 ms, 273 ms in all, of which
 * "C2 CompilerThread0" ran 230, against 27-31 ms a step with the compilers idle). Whoever runs
 * next must not pay for the last one's compiles. Linux reads the compiler threads' run time from
 * {@code /proc/self/task}; elsewhere the JVM's total compilation time, which moves only when a
 * compile ends.
 */
final class CompilerQuiet {

  /** How long the compilers must stay idle. */
  static final long WINDOW_MILLIS = 10;

  /** Compiler run time within a window that still counts as idle: bookkeeping, not a compile. */
  private static final long IDLE_NANOS = 500_000;

  /** The longest wait; a JVM that compiles without end must not stall the benchmark. */
  static final long MOST_MILLIS = 3_000;

  private static final Path TASKS = Path.of("/proc/self/task");

  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  private CompilerQuiet() {}

  /** Returns once the compilers were idle for {@link #WINDOW_MILLIS}, or after the longest wait. */
  static void await() {
    long deadline = System.nanoTime() + MOST_MILLIS * 1_000_000;
    long before = compilerNanos();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(WINDOW_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = compilerNanos();
      if (now - before < IDLE_NANOS) {
        return;
      }
      before = now;
    }
  }

  /** The compiler threads' run time so far, in nanoseconds or, without /proc, a JIT clock. */
  static long compilerNanos() {
    if (!Files.isDirectory(TASKS)) {
      return JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() * 1_000_000 : 0;
    }
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
            String line = Files.readString(task.resolve("schedstat"));
            sum += Long.parseLong(line.substring(0, line.indexOf(' ')));
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return sum;
  }
}
