package dev.kiln.benchmarks;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits, between blocks of timed runs, until the JIT compiler threads have finished what the last
 * block gave them. Compilation runs in the background: on 2 cores, SameDiff's training step left
 * the C2 thread compiling through the next block, so a block of Kiln's encoder steps that
 * followed it shared the cores with the compiler (5 steps of 50-60 ms, 273 ms in all, of which
 * "C2 CompilerThread0" ran 230, against 27-31 ms a step with the compilers idle). Whoever runs
 * next must not pay for the last one's compiles. On Linux a compiler thread is busy while its
 * {@code /proc/self/task} state is running; the wait polls that every millisecond and costs
 * nothing when they are idle (a sleep of 10 ms before every block slowed the MLP's 0.4 ms
 * predictions by a quarter or more). Elsewhere it waits for a 10 ms window in which no compile
 * ended.
 */
final class CompilerQuiet {

  /** How often a busy compiler is looked at again. */
  private static final long POLL_MILLIS = 1;

  /** Without {@code /proc}: how long no compile may end before the compilers count as idle. */
  private static final long WINDOW_MILLIS = 10;

  /** The longest wait; a JVM that compiles without end must not stall the benchmark. */
  static final long MOST_MILLIS = 3_000;

  private static final Path TASKS = Path.of("/proc/self/task");

  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  private CompilerQuiet() {}

  /** Returns once no compiler thread is busy, or after the longest wait. */
  static void await() {
    long deadline = System.nanoTime() + MOST_MILLIS * 1_000_000;
    try {
      if (Files.isDirectory(TASKS)) {
        while (anyCompilerRunning() && System.nanoTime() < deadline) {
          Thread.sleep(POLL_MILLIS);
        }
      } else if (JIT.isCompilationTimeMonitoringSupported()) {
        long before = JIT.getTotalCompilationTime();
        while (System.nanoTime() < deadline) {
          Thread.sleep(WINDOW_MILLIS);
          long now = JIT.getTotalCompilationTime();
          if (now == before) {
            return;
          }
          before = now;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether a JIT compiler thread is running or waiting for a core. */
  static boolean anyCompilerRunning() {
    for (Path task : compilerThreads()) {
      try {
        if (running(Files.readString(task.resolve("stat")))) {
          return true;
        }
      } catch (IOException | RuntimeException e) {
        // the thread ended between the listing and the read
      }
    }
    return false;
  }

  /**
   * Whether a thread's {@code stat} line says it is running or runnable: the state is the field
   * after the parenthesised name, which may itself hold spaces and parentheses.
   */
  static boolean running(String stat) {
    int nameEnd = stat.lastIndexOf(')');
    return nameEnd >= 0 && nameEnd + 2 < stat.length() && stat.charAt(nameEnd + 2) == 'R';
  }

  /** The {@code /proc/self/task} directories of the JIT compiler threads; none off Linux. */
  static List<Path> compilerThreads() {
    List<Path> compilers = new ArrayList<>();
    if (!Files.isDirectory(TASKS)) {
      return compilers;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
            compilers.add(task);
          }
        } catch (IOException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return compilers;
    }
    return compilers;
  }
}
