package dev.kiln.runtime.kernels;

import java.lang.management.ManagementFactory;

/**
 * How much of a call one lanes kernel may run in Vector API lanes: all of it while its lanes run
 * without touching the heap, else only the first {@link #COLD_ELEMENTS} elements, the rest going
 * to the kernel's plain loop, which gives the same bits.
 *
 * <p>Why: until C2 has compiled a kernel's lanes, and wherever C2 leaves a method that takes or
 * returns a vector out of line, every vector operation allocates an object. Adam's first two steps
 * over the U-Net's 7.8 million parameters, interpreted, allocated 940 MB, which the JVM took in
 * Java heap before its first collections (the U-Net's peak at batch 1: 1,634 MB with the lanes,
 * 1,370 without). With the gate a cold call allocates at most a bounded chunk's garbage, and that
 * chunk, run a vector per call of the kernel's lanes method, brings C2 to compile that method
 * within a few kernel calls. The gate measures, around each call's lanes, the bytes its
 * thread allocated ({@code com.sun.management.ThreadMXBean}); in a JVM without that measure the
 * lanes run whole, as before.
 *
 * <p>Use: {@code int end = gate.lanesEnd(from, to); long mark = gate.start();}, the lanes over
 * {@code [from, end)}, {@code gate.finish(mark, ran);} ({@code ran}: whether a vector ran), then
 * the plain loop from where the lanes stopped. The two reads of the thread's allocated bytes cost
 * some 100 ns a call. Only kernels whose lanes give exactly the plain loop's values may take a
 * gate: which elements go which way depends on the JIT compiler's progress.
 */
public final class LanesGate {

  /**
   * Elements a cold call runs in lanes: about 1.5 MB of garbage interpreted. Enough calls of the
   * lanes method that C2 compiles it within a few kernel calls: with 1,024 elements, Adam, run
   * once a step, stayed cold through the benchmark's 25 warm-up steps of CnnFlat (49 ms a step
   * became 58-76, with 0.5-0.8 MB of heap a step).
   */
  public static final int COLD_ELEMENTS = 16384;

  private static final com.sun.management.ThreadMXBean THREADS = threadAllocations();

  /** Tests only: null lets each gate measure; true lets every call through whole; false, cold. */
  private static volatile Boolean forced;

  private final String kernel;

  /** The most elements a cold run may take: {@link #COLD_ELEMENTS} times the gate's growth. */
  private final int mostColdElements;

  /** Whether the last lanes run allocated nothing; read and written by both threads of a call. */
  private volatile boolean clean = THREADS == null;

  /** Elements the next cold run takes in lanes. */
  private volatile int coldElements = COLD_ELEMENTS;

  /** A gate for {@code kernel}, cold: its first calls run a chunk in lanes. */
  public LanesGate(String kernel) {
    this(kernel, 1);
  }

  /**
   * A gate whose chunk doubles after each lanes run that allocated, up to {@code growth} times
   * {@link #COLD_ELEMENTS}: for kernels that do much arithmetic per element, whose methods a
   * chunk of {@link #COLD_ELEMENTS} calls too few times for C2 to compile them soon (a small
   * convolution's, {@code SmallConvLanes}), while the first calls, all that a short run such as
   * the benchmark's memory probe makes, still take a small chunk.
   */
  public LanesGate(String kernel, int growth) {
    if (growth < 1) {
      throw new IllegalArgumentException("a lanes gate's growth must be at least 1, got " + growth);
    }
    this.kernel = kernel;
    this.mostColdElements = COLD_ELEMENTS * growth;
  }

  /** Where this call's lanes over {@code [from, to)} stop: at {@code to} once they run clean. */
  public int lanesEnd(int from, int to) {
    return whole() ? to : Math.min(to, from + coldElements);
  }

  /**
   * Where this call's lanes over items {@code [from, to)} (rows, windows) of {@code elements} each
   * stop: at {@code to} once they run clean, else after a chunk's worth ({@link #COLD_ELEMENTS},
   * or more for a growing gate), one at least.
   */
  public int lanesEnd(int from, int to, int elements) {
    return whole() ? to : Math.min(to, from + Math.max(1, coldElements / Math.max(1, elements)));
  }

  /** The current thread's allocated bytes, to pass to {@link #finish} after the lanes. */
  public long start() {
    return THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
  }

  /**
   * Records whether the lanes since {@code start} allocated anything; a call whose lanes ran
   * nothing ({@code ran} false) tells nothing.
   */
  public void finish(long start, boolean ran) {
    if (THREADS != null && ran) {
      clean = THREADS.getCurrentThreadAllocatedBytes() == start;
      if (!clean && coldElements < mostColdElements) {
        coldElements = Math.min(2 * coldElements, mostColdElements);
      }
    }
  }

  /** Whether the last lanes run allocated nothing. */
  public boolean warm() {
    return clean;
  }

  /** Whether the next call runs whole in lanes: when warm, unless a test forced otherwise. */
  public boolean whole() {
    Boolean force = forced;
    return force == null ? clean : force;
  }

  /**
   * Tests only: {@code true} lets every gate's calls through whole (to compare lanes and loops over
   * whole arrays), {@code false} keeps every gate cold (to test the chunk and the loop after it),
   * {@code null} lets each gate measure again.
   */
  public static void force(Boolean whole) {
    forced = whole;
  }

  @Override
  public String toString() {
    return kernel + (clean ? " lanes (warm)" : " lanes (cold: a chunk, then the plain loop)");
  }

  private static com.sun.management.ThreadMXBean threadAllocations() {
    try {
      if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
          && threads.isThreadAllocatedMemorySupported()
          && threads.isThreadAllocatedMemoryEnabled()) {
        return threads;
      }
    } catch (RuntimeException | LinkageError e) {
      // No management module in this runtime image: the lanes run whole.
    }
    return null;
  }
}
