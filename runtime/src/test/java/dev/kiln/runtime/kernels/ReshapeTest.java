package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static dev.kiln.runtime.kernels.LayerChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ReshapeTest {

  @Test
  void forwardKeepsEachSamplesRowMajorOrder() {
    INDArray x = RandomArrays.uniform(1, 2, 3, 4);
    INDArray out = nans(2, 2, 2, 3);
    Reshape.forward(x, out);
    double[] expected = new double[24];
    for (int n = 0; n < 2; n++) {
      for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 2; b++) {
          for (int c = 0; c < 3; c++) {
            // Entry (a, b, c) of the (2, 2, 3) sample is entry a*6 + b*3 + c of the sample,
            // which is (i / 4, i % 4) of the (3, 4) input sample.
            int i = a * 6 + b * 3 + c;
            expected[n * 12 + i] = x.getDouble(n, i / 4, i % 4);
          }
        }
      }
    }
    assertValues(expected, out, "reshaped");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    INDArray x = RandomArrays.uniform(2, 3, 6, 2);
    INDArray out = nans(3, 4, 3);
    INDArray r = RandomArrays.uniform(3, 3, 4, 3);
    INDArray dx = nansLike(x);
    Reshape.forward(x, out);
    Reshape.backward(r, dx);
    assertGradient("dx", () -> Reshape.forward(x, out), out, r, x, dx);
  }

  @Test
  void nullInputGradientIsSkipped() {
    Reshape.backward(RandomArrays.uniform(4, 2, 6), null);
  }

  @Test
  void rejectsADifferentBatchOrSampleSize() {
    INDArray x = RandomArrays.uniform(5, 2, 3, 4);
    assertThrows(IllegalArgumentException.class, () -> Reshape.forward(x, nans(2, 5, 2)));
    // Same total length, but samples would be mixed across the batch.
    assertThrows(IllegalArgumentException.class, () -> Reshape.forward(x, nans(4, 6)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray x = RandomArrays.uniform(7, 4, 6);
    INDArray out = nans(4, 2, 3);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          Reshape.forward(x, out);
          Reshape.backward(out, dx);
        });
  }
}
