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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class GlobalAveragePooling2DTest {

  /** Input shapes by index: an odd-sized batch, and a single image with a single channel. */
  private static final long[][] SHAPES = {{2, 7, 6, 3}, {1, 3, 5, 1}};

  /** The mean of each channel over all rows and columns. */
  private static double[] reference(double[] x, long[] shape) {
    int n = (int) shape[0];
    int cells = (int) (shape[1] * shape[2]);
    int c = (int) shape[3];
    double[] out = new double[n * c];
    for (int b = 0; b < n; b++) {
      for (int cell = 0; cell < cells; cell++) {
        for (int ch = 0; ch < c; ch++) {
          out[b * c + ch] += x[(b * cells + cell) * c + ch];
        }
      }
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= cells;
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void forwardMatchesLoops(int shape) {
    INDArray x = RandomArrays.uniform(1, SHAPES[shape]);
    INDArray out = nans(SHAPES[shape][0], SHAPES[shape][3]);
    GlobalAveragePooling2D.forward(x, out);
    assertAllClose(reference(values(x), SHAPES[shape]), out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void backwardMatchesFiniteDifferences(int shape) {
    INDArray x = RandomArrays.uniform(2, SHAPES[shape]);
    INDArray r = RandomArrays.uniform(3, SHAPES[shape][0], SHAPES[shape][3]);
    INDArray out = nansLike(r);
    INDArray dx = nansLike(x);
    GlobalAveragePooling2D.backward(r, dx);
    assertGradient("dx", () -> GlobalAveragePooling2D.forward(x, out), out, r, x, dx);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void float32ForwardAgreesWithFloat64(int shape) {
    INDArray x = RandomArrays.uniform(4, SHAPES[shape]);
    INDArray out64 = nans(SHAPES[shape][0], SHAPES[shape][3]);
    GlobalAveragePooling2D.forward(x, out64);
    INDArray out32 = nansLike(out64).castTo(DataType.FLOAT);
    GlobalAveragePooling2D.forward(x.castTo(DataType.FLOAT), out32);
    assertCloseToFloat64(out64, out32, "out");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void repeatedCallsAllocateNothing(int shape) {
    INDArray x = RandomArrays.uniform(5, SHAPES[shape]);
    INDArray out = nans(SHAPES[shape][0], SHAPES[shape][3]);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          GlobalAveragePooling2D.forward(x, out);
          GlobalAveragePooling2D.backward(out, dx);
        });
  }

  @Test
  void nullInputGradientIsSkipped() {
    GlobalAveragePooling2D.backward(RandomArrays.uniform(7, 2, 3), null);
  }
}
