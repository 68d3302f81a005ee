package dev.kiln.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times runtime kernel calls one by one and counts the Java heap each allocates, for the replays
 * of a generated training step ({@link MlpStepByKernel}, {@link EncoderStepByKernel}): per kernel
 * name, its calls, nanoseconds and bytes, rendered beside the generated step measured whole.
 */
final class KernelClock {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Per kernel name: bytes, calls, nanoseconds. */
  private final Map<String, long[]> perKernel = new LinkedHashMap<>();

  /** Runs one kernel call, adding its bytes, its call and its nanoseconds to the kernel's totals. */
  void count(String kernel, Runnable call) {
    long[] total = perKernel.computeIfAbsent(kernel, k -> new long[3]);
    long start = System.nanoTime();
    total[0] += bytes(call);
    total[2] += System.nanoTime() - start;
    total[1]++;
  }

  /** Forgets the warm-up calls. */
  void reset() {
    perKernel.clear();
  }

  /** The heap bytes this thread allocates while running {@code action}. */
  static long bytes(Runnable action) {
    long thread = Thread.currentThread().getId();
    long before = THREADS.getThreadAllocatedBytes(thread);
    action.run();
    return THREADS.getThreadAllocatedBytes(thread) - before;
  }

  /**
   * Markdown: each kernel's calls, time and heap per step over {@code steps} replayed steps, their
   * total, and the generated step {@code whole} measured alone.
   */
  List<String> render(int steps, String whole, long wholeBytes, double wholeMillis) {
    List<String> lines = new ArrayList<>();
    lines.add("| runtime call | calls/step | ms/step | share of step | bytes/call | KB/step |");
    lines.add("|---|---:|---:|---:|---:|---:|");
    long kernelsBytes = 0;
    double kernelsMillis = 0;
    for (Map.Entry<String, long[]> entry : perKernel.entrySet()) {
      long bytesPerStep = entry.getValue()[0] / steps;
      long callsPerStep = entry.getValue()[1] / steps;
      double millis = entry.getValue()[2] / 1e6 / steps;
      kernelsBytes += bytesPerStep;
      kernelsMillis += millis;
      lines.add(String.format(Locale.ROOT, "| %s | %d | %.3f | %.0f%% | %,d | %.1f |",
          entry.getKey(), callsPerStep, millis, 100 * millis / wholeMillis,
          bytesPerStep / callsPerStep, bytesPerStep / 1e3));
    }
    lines.add(String.format(Locale.ROOT, "| **kernels together** | | **%.3f** | %.0f%% | | **%.1f** |",
        kernelsMillis, 100 * kernelsMillis / wholeMillis, kernelsBytes / 1e3));
    lines.add(String.format(Locale.ROOT, "| `%s`, whole | 1 | %.3f | 100%% | %,d | %.1f |",
        whole, wholeMillis, wholeBytes, wholeBytes / 1e3));
    lines.add("");
    lines.add("Means over " + steps + " replayed steps and " + steps + " steps of the generated model.");
    return lines;
  }
}
