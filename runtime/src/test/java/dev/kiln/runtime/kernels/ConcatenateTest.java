package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.LayerChecks.assertGradient;
import static dev.kiln.runtime.kernels.LayerChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.LayerChecks.assertValues;
import static dev.kiln.runtime.kernels.LayerChecks.nans;
import static dev.kiln.runtime.kernels.LayerChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ConcatenateTest {

  @Test
  void joinsThreeMatricesAlongAxis1() {
    INDArray a = RandomArrays.uniform(1, 3, 2);
    INDArray b = RandomArrays.uniform(2, 3, 4);
    INDArray c = RandomArrays.uniform(3, 3, 1);
    INDArray out = nans(3, 7);
    Concatenate.forward(1, out, a, b, c);
    double[] expected = new double[21];
    for (int row = 0; row < 3; row++) {
      for (int j = 0; j < 7; j++) {
        expected[row * 7 + j] =
            j < 2 ? a.getDouble(row, j) : j < 6 ? b.getDouble(row, j - 2) : c.getDouble(row, 0);
      }
    }
    assertValues(expected, out, "joined");
  }

  @Test
  void stridedViewsAndFloat32GiveWhatContiguousFloat64Gives() {
    // Contiguous arrays take bulk copies; a strided view takes libnd4j's concat and assign.
    INDArray wide = RandomArrays.uniform(4, 3, 2, 5);
    INDArray strided = wide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
    INDArray b = RandomArrays.uniform(5, 3, 2, 4);
    INDArray expected = nans(3, 2, 6);
    Concatenate.forward(2, expected, strided.dup(), b);
    INDArray fromView = nans(3, 2, 6);
    Concatenate.forward(2, fromView, strided, b);
    assertEquals(expected, fromView, "a strided input");
    INDArray floats = nans(3, 2, 6).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    Concatenate.forward(2, floats, strided.castTo(floats.dataType()), b.castTo(floats.dataType()));
    assertEquals(expected.castTo(floats.dataType()), floats, "float32");

    INDArray dStrided = wide.dup().assign(Double.NaN).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
    INDArray dB = nansLike(b);
    Concatenate.backward(2, expected, dStrided, dB);
    assertEquals(strided, dStrided, "the gradient slice into a strided view");
    assertEquals(b, dB, "the gradient slice into a contiguous array");
  }

  @Test
  void joinsThreeImagesAlongTheChannelAxis() {
    INDArray a = RandomArrays.uniform(4, 2, 3, 4, 1);
    INDArray b = RandomArrays.uniform(5, 2, 3, 4, 2);
    INDArray c = RandomArrays.uniform(6, 2, 3, 4, 3);
    INDArray out = nans(2, 3, 4, 6);
    Concatenate.forward(3, out, a, b, c);
    double[] expected = new double[2 * 3 * 4 * 6];
    for (int n = 0; n < 2; n++) {
      for (int h = 0; h < 3; h++) {
        for (int w = 0; w < 4; w++) {
          for (int k = 0; k < 6; k++) {
            double value =
                k < 1 ? a.getDouble(n, h, w, k)
                    : k < 3 ? b.getDouble(n, h, w, k - 1) : c.getDouble(n, h, w, k - 3);
            expected[((n * 3 + h) * 4 + w) * 6 + k] = value;
          }
        }
      }
    }
    assertValues(expected, out, "joined");
  }

  @Test
  void joinsTwoImagesAlongTheRowAxis() {
    INDArray a = RandomArrays.uniform(7, 2, 1, 3, 2);
    INDArray b = RandomArrays.uniform(8, 2, 2, 3, 2);
    INDArray out = nans(2, 3, 3, 2);
    Concatenate.forward(1, out, a, b);
    double[] expected = new double[2 * 3 * 3 * 2];
    for (int n = 0; n < 2; n++) {
      for (int h = 0; h < 3; h++) {
        for (int w = 0; w < 3; w++) {
          for (int k = 0; k < 2; k++) {
            expected[((n * 3 + h) * 3 + w) * 2 + k] =
                h < 1 ? a.getDouble(n, h, w, k) : b.getDouble(n, h - 1, w, k);
          }
        }
      }
    }
    assertValues(expected, out, "joined");
  }

  @Test
  void backwardMatchesFiniteDifferencesOnAxis1() {
    INDArray[] inputs = {
      RandomArrays.uniform(9, 3, 2), RandomArrays.uniform(10, 3, 4), RandomArrays.uniform(11, 3, 1)
    };
    assertGradients(1, nans(3, 7), inputs, RandomArrays.uniform(12, 3, 7));
  }

  @Test
  void backwardMatchesFiniteDifferencesOnAxis3() {
    INDArray[] inputs = {
      RandomArrays.uniform(13, 2, 2, 3, 1),
      RandomArrays.uniform(14, 2, 2, 3, 2),
      RandomArrays.uniform(15, 2, 2, 3, 3)
    };
    assertGradients(3, nans(2, 2, 3, 6), inputs, RandomArrays.uniform(16, 2, 2, 3, 6));
  }

  @Test
  void nullGradientsAreSkippedAndTheOthersPlacedFromEitherEnd() {
    INDArray dOut = RandomArrays.uniform(17, 2, 7);
    double[][] slices = {columns(dOut, 0, 2), columns(dOut, 2, 6), columns(dOut, 6, 7)};
    long[][] shapes = {{2, 2}, {2, 4}, {2, 1}};
    for (int missing = 0; missing < 3; missing++) {
      INDArray[] dInputs = new INDArray[3];
      for (int i = 0; i < 3; i++) {
        dInputs[i] = i == missing ? null : nans(shapes[i]);
      }
      Concatenate.backward(1, dOut, dInputs);
      for (int i = 0; i < 3; i++) {
        if (i != missing) {
          assertValues(slices[i], dInputs[i], "input " + i + " without gradient " + missing);
        }
      }
    }
  }

  @Test
  void withSizesAGradientBetweenTwoMissingOnesIsPlaced() {
    INDArray dOut = RandomArrays.uniform(19, 2, 7);
    INDArray middle = nans(2, 4);
    Concatenate.backwardWithSizes(1, dOut, new long[] {2, 4, 1}, null, middle, null);
    for (int row = 0; row < 2; row++) {
      for (int column = 0; column < 4; column++) {
        assertEquals(dOut.getDouble(row, 2 + column), middle.getDouble(row, column), 0.0);
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> Concatenate.backwardWithSizes(1, dOut, new long[] {2, 4, 2}, null, middle, null));
  }

  @Test
  void aGradientBetweenTwoMissingOnesCannotBePlaced() {
    INDArray dOut = RandomArrays.uniform(18, 2, 7);
    assertThrows(
        IllegalArgumentException.class, () -> Concatenate.backward(1, dOut, null, nans(2, 4), null));
  }

  @Test
  void rejectsInconsistentShapes() {
    INDArray a = RandomArrays.uniform(19, 3, 2);
    INDArray b = RandomArrays.uniform(20, 3, 4);
    assertThrows(IllegalArgumentException.class, () -> Concatenate.forward(1, nans(3, 7), a, b));
    assertThrows(
        IllegalArgumentException.class,
        () -> Concatenate.forward(1, nans(3, 6), a, RandomArrays.uniform(21, 2, 4)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Concatenate.backward(1, RandomArrays.uniform(22, 3, 7), nans(3, 2), nans(3, 4)));
  }

  @Test
  void repeatedCallsAllocateNothing() {
    INDArray a = RandomArrays.uniform(23, 2, 3, 3, 2);
    INDArray b = RandomArrays.uniform(24, 2, 3, 3, 5);
    INDArray out = nans(2, 3, 3, 7);
    INDArray dA = nansLike(a);
    INDArray dB = nansLike(b);
    assertNoSteadyStateAllocation(
        () -> {
          Concatenate.forward(3, out, a, b);
          Concatenate.backward(3, out, dA, dB);
          Concatenate.backward(3, out, null, dB);
        });
  }

  private static void assertGradients(int axis, INDArray out, INDArray[] inputs, INDArray r) {
    INDArray[] dInputs = new INDArray[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      dInputs[i] = nansLike(inputs[i]);
    }
    Concatenate.forward(axis, out, inputs);
    Concatenate.backward(axis, r, dInputs);
    for (int i = 0; i < inputs.length; i++) {
      assertGradient(
          "input " + i, () -> Concatenate.forward(axis, out, inputs), out, r, inputs[i], dInputs[i]);
    }
  }

  /** Columns {@code from} to {@code to} of a matrix, row-major. */
  private static double[] columns(INDArray matrix, int from, int to) {
    int rows = (int) matrix.size(0);
    double[] values = new double[rows * (to - from)];
    for (int row = 0; row < rows; row++) {
      for (int j = from; j < to; j++) {
        values[row * (to - from) + j - from] = matrix.getDouble(row, j);
      }
    }
    return values;
  }
}
