package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.PlainArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks shared by the window kernels' tests. */
final class KernelChecks {

  /** Float64 forward passes against plain loops. */
  static final double FORWARD_TOLERANCE = 1e-10;

  /** Analytic against central finite differences, largest relative error. */
  static final double GRADIENT_TOLERANCE = 1e-5;

  /** Float32 against float64 forward, largest difference over the largest float64 value. */
  static final double FLOAT32_TOLERANCE = 1e-5;

  /** More than any test array holds, so that every entry is checked. */
  private static final int ALL = 100_000;

  private KernelChecks() {}

  /** A float64 array of {@code shape} filled with NaN: an entry a kernel fails to write shows. */
  static INDArray nans(long... shape) {
    return Nd4j.zeros(DataType.DOUBLE, shape).assign(Double.NaN);
  }

  /** {@code nans} shaped like {@code like}, in its data type. */
  static INDArray nansLike(INDArray like) {
    return Nd4j.zeros(like.dataType(), like.shape()).assign(Double.NaN);
  }

  /**
   * Asserts that {@code analytic} is the gradient of {@code sum(out * r)} with respect to {@code
   * parameter}, where {@code forward} writes {@code out} from the current value of {@code
   * parameter}.
   */
  static void assertGradient(
      String what, Runnable forward, INDArray out, INDArray r,
      INDArray parameter, INDArray analytic) {
    double[] weights = PlainArrays.values(r);
    double error =
        FiniteDifferences.maxRelativeError(
            () -> {
              forward.run();
              return PlainArrays.dot(PlainArrays.values(out), weights);
            },
            parameter,
            analytic.dup(),
            ALL,
            1);
    assertTrue(error < GRADIENT_TOLERANCE, what + ": largest relative error " + error);
  }

  /** Asserts that {@code float32} is {@code float64} up to float32 rounding. */
  static void assertCloseToFloat64(INDArray float64, INDArray float32, String what) {
    assertEquals(DataType.FLOAT, float32.dataType(), what + ": data type");
    double[] expected = PlainArrays.values(float64);
    double[] actual = PlainArrays.values(float32);
    double scale = 0;
    for (double value : expected) {
      scale = Math.max(scale, Math.abs(value));
    }
    assertTrue(scale > 0, what + ": all zero");
    PlainArrays.assertAllClose(expected, actual, FLOAT32_TOLERANCE * scale, what);
  }

  /**
   * Runs {@code step} once, then three more times, and asserts that the later runs create no
   * arrays through {@link NdArrays}.
   */
  static void assertNoSteadyStateAllocation(Runnable step) {
    step.run();
    long before = NdArrays.created();
    for (int i = 0; i < 3; i++) {
      step.run();
    }
    assertEquals(before, NdArrays.created(), "arrays created after the first call");
  }
}
