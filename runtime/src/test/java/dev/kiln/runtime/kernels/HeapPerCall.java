package dev.kiln.runtime.kernels;

import java.lang.management.ManagementFactory;

/**
 * The Java heap a warmed-up call allocates on the calling thread: what the lanes kernels' heap
 * checks measure, since code in Vector API lanes allocates a heap object per vector operation
 * until C2 has compiled it with the operations inlined (see LstmLanesHeapTest); the checks run it
 * in a fresh JVM ({@link FreshJvm}).
 */
final class HeapPerCall {

  /** How long warm-up and measurements may take at most. */
  private static final long DEADLINE_NANOS = 8_000_000_000L;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private HeapPerCall() {}

  /**
   * Runs {@code call} in rounds of {@code calls} until 5 rounds allocated at most {@code limit}
   * bytes a call, or 8 s have passed; the fewest bytes a call of any round.
   */
  static long fewestBytes(Runnable call, int calls, long limit) {
    long thread = Thread.currentThread().getId();
    long start = System.nanoTime();
    long fewest = Long.MAX_VALUE;
    int underLimit = 0;
    while (underLimit < 5 && System.nanoTime() - start < DEADLINE_NANOS) {
      long before = THREADS.getThreadAllocatedBytes(thread);
      for (int i = 0; i < calls; i++) {
        call.run();
      }
      long perCall = (THREADS.getThreadAllocatedBytes(thread) - before) / calls;
      fewest = Math.min(fewest, perCall);
      underLimit += perCall <= limit ? 1 : 0;
    }
    return fewest;
  }
}
