package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j hands float32 convolutions to oneDNN when the backend build has it (the default,
 * {@code linux-x86_64-onednn}, about 50 times faster). Its oneDNN glue in 1.0.0-M2.1 fails on
 * dilated windows and computes wrong values for strided views of the input, so those calls run on
 * libnd4j's own code. (It also failed on every float32 {@code lstmLayer} call, which Kiln no
 * longer makes.) The switch is global to the process, so it is counted: it stays off while any
 * thread needs it off.
 */
final class OneDnn {

  private static final Object LOCK = new Object();
  private static int bypassing;
  private static boolean allowedBefore;

  private OneDnn() {}

  /** Whether oneDNN's glue gets this convolution wrong. */
  static boolean mishandles(Window window, INDArray... arrays) {
    if (window.dilationHeight() > 1 || window.dilationWidth() > 1) {
      return true;
    }
    for (INDArray array : arrays) {
      if (array != null && (array.ordering() != 'c' || array.elementWiseStride() != 1)) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code op}, without oneDNN when {@code bypass} is set. */
  static void exec(CustomOp op, boolean bypass) {
    // Before: what smaller ops freed is not resident under this one's copies; after: nor its own.
    FreedNativeMemory.release(op);
    try {
      execHelped(op, bypass);
    } finally {
      FreedNativeMemory.release(op);
    }
  }

  private static void execHelped(CustomOp op, boolean bypass) {
    if (!bypass) {
      Nd4j.exec(op);
      return;
    }
    synchronized (LOCK) {
      if (bypassing++ == 0) {
        allowedBefore = Nd4j.getEnvironment().helpersAllowed();
        Nd4j.getEnvironment().allowHelpers(false);
      }
    }
    try {
      Nd4j.exec(op);
    } finally {
      synchronized (LOCK) {
        if (--bypassing == 0) {
          Nd4j.getEnvironment().allowHelpers(allowedBefore);
        }
      }
    }
  }
}
