package dev.kiln.runtime.kernels;

import java.lang.reflect.Method;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;

/**
 * Gives the operating system back native memory that libnd4j and oneDNN freed, around large
 * convolutions, once the process has grown by {@link #MARGIN_BYTES} since the last time.
 *
 * <p>Why: glibc raises its mmap threshold to the size of each mapped block freed (up to 32 MB), so
 * after the first large temporary the 16-32 MB copies oneDNN makes of a big image's activations
 * land in malloc's per-thread heaps, which keep them resident once freed, scattered over many
 * heaps. Over the U-Net's first training steps at 256x256 that added 150-250 MB to the peak.
 * {@code malloc_trim} returns them; JavaCPP, which ND4J loads, calls it in its private {@code
 * Pointer.trimMemory}, which this class finds by reflection (without it, nothing happens).
 *
 * <p>Only after growth: a network whose operations free and take the same memory every step (a
 * batch of 64 small images) settles within the margin and is not trimmed again, as each trim
 * would cost page faults when that memory is taken again.
 */
final class FreedNativeMemory {

  /** An operation with an array of at least this many bytes is large. */
  static final long LARGE_BYTES = 16L << 20;

  /** How far the resident set may grow past its size after the last trim before the next. */
  static final long MARGIN_BYTES = 32L << 20;

  private static final Method TRIM = trimMethod();

  /** The resident bytes above which the next trim happens. */
  private static long ceiling;

  private FreedNativeMemory() {}

  /** Whether JavaCPP's {@code malloc_trim} was found; without it {@link #release} does nothing. */
  static boolean available() {
    return TRIM != null;
  }

  /** Trims if {@code op} is large and the process has grown past the margin. */
  static void release(CustomOp op) {
    if (TRIM != null && large(op)) {
      releaseAbove(MARGIN_BYTES);
    }
  }

  /**
   * Trims if the resident set is above the last trim's by more than {@code margin} bytes.
   *
   * @return whether it trimmed
   */
  static synchronized boolean releaseAbove(long margin) {
    if (TRIM == null || Pointer.physicalBytes() <= ceiling) {
      return false;
    }
    try {
      TRIM.invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("JavaCPP's Pointer.trimMemory failed", e);
    }
    ceiling = Pointer.physicalBytes() + margin;
    return true;
  }

  /** Forgets the last trim's ceiling, so that the next call trims: for tests. */
  static synchronized void forgetLastTrim() {
    ceiling = 0;
  }

  private static boolean large(CustomOp op) {
    for (INDArray array : op.inputArguments()) {
      if (bytes(array) >= LARGE_BYTES) {
        return true;
      }
    }
    for (INDArray array : op.outputArguments()) {
      if (bytes(array) >= LARGE_BYTES) {
        return true;
      }
    }
    return false;
  }

  private static long bytes(INDArray array) {
    return array == null ? 0 : array.length() * array.dataType().width();
  }

  private static Method trimMethod() {
    try {
      Method trim = Pointer.class.getDeclaredMethod("trimMemory");
      trim.setAccessible(true);
      return trim;
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Another JavaCPP, or a module system that denies access: the memory stays with malloc.
      return null;
    }
  }
}
