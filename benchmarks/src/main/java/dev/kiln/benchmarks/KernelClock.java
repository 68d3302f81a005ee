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

  /** Per kernel name: bytes, calls, nanoseconds, CPU nanoseconds of the process. */
  private final Map<String, long[]> perKernel = new LinkedHashMap<>();

  /** Whether each call's process CPU time is read too ({@link ProcessCpu}); it costs a little. */
  private final boolean cpu;

  /** The CPU time that reading the counters itself adds to one call, measured once. */
  private final long cpuOverhead;

  KernelClock(boolean cpu) {
    this.cpu = cpu && ProcessCpu.available();
    long overhead = 0;
    if (this.cpu) {
      long[] samples = new long[21];
      for (int i = 0; i < samples.length; i++) {
        long before = ProcessCpu.nanos();
        samples[i] = ProcessCpu.nanos() - before;
      }
      java.util.Arrays.sort(samples);
      overhead = samples[samples.length / 2];
    }
    this.cpuOverhead = overhead;
  }

  /** Runs one kernel call, adding its bytes, its call and its nanoseconds to the kernel's totals. */
  void count(String kernel, Runnable call) {
    long[] total = perKernel.computeIfAbsent(kernel, k -> new long[4]);
    long cpuBefore = cpu ? ProcessCpu.nanos() : 0;
    long start = System.nanoTime();
    total[0] += bytes(call);
    total[2] += System.nanoTime() - start;
    total[3] += cpu ? ProcessCpu.nanos() - cpuBefore - cpuOverhead : 0;
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
    return render(steps, whole, wholeBytes, wholeMillis, Double.NaN);
  }

  /** As {@link #render(int, String, long, double)}, with a CPU column when it was counted. */
  List<String> render(int steps, String whole, long wholeBytes, double wholeMillis,
      double wholeCpuMillis) {
    List<String> lines = new ArrayList<>();
    lines.add("| runtime call | calls/step | ms/step | share of step |"
        + (cpu ? " CPU ms/step | share of CPU |" : "") + " bytes/call | KB/step |");
    lines.add("|---|---:|---:|---:|" + (cpu ? "---:|---:|" : "") + "---:|---:|");
    long kernelsBytes = 0;
    double kernelsMillis = 0;
    double kernelsCpu = 0;
    double cpuTotal = 0;
    for (long[] totals : perKernel.values()) {
      cpuTotal += totals[3] / 1e6 / steps;
    }
    for (Map.Entry<String, long[]> entry : perKernel.entrySet()) {
      long bytesPerStep = entry.getValue()[0] / steps;
      long callsPerStep = entry.getValue()[1] / steps;
      double millis = entry.getValue()[2] / 1e6 / steps;
      double cpuMillis = entry.getValue()[3] / 1e6 / steps;
      kernelsBytes += bytesPerStep;
      kernelsMillis += millis;
      kernelsCpu += cpuMillis;
      lines.add(String.format(Locale.ROOT, "| %s | %d | %.3f | %.0f%% |", entry.getKey(),
          callsPerStep, millis, 100 * millis / wholeMillis)
          + (cpu ? String.format(Locale.ROOT, " %.3f | %.0f%% |", cpuMillis,
              100 * cpuMillis / cpuTotal) : "")
          + String.format(Locale.ROOT, " %,d | %.1f |", bytesPerStep / callsPerStep,
              bytesPerStep / 1e3));
    }
    lines.add(String.format(Locale.ROOT, "| **kernels together** | | **%.3f** | %.0f%% |",
        kernelsMillis, 100 * kernelsMillis / wholeMillis)
        + (cpu ? String.format(Locale.ROOT, " **%.3f** | 100%% |", kernelsCpu) : "")
        + String.format(Locale.ROOT, " | **%.1f** |", kernelsBytes / 1e3));
    lines.add(String.format(Locale.ROOT, "| `%s`, whole | 1 | %.3f | 100%% |", whole, wholeMillis)
        + (cpu ? String.format(Locale.ROOT, " %.3f | |", wholeCpuMillis) : "")
        + String.format(Locale.ROOT, " %,d | %.1f |", wholeBytes, wholeBytes / 1e3));
    lines.add("");
    lines.add("Means over " + steps + " replayed steps and " + steps + " steps of the generated model."
        + (cpu ? " CPU: the process's CPU time over all its threads (native ones too) during the"
            + " call, less the time reading the counters takes." : ""));
    return lines;
  }
}
