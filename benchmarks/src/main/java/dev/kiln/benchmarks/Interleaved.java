package dev.kiln.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Times actions against each other on a shared, noisy machine: in turns of a few runs each, the
 * order rotated each round, so that a burst of load from elsewhere hits all of them rather than
 * whichever happened to run then. Each run is timed on its own; the Java heap allocated by the
 * thread is counted over all runs of each action that runs in this JVM. Between blocks, garbage is
 * collected when this JVM's memory has grown ({@link ResidentMemory}), and the JIT compilers
 * finish what the last block gave them ({@link CompilerQuiet}).
 */
final class Interleaved {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Heap bytes of an action that runs outside this JVM: not counted. */
  static final long NOT_COUNTED = -1;

  /**
   * The runs of one action: durations and the mean heap bytes allocated per run, or
   * {@link #NOT_COUNTED}.
   */
  record Runs(Samples samples, long bytesPerRun) {}

  /** Something that runs a block of timed runs when its turn comes. */
  interface Contender {
    /**
     * Runs {@code runs} times, writing each run's milliseconds into {@code millis} from index
     * {@code from}; returns the heap bytes this thread allocated, or {@link #NOT_COUNTED}.
     */
    long runBlock(double[] millis, int from, int runs);
  }

  private Interleaved() {}

  /** An action of this JVM, timed and its heap counted here. */
  static Contender local(Runnable action) {
    return (millis, from, runs) -> {
      long thread = Thread.currentThread().getId();
      long bytes = 0;
      for (int i = from; i < from + runs; i++) {
        long allocatedBefore = THREADS.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        action.run();
        long end = System.nanoTime();
        bytes += THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
        millis[i] = (end - start) / 1e6;
      }
      return bytes;
    };
  }

  /**
   * Warms each contender up, one after the other: {@code runs} runs, then more for {@code
   * moreNanos}. A few runs leave Java code interpreted or compiled by C1, where Vector API code
   * allocates a heap object per vector operation: Kiln's MLP took 5 to 40 steps, tens of
   * milliseconds and megabytes of heap each, before C2 had compiled its lanes, and its first 3
   * steps alone took over a second (so the time must count after them). Returns the mean
   * nanoseconds of a run of the slowest contender in the timed part of the warm-up, or 0 without
   * one.
   */
  static double warmUp(List<Contender> contenders, int runs, long moreNanos) {
    double[] millis = new double[1];
    double slowest = 0;
    for (Contender contender : contenders) {
      for (int i = 0; i < runs; i++) {
        contender.runBlock(millis, 0, 1);
        ResidentMemory.collectIfGrown();
      }
      long start = System.nanoTime();
      int more = 0;
      while (System.nanoTime() - start < moreNanos) {
        contender.runBlock(millis, 0, 1);
        ResidentMemory.collectIfGrown();
        more++;
      }
      if (more > 0) {
        slowest = Math.max(slowest, (System.nanoTime() - start) / (double) more);
      }
      CompilerQuiet.await();
    }
    return slowest;
  }

  /**
   * How many timed runs each contender makes: at least {@code fewest}, and more where the slowest
   * contender's run takes {@code slowestNanos}, so that its runs fill {@link #TIMED_NANOS}, up to
   * {@link #MOST_RUNS}. The median of 20 runs of a prediction that takes half a millisecond moved
   * by a third from one run of the benchmark to the next (PyTorch's MLP prediction: 0.63, 0.65
   * and 0.92 ms in three runs within ten minutes).
   */
  static int runs(int fewest, double slowestNanos) {
    if (slowestNanos <= 0) {
      return fewest;
    }
    long filling = (long) Math.ceil(TIMED_NANOS / slowestNanos);
    return (int) Math.max(fewest, Math.min(MOST_RUNS, filling));
  }

  /** The time the slowest contender's timed runs take at least, where {@link #runs} adds runs. */
  static final double TIMED_NANOS = 1e9;

  /** The most timed runs {@link #runs} asks for. */
  static final int MOST_RUNS = 1000;

  /** Runs each contender {@code count} times, taking turns in blocks of {@code block}. */
  static List<Runs> time(List<Contender> contenders, int count, int block) {
    int n = contenders.size();
    double[][] millis = new double[n][count];
    long[] bytes = new long[n];
    int done = 0;
    for (int round = 0; done < count; round++) {
      int runs = Math.min(block, count - done);
      for (int turn = 0; turn < n; turn++) {
        // Two contenders alternate who goes first; more rotate.
        int which = (round + turn) % n;
        long allocated = contenders.get(which).runBlock(millis[which], done, runs);
        bytes[which] = allocated == NOT_COUNTED || bytes[which] == NOT_COUNTED
            ? NOT_COUNTED : bytes[which] + allocated;
        ResidentMemory.collectIfGrown();
        CompilerQuiet.await();
      }
      done += runs;
    }
    List<Runs> result = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      result.add(new Runs(new Samples(millis[i]), bytes[i] == NOT_COUNTED ? NOT_COUNTED : bytes[i] / count));
    }
    return result;
  }
}
