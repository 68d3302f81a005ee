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
import org.nd4j.linalg.indexing.NDArrayIndex;

class FlattenTest {

  @Test
  void forwardLaysOutEachImageChannelsLast() {
    INDArray x = RandomArrays.uniform(1, 2, 3, 4, 5);
    INDArray out = nans(2, 60);
    Flatten.forward(x, out);
    double[] expected = new double[2 * 60];
    for (int n = 0; n < 2; n++) {
      for (int h = 0; h < 3; h++) {
        for (int w = 0; w < 4; w++) {
          for (int c = 0; c < 5; c++) {
            // Keras flattens (h, w, c) with the channel fastest.
            expected[n * 60 + (h * 4 + w) * 5 + c] = x.getDouble(n, h, w, c);
          }
        }
      }
    }
    assertValues(expected, out, "flattened");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    INDArray x = RandomArrays.uniform(2, 3, 2, 2, 3);
    INDArray out = nans(3, 12);
    INDArray r = RandomArrays.uniform(3, 3, 12);
    INDArray dx = nansLike(x);
    Flatten.forward(x, out);
    Flatten.backward(r, dx);
    assertGradient("dx", () -> Flatten.forward(x, out), out, r, x, dx);
  }

  @Test
  void nullInputGradientIsSkipped() {
    Flatten.backward(RandomArrays.uniform(4, 2, 6), null);
  }

  @Test
  void rejectsAnOutputOfTheWrongShape() {
    INDArray x = RandomArrays.uniform(5, 2, 3, 4);
    assertThrows(IllegalArgumentException.class, () -> Flatten.forward(x, nans(2, 11)));
    assertThrows(IllegalArgumentException.class, () -> Flatten.forward(x, nans(3, 8)));
  }

  @Test
  void forwardWritesThroughAStridedOutput() {
    // Every other column of a wider array: splitting its axis is still a view, so this works.
    INDArray x = RandomArrays.uniform(6, 2, 3, 2);
    INDArray wide = nans(2, 12);
    INDArray strided = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 12));
    Flatten.forward(x, strided);
    double[] expected = new double[12];
    for (int n = 0; n < 2; n++) {
      for (int i = 0; i < 6; i++) {
        expected[n * 6 + i] = x.getDouble(n, i / 2, i % 2);
      }
    }
    assertValues(expected, strided, "strided output");
  }

  @Test
  void backwardRefusesToWriteThroughACopy() {
    // Two of the four columns of each image: (3, 2) cannot be merged into one axis without
    // copying, and writes into that copy would be lost.
    INDArray dx = nans(2, 3, 4).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2));
    assertThrows(RuntimeException.class, () -> Flatten.backward(RandomArrays.uniform(7, 2, 6), dx));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray x = RandomArrays.uniform(8, 4, 3, 3, 2);
    INDArray out = nans(4, 18);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          Flatten.forward(x, out);
          Flatten.backward(out, dx);
        });
  }
}
