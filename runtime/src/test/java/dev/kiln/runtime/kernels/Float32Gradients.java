package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.PlainArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences of float32 kernels, for their own paths (Vector API lanes, float
 * loops) rather than through float64: {@code sum(out * r)} summed in float64 from the float32
 * outputs, a step of {@link #STEP} (float32 rounding of the outputs, about 6e-8 of them, would
 * swamp float64's 1e-6 step), and the error measured against the largest analytic entry of the
 * array, as float32 rounding is.
 */
final class Float32Gradients {

  /** The step: its truncation error (h^2 f''' / 6) and the outputs' rounding over 2h both near 1e-5. */
  static final double STEP = 1e-2;

  /** The largest difference allowed, as a share of the array's largest gradient entry. */
  static final double TOLERANCE = 2e-3;

  /** Entries checked per array at most, evenly spread: each costs two forward passes. */
  static final int ENTRIES = 40;

  private Float32Gradients() {}

  /**
   * Asserts that {@code analytic} is the gradient of {@code sum(out * r)} with respect to the
   * float32 {@code parameter}, where {@code forward} writes {@code out} from it: at every entry of
   * a small array, at {@link #ENTRIES} evenly spread ones of a larger one.
   */
  static void assertGradient(String what, Runnable forward, INDArray out, INDArray r,
      INDArray parameter, INDArray analytic) {
    assertEquals(DataType.FLOAT, parameter.dataType(), what + ": a float32 parameter");
    double[] weights = PlainArrays.values(r);
    double[] expected = PlainArrays.values(analytic);
    double scale = 0;
    for (double value : expected) {
      scale = Math.max(scale, Math.abs(value));
    }
    assertTrue(scale > 0, what + ": an all-zero gradient checks nothing");
    double worst = 0;
    long worstAt = 0;
    long stride = Math.max(1, parameter.length() / ENTRIES);
    for (long i = 0; i < parameter.length(); i += stride) {
      float original = parameter.getFloat(i);
      float above = (float) (original + STEP);
      float below = (float) (original - STEP);
      parameter.putScalar(i, above);
      forward.run();
      double plus = PlainArrays.dot(PlainArrays.values(out), weights);
      parameter.putScalar(i, below);
      forward.run();
      double minus = PlainArrays.dot(PlainArrays.values(out), weights);
      parameter.putScalar(i, original);
      double numeric = (plus - minus) / ((double) above - below);
      double error = Math.abs(numeric - expected[(int) i]) / scale;
      if (error > worst) {
        worst = error;
        worstAt = i;
      }
    }
    forward.run();
    assertTrue(worst <= TOLERANCE, what + ": float32 gradient off finite differences by " + worst
        + " of its largest entry, at entry " + worstAt);
  }
}
