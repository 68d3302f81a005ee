package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.FORWARD_TOLERANCE;
import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;

import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

class GlobalMaxPool2DTest {

  /** Input shapes by index: an odd-sized batch, and a single image with a single channel. */
  private static final long[][] SHAPES = {{2, 7, 6, 3}, {1, 3, 5, 1}};

  /** The largest value of each channel over all rows and columns. */
  private static double[] reference(double[] x, long[] shape) {
    int n = (int) shape[0];
    int cells = (int) (shape[1] * shape[2]);
    int c = (int) shape[3];
    double[] out = new double[n * c];
    Arrays.fill(out, Double.NEGATIVE_INFINITY);
    for (int b = 0; b < n; b++) {
      for (int cell = 0; cell < cells; cell++) {
        for (int ch = 0; ch < c; ch++) {
          out[b * c + ch] = Math.max(out[b * c + ch], x[(b * cells + cell) * c + ch]);
        }
      }
    }
    return out;
  }

  /**
   * TensorFlow's gradient of reduce_max, which Keras' GlobalMaxPooling2D is: each entry of dOut
   * shared equally among the cells that hold its channel's maximum.
   */
  private static double[] referenceGradient(double[] x, double[] dOut, long[] shape) {
    int n = (int) shape[0];
    int cells = (int) (shape[1] * shape[2]);
    int c = (int) shape[3];
    double[] max = reference(x, shape);
    double[] dx = new double[x.length];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        int count = 0;
        for (int cell = 0; cell < cells; cell++) {
          count += x[(b * cells + cell) * c + ch] == max[b * c + ch] ? 1 : 0;
        }
        for (int cell = 0; cell < cells; cell++) {
          int index = (b * cells + cell) * c + ch;
          dx[index] = x[index] == max[b * c + ch] ? dOut[b * c + ch] / count : 0;
        }
      }
    }
    return dx;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void forwardMatchesLoops(int shape) {
    INDArray x = RandomArrays.uniform(1, SHAPES[shape]);
    INDArray out = nans(SHAPES[shape][0], SHAPES[shape][3]);
    GlobalMaxPool2D.forward(x, out);
    assertAllClose(reference(values(x), SHAPES[shape]), out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void backwardMatchesFiniteDifferences(int shape) {
    INDArray x = RandomArrays.uniform(2, SHAPES[shape]);
    INDArray r = RandomArrays.uniform(3, SHAPES[shape][0], SHAPES[shape][3]);
    INDArray out = nansLike(r);
    INDArray dx = nansLike(x);
    GlobalMaxPool2D.backward(x, r, dx);
    assertGradient("dx", () -> GlobalMaxPool2D.forward(x, out), out, r, x, dx);
  }

  /** Finite differences cannot check ties; ReLU outputs tie at 0 all the time. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void tiesShareTheGradientEqually(int shape) {
    // -1, 0 and 1 only: most channels hold their maximum more than once.
    INDArray x = Transforms.round(RandomArrays.uniform(4, SHAPES[shape]).muli(1.4));
    INDArray dOut = RandomArrays.uniform(5, SHAPES[shape][0], SHAPES[shape][3]);
    INDArray dx = nansLike(x);
    GlobalMaxPool2D.backward(x, dOut, dx);
    double[] expected = referenceGradient(values(x), values(dOut), SHAPES[shape]);
    assertAllClose(expected, dx, FORWARD_TOLERANCE, "dx");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void float32ForwardAgreesWithFloat64(int shape) {
    INDArray x = RandomArrays.uniform(6, SHAPES[shape]);
    INDArray out64 = nans(SHAPES[shape][0], SHAPES[shape][3]);
    GlobalMaxPool2D.forward(x, out64);
    INDArray out32 = nansLike(out64).castTo(DataType.FLOAT);
    GlobalMaxPool2D.forward(x.castTo(DataType.FLOAT), out32);
    assertCloseToFloat64(out64, out32, "out");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void repeatedCallsAllocateNothing(int shape) {
    INDArray x = RandomArrays.uniform(7, SHAPES[shape]);
    INDArray out = nans(SHAPES[shape][0], SHAPES[shape][3]);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          GlobalMaxPool2D.forward(x, out);
          GlobalMaxPool2D.backward(x, out, dx);
        });
  }

  @Test
  void nullInputGradientIsSkipped() {
    GlobalMaxPool2D.backward(RandomArrays.uniform(7, 2, 4, 4, 3), RandomArrays.uniform(8, 2, 3), null);
  }
}
