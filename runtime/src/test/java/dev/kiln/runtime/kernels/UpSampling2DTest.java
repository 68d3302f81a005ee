package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.FORWARD_TOLERANCE;
import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class UpSampling2DTest {

  private static final int N = 2;
  private static final int H = 3;
  private static final int W = 4;
  private static final int C = 3;

  /** {@code out[b, i, j, c] = x[b, i / sizeHeight, j / sizeWidth, c]}. */
  private static double[] reference(double[] x, int sizeHeight, int sizeWidth) {
    int oh = H * sizeHeight;
    int ow = W * sizeWidth;
    double[] out = new double[N * oh * ow * C];
    for (int b = 0; b < N; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int ch = 0; ch < C; ch++) {
            out[((b * oh + i) * ow + j) * C + ch] =
                x[((b * H + i / sizeHeight) * W + j / sizeWidth) * C + ch];
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "size {0} x {1}")
  @CsvSource({"2, 2", "3, 1", "1, 2", "2, 3"})
  void forwardMatchesLoops(int sizeHeight, int sizeWidth) {
    INDArray x = RandomArrays.uniform(1, N, H, W, C);
    INDArray out = nans(N, H * sizeHeight, W * sizeWidth, C);
    UpSampling2D.forward(x, sizeHeight, sizeWidth, out);
    assertAllClose(reference(values(x), sizeHeight, sizeWidth), out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest(name = "size {0} x {1}")
  @CsvSource({"2, 2", "3, 1", "1, 2", "2, 3"})
  void backwardMatchesFiniteDifferences(int sizeHeight, int sizeWidth) {
    INDArray x = RandomArrays.uniform(2, N, H, W, C);
    INDArray r = RandomArrays.uniform(3, N, H * sizeHeight, W * sizeWidth, C);
    INDArray out = nansLike(r);
    INDArray dx = nansLike(x);
    UpSampling2D.backward(r, sizeHeight, sizeWidth, dx);
    assertGradient(
        "dx", () -> UpSampling2D.forward(x, sizeHeight, sizeWidth, out), out, r, x, dx);
  }

  @ParameterizedTest(name = "size {0} x {1}")
  @CsvSource({"2, 2", "2, 3"})
  void float32ForwardAgreesWithFloat64(int sizeHeight, int sizeWidth) {
    INDArray x = RandomArrays.uniform(4, N, H, W, C);
    INDArray out64 = nans(N, H * sizeHeight, W * sizeWidth, C);
    UpSampling2D.forward(x, sizeHeight, sizeWidth, out64);
    INDArray out32 = nansLike(out64).castTo(DataType.FLOAT);
    UpSampling2D.forward(x.castTo(DataType.FLOAT), sizeHeight, sizeWidth, out32);
    assertCloseToFloat64(out64, out32, "out");
  }

  @ParameterizedTest(name = "size {0} x {1}")
  @CsvSource({"2, 2", "2, 3"})
  void repeatedCallsAllocateNothing(int sizeHeight, int sizeWidth) {
    INDArray x = RandomArrays.uniform(5, N, H, W, C);
    INDArray out = nans(N, H * sizeHeight, W * sizeWidth, C);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          UpSampling2D.forward(x, sizeHeight, sizeWidth, out);
          UpSampling2D.backward(out, sizeHeight, sizeWidth, dx);
        });
  }

  @Test
  void backwardRefusesSizesThatDoNotMatchTheShapes() {
    INDArray dOut = RandomArrays.uniform(6, N, H * 2, W * 2, C);
    INDArray dx = nans(N, H, W, C);
    assertThrows(IllegalArgumentException.class, () -> UpSampling2D.backward(dOut, 2, 1, dx));
  }

  @Test
  void nullInputGradientIsSkipped() {
    UpSampling2D.backward(RandomArrays.uniform(7, 2, 4, 6, 3), 2, 3, null);
  }
}
