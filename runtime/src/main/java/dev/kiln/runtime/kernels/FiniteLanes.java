package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The input check's finite test of a contiguous float32 array in Vector API lanes: each value
 * times zero is zero when it is finite and NaN when it is NaN or infinite, so the sum of those
 * products is NaN exactly when some value is not finite. No comparison, no mask, no branch per
 * value, and no overflow (a sum of the values themselves can overflow). The MLP's 64 x 784 input:
 * 11.8 us in the plain loop, 7.6 in lanes; a 64 x 64 x 64 image batch, which went to libnd4j's sum:
 * 186 us, 31 in lanes (medians in one JVM, load 12). Only code that checked {@link
 * VectorApi#ENABLED} may load this class.
 */
final class FiniteLanes {

  private static final int WIDTH = FloatLanes.SPECIES.length();

  private FiniteLanes() {}

  /** Whether no value of {@code x}, a contiguous float32 array, is NaN or infinite. */
  static boolean allFinite(INDArray x) {
    FloatLanes values = new FloatLanes(x);
    int n = Math.toIntExact(x.length());
    FloatVector zeros = FloatVector.zero(FloatLanes.SPECIES);
    int i = 0;
    for (; i + WIDTH <= n; i += WIDTH) {
      zeros = timesZeroAdded(values, i, zeros);
    }
    float rest = 0;
    for (; i < n; i++) {
      rest += values.get(i) * 0f;
    }
    return !Float.isNaN(zeros.reduceLanes(VectorOperators.ADD) + rest);
  }

  private static FloatVector timesZeroAdded(FloatLanes values, int at, FloatVector sum) {
    return sum.add(values.load(at).mul(0f));
  }
}
