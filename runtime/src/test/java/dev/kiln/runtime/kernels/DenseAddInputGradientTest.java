package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Dense#addInputGradient}: {@code dx + dOut . kernel^T} written into {@code dx}, against
 * plain loops in float64, on the calling thread's small products and libnd4j's larger ones, in
 * float64 and float32, on a matrix and on a rank-3 input.
 */
class DenseAddInputGradientTest {

  @Test
  void addsTheProductToWhatTheGradientHolds() {
    check(new long[] {5, 3}, 4, DataType.DOUBLE, 1e-12);
    check(new long[] {2, 3, 4}, 5, DataType.DOUBLE, 1e-12);
    check(new long[] {5, 3}, 4, DataType.FLOAT, 1e-5);
  }

  @Test
  void addsOnTheLargeProductsLibnd4jRuns() {
    // 4096 x 512 x 128 multiply-adds: past CallerBlas' limit, a bound libnd4j matmul with beta 1.
    check(new long[] {8, 512, 128}, 512, DataType.FLOAT, 1e-3);
  }

  @Test
  void twoCallsAddTwice() {
    INDArray dOut = RandomArrays.uniform(1, 6, 4);
    INDArray kernel = RandomArrays.uniform(2, 3, 4);
    INDArray dx = RandomArrays.uniform(3, 6, 3);
    double[] before = values(dx);
    double[] product = expected(new double[before.length], values(dOut), values(kernel), 6, 3, 4);
    Dense.addInputGradient(dOut, kernel, dx);
    Dense.addInputGradient(dOut, kernel, dx);
    double[] twice = new double[before.length];
    for (int i = 0; i < twice.length; i++) {
      twice[i] = before[i] + 2 * product[i];
    }
    assertAllClose(twice, dx, 1e-12, "dx + 2 dOut . kernel^T");
  }

  private static void check(long[] xShape, int units, DataType type, double tolerance) {
    int in = (int) xShape[xShape.length - 1];
    long[] outShape = xShape.clone();
    outShape[outShape.length - 1] = units;
    int rows = (int) (RandomArrays.uniform(0, xShape).length() / in);
    INDArray dOut = RandomArrays.uniform(4, outShape).sub(0.5).castTo(type);
    INDArray kernel = RandomArrays.uniform(2, in, units).sub(0.5).castTo(type);
    INDArray dx = RandomArrays.uniform(5, xShape).castTo(type);
    double[] want = expected(values(dx), values(dOut), values(kernel), rows, in, units);
    Dense.addInputGradient(dOut, kernel, dx);
    assertAllClose(want, dx, tolerance, type + " dx + dOut . kernel^T");
  }

  private static double[] expected(double[] dx, double[] dOut, double[] kernel, int rows, int in,
      int units) {
    double[] sum = dx.clone();
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < in; i++) {
        double total = 0;
        for (int u = 0; u < units; u++) {
          total += dOut[r * units + u] * kernel[i * units + u];
        }
        sum[r * in + i] += total;
      }
    }
    return sum;
  }
}
