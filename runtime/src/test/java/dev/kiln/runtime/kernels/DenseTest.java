package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.dot;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DenseTest {

  private static final double VALUES = 1e-10;
  private static final double GRADIENTS = 1e-5;
  private static final int ALL_ENTRIES = Integer.MAX_VALUE;

  @Test
  void forwardOfMatrixInputMatchesPlainLoop() {
    checkForward(new long[] {5, 3}, 4, true);
  }

  @Test
  void forwardOfRank4InputActsOnLastAxis() {
    checkForward(new long[] {2, 3, 3, 4}, 5, true);
  }

  @Test
  void forwardWithoutBiasIsThePlainProduct() {
    checkForward(new long[] {5, 3}, 4, false);
    checkForward(new long[] {2, 3, 3, 4}, 5, false);
  }

  @Test
  void gradientsOfMatrixInputMatchFiniteDifferences() {
    checkGradients(new long[] {5, 3}, 4, true, true);
  }

  @Test
  void gradientsOfRank4InputMatchFiniteDifferences() {
    checkGradients(new long[] {2, 3, 3, 4}, 5, true, true);
  }

  @Test
  void gradientsWithoutBiasMatchFiniteDifferences() {
    checkGradients(new long[] {5, 3}, 4, false, true);
    checkGradients(new long[] {2, 3, 3, 4}, 5, false, true);
  }

  @Test
  void backwardWithoutInputGradientStillWritesKernelAndBiasGradients() {
    checkGradients(new long[] {5, 3}, 4, true, false);
    checkGradients(new long[] {2, 3, 3, 4}, 5, true, false);
  }

  @Test
  void backwardMatchesPlainLoopsForRank4Input() {
    long[] xShape = {2, 3, 3, 4};
    int in = 4;
    int units = 5;
    int rows = 18;
    INDArray x = RandomArrays.uniform(1, xShape);
    INDArray kernel = RandomArrays.uniform(2, in, units);
    INDArray dOut = RandomArrays.uniform(4, outShape(xShape, units));
    INDArray dKernel = garbage(in, units);
    INDArray dBias = garbage(units);
    INDArray dx = garbage(xShape);

    Dense.backward(x, kernel, dOut, dKernel, dBias, dx);

    double[] xv = values(x);
    double[] kv = values(kernel);
    double[] gv = values(dOut);
    double[] expectedKernel = new double[in * units];
    double[] expectedBias = new double[units];
    double[] expectedX = new double[rows * in];
    for (int r = 0; r < rows; r++) {
      for (int u = 0; u < units; u++) {
        expectedBias[u] += gv[r * units + u];
        for (int i = 0; i < in; i++) {
          expectedKernel[i * units + u] += xv[r * in + i] * gv[r * units + u];
          expectedX[r * in + i] += gv[r * units + u] * kv[i * units + u];
        }
      }
    }
    assertAllClose(expectedKernel, dKernel, VALUES, "dKernel = x^T . dOut");
    assertAllClose(expectedBias, dBias, VALUES, "dBias = sum of dOut over rows");
    assertAllClose(expectedX, dx, VALUES, "dx = dOut . kernel^T");
  }

  @Test
  void worksOnViewsOfFlatParameterAndGradientBuffers() {
    // Generated models pass slices of one flat buffer; entries outside the slices must not move.
    int in = 3;
    int units = 4;
    long kernelOffset = 2;
    long biasOffset = kernelOffset + in * units;
    long length = biasOffset + units + 3;
    INDArray flatParameters = RandomArrays.uniform(7, length);
    INDArray flatGradients = Nd4j.valueArrayOf(new long[] {length}, 42.0, DataType.DOUBLE);
    INDArray kernel = NdArrays.view(flatParameters, kernelOffset, in, units);
    INDArray bias = NdArrays.view(flatParameters, biasOffset, units);
    INDArray dKernel = NdArrays.view(flatGradients, kernelOffset, in, units);
    INDArray dBias = NdArrays.view(flatGradients, biasOffset, units);
    INDArray x = RandomArrays.uniform(1, 5, in);
    INDArray out = garbage(5, units);

    Dense.forward(x, kernel, bias, out);
    double[] pv = values(flatParameters);
    double[] kv = Arrays.copyOfRange(pv, (int) kernelOffset, (int) biasOffset);
    double[] bv = Arrays.copyOfRange(pv, (int) biasOffset, (int) biasOffset + units);
    assertAllClose(reference(values(x), kv, bv, in, units), out, VALUES, "forward through views");

    INDArray dOut = RandomArrays.uniform(4, 5, units);
    Dense.backward(x, kernel, dOut, dKernel, dBias, null);
    double[] gv = values(flatGradients);
    double[] xv = values(x);
    double[] ov = values(dOut);
    double[] expected = new double[(int) length];
    Arrays.fill(expected, 42.0);
    Arrays.fill(expected, (int) kernelOffset, (int) biasOffset + units, 0.0);
    for (int r = 0; r < 5; r++) {
      for (int u = 0; u < units; u++) {
        expected[(int) biasOffset + u] += ov[r * units + u];
        for (int i = 0; i < in; i++) {
          expected[(int) kernelOffset + i * units + u] += xv[r * in + i] * ov[r * units + u];
        }
      }
    }
    assertAllClose(expected, gv, VALUES, "flat gradient buffer (42 outside the slices)");
  }

  private static void checkForward(long[] xShape, int units, boolean withBias) {
    int in = (int) xShape[xShape.length - 1];
    INDArray x = RandomArrays.uniform(1, xShape);
    INDArray kernel = RandomArrays.uniform(2, in, units);
    INDArray bias = withBias ? RandomArrays.uniform(3, units) : null;
    INDArray out = garbage(outShape(xShape, units));

    Dense.forward(x, kernel, bias, out);

    double[] expected =
        reference(
            values(x), values(kernel), withBias ? values(bias) : new double[units], in, units);
    assertTrue(Arrays.equals(outShape(xShape, units), out.shape()), "output shape");
    assertAllClose(expected, out, VALUES, "Dense.forward " + Arrays.toString(xShape));
  }

  private static void checkGradients(long[] xShape, int units, boolean withBias, boolean withDx) {
    int in = (int) xShape[xShape.length - 1];
    long[] outShape = outShape(xShape, units);
    INDArray x = RandomArrays.uniform(1, xShape);
    INDArray kernel = RandomArrays.uniform(2, in, units);
    INDArray bias = withBias ? RandomArrays.uniform(3, units) : null;
    INDArray r = RandomArrays.uniform(4, outShape);
    double[] rv = values(r);
    DoubleSupplier loss =
        () -> {
          INDArray out = Nd4j.zeros(DataType.DOUBLE, outShape);
          Dense.forward(x, kernel, bias, out);
          return dot(values(out), rv);
        };
    // Gradient buffers start with garbage: backward must overwrite, not accumulate.
    INDArray dKernel = garbage(in, units);
    INDArray dBias = withBias ? garbage(units) : null;
    INDArray dx = withDx ? garbage(xShape) : null;

    Dense.backward(x, kernel, r.dup(), dKernel, dBias, dx);

    String what = Arrays.toString(xShape) + (withBias ? " with bias" : " without bias");
    assertGradient(loss, kernel, dKernel, "dKernel " + what);
    if (withBias) {
      assertGradient(loss, bias, dBias, "dBias " + what);
    }
    if (withDx) {
      assertGradient(loss, x, dx, "dx " + what);
    }
  }

  private static void assertGradient(
      DoubleSupplier loss, INDArray x, INDArray analytic, String what) {
    assertEquals(x.length(), analytic.length(), what + ": gradient length");
    double error =
        FiniteDifferences.maxRelativeError(
            loss, x.reshape(x.length()), analytic.reshape(x.length()), ALL_ENTRIES, 0);
    assertTrue(error < GRADIENTS, what + ": max relative error " + error + " >= " + GRADIENTS);
  }

  /** {@code out[r, u] = sum_i x[r, i] kernel[i, u] + bias[u]} over rows of the last axis. */
  private static double[] reference(double[] x, double[] kernel, double[] bias, int in, int units) {
    int rows = x.length / in;
    double[] out = new double[rows * units];
    for (int r = 0; r < rows; r++) {
      for (int u = 0; u < units; u++) {
        double sum = bias[u];
        for (int i = 0; i < in; i++) {
          sum += x[r * in + i] * kernel[i * units + u];
        }
        out[r * units + u] = sum;
      }
    }
    return out;
  }

  private static long[] outShape(long[] xShape, int units) {
    long[] shape = xShape.clone();
    shape[shape.length - 1] = units;
    return shape;
  }

  private static INDArray garbage(long... shape) {
    return RandomArrays.uniform(99, shape).muli(1000);
  }
}
