package dev.kiln.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * Times two actions against each other on a shared, noisy machine: in alternating blocks of a few
 * runs, the order swapped each round, so that a burst of load from elsewhere hits both rather
 * than whichever happened to run then. Each run is timed on its own; the Java heap allocated by
 * the thread is counted over all runs of each action.
 */
final class Interleaved {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** The runs of one action: durations and the mean heap bytes allocated per run. */
  record Runs(Samples samples, long bytesPerRun) {}

  /** Both actions' runs. */
  record Pair(Runs first, Runs second) {}

  private Interleaved() {}

  /** Runs each action {@code count} times, alternating in blocks of {@code block}. */
  static Pair time(Runnable first, Runnable second, int count, int block) {
    double[] firstMillis = new double[count];
    double[] secondMillis = new double[count];
    long[] firstBytes = {0};
    long[] secondBytes = {0};
    int done = 0;
    for (int round = 0; done < count; round++) {
      int runs = Math.min(block, count - done);
      if (round % 2 == 0) {
        runBlock(first, firstMillis, done, runs, firstBytes);
        runBlock(second, secondMillis, done, runs, secondBytes);
      } else {
        runBlock(second, secondMillis, done, runs, secondBytes);
        runBlock(first, firstMillis, done, runs, firstBytes);
      }
      done += runs;
    }
    return new Pair(
        new Runs(new Samples(firstMillis), firstBytes[0] / count),
        new Runs(new Samples(secondMillis), secondBytes[0] / count));
  }

  private static void runBlock(Runnable action, double[] millis, int from, int runs, long[] bytes) {
    long thread = Thread.currentThread().getId();
    for (int i = from; i < from + runs; i++) {
      long allocatedBefore = THREADS.getThreadAllocatedBytes(thread);
      long start = System.nanoTime();
      action.run();
      long end = System.nanoTime();
      bytes[0] += THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
      millis[i] = (end - start) / 1e6;
    }
  }
}
