package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.PlainArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks shared by the tests of the shape, merge, dropout and normalization kernels. */
final class LayerChecks {

  /** Float64 forward passes against plain loops. */
  static final double FORWARD_TOLERANCE = 1e-10;

  /** Analytic against central finite differences, largest relative error. */
  static final double GRADIENT_TOLERANCE = 1e-5;

  /** More than any test array holds, so that every entry is checked. */
  private static final int ALL = 100_000;

  private LayerChecks() {}

  /** A float64 array filled with NaN, so that an entry a kernel fails to write shows. */
  static INDArray nans(long... shape) {
    return Nd4j.zeros(DataType.DOUBLE, shape).assign(Double.NaN);
  }

  /** {@link #nans} shaped like {@code like}. */
  static INDArray nansLike(INDArray like) {
    return nans(like.shape());
  }

  /** Asserts {@code actual} equals the row-major {@code expected} to {@link #FORWARD_TOLERANCE}. */
  static void assertValues(double[] expected, INDArray actual, String what) {
    PlainArrays.assertAllClose(expected, actual, FORWARD_TOLERANCE, what);
  }

  /**
   * Asserts that {@code analytic} is the gradient of {@code sum(out * r)} with respect to {@code
   * parameter}, where {@code forward} writes {@code out} from the current value of {@code
   * parameter}. {@code analytic} must already hold the gradient at the current value.
   */
  static void assertGradient(
      String what, Runnable forward, INDArray out, INDArray r, INDArray parameter, INDArray analytic) {
    double[] weights = PlainArrays.values(r);
    double error =
        FiniteDifferences.maxRelativeError(
            () -> {
              forward.run();
              return PlainArrays.dot(PlainArrays.values(out), weights);
            },
            parameter.reshape('c', true, parameter.length()),
            analytic.dup().reshape(analytic.length()),
            ALL,
            1);
    assertTrue(error < GRADIENT_TOLERANCE, what + ": largest relative error " + error);
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
