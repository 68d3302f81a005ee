package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.kernels.Conv2DTest.Case;
import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Conv2D's backward pass without an input gradient, which computes the kernel gradient from the
 * input's windows laid out as columns, against conv2d_bp (the pass with an input gradient) and
 * against finite differences.
 */
class Conv2DKernelGradientTest {

  /** Largest difference from conv2d_bp's result, over the largest value. */
  private static final double CONV2D_BP_TOLERANCE = 1e-5;

  /**
   * Largest difference from central differences, over the largest value. Relative to the largest
   * rather than entry by entry: the loss sums hundreds of products, so its rounding over the
   * 2e-6 step is about 1e-8, which entries that nearly cancel (1e-4) cannot absorb.
   */
  private static final double FINITE_DIFFERENCE_TOLERANCE = 1e-6;

  /** Kernel sizes 3, 4, 8; 1 and 3 channels; valid and same; strides 1 and 2; batch 3. */
  static Stream<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (int size : new int[] {3, 4, 8}) {
      for (int c : new int[] {1, 3}) {
        for (boolean same : new boolean[] {false, true}) {
          for (int stride : new int[] {1, 2}) {
            cases.add(new Case(3, 11, 10, c, 4, Window.of(size, size, stride, stride, same)));
          }
        }
      }
    }
    // Uneven windows and strides, dilation, and a window shorter than its stride (no padding).
    cases.add(new Case(2, 8, 9, 2, 3, Window.same(3, 1, 2, 3)));
    cases.add(new Case(2, 9, 9, 3, 2, Window.valid(3, 3, 1, 1).dilated(2, 2)));
    cases.add(new Case(2, 9, 9, 1, 2, Window.same(3, 3, 1, 1).dilated(2, 2)));
    cases.add(new Case(2, 5, 9, 2, 3, Window.same(1, 1, 3, 3)));
    // Columns past TWO_THREADS values, written on two threads; an odd number of window rows.
    cases.add(new Case(8, 40, 40, 3, 4, Window.same(4, 4, 1, 1)));
    cases.add(new Case(8, 40, 40, 1, 4, Window.valid(5, 5, 1, 1)));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32MatchesConv2dBp(Case k) {
    INDArray x = RandomArrays.uniform(1, k.xShape()).castTo(DataType.FLOAT);
    assertMatchesConv2dBp(k, x);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float64MatchesConv2dBp(Case k) {
    assertMatchesConv2dBp(k, RandomArrays.uniform(1, k.xShape()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float64MatchesFiniteDifferences(Case k) {
    INDArray x = RandomArrays.uniform(2, k.xShape());
    INDArray kernel = RandomArrays.uniform(3, k.kernelShape());
    INDArray bias = RandomArrays.uniform(4, k.filters());
    INDArray r = RandomArrays.uniform(5, k.outShape());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    Conv2D.backward(x, kernel, r, k.window(), dKernel, dBias, null);

    INDArray out = nans(k.outShape());
    double[] weights = values(r);
    DoubleSupplier loss = () -> {
      Conv2D.forward(x, kernel, bias, k.window(), out);
      return PlainArrays.dot(values(out), weights);
    };
    assertClose(numericGradient(loss, kernel), dKernel, FINITE_DIFFERENCE_TOLERANCE, "dKernel");
    assertClose(numericGradient(loss, bias), dBias, FINITE_DIFFERENCE_TOLERANCE, "dBias");
  }

  /** The central difference of {@code loss} for every entry of {@code parameter}. */
  private static INDArray numericGradient(DoubleSupplier loss, INDArray parameter) {
    INDArray numeric = nansLike(parameter);
    for (long i = 0; i < parameter.length(); i++) {
      numeric.putScalar(i, FiniteDifferences.derivative(loss, parameter, i));
    }
    return numeric;
  }

  /**
   * The kernel's and the bias's gradients as a model lays them, one after the other in one flat
   * buffer: the product writes both in place. Without a bias, only the kernel's.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsSideBySideInOneBufferAndWithoutBias(Case k) {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      INDArray x = RandomArrays.uniform(12, k.xShape()).castTo(type);
      INDArray kernel = RandomArrays.uniform(13, k.kernelShape()).castTo(type);
      INDArray dOut = RandomArrays.uniform(14, k.outShape()).castTo(type);
      INDArray expectedKernel = nansLike(kernel);
      INDArray expectedBias = nans(k.filters()).castTo(type);
      Conv2D.backward(x, kernel, dOut, k.window(), expectedKernel, expectedBias, nansLike(x));
      long kernelLength = kernel.length();
      INDArray flat = nans(kernelLength + k.filters() + 1).castTo(type);
      INDArray dKernel = NdArrays.view(flat, 0, k.kernelShape());
      INDArray dBias = NdArrays.view(flat, kernelLength, k.filters());
      Conv2D.backward(x, kernel, dOut, k.window(), dKernel, dBias, null);
      assertClose(expectedKernel, dKernel, CONV2D_BP_TOLERANCE, type + " dKernel");
      assertClose(expectedBias, dBias, CONV2D_BP_TOLERANCE, type + " dBias");
      assertTrue(Double.isNaN(flat.getDouble(flat.length() - 1)), "written past the bias");
      INDArray alone = nansLike(kernel);
      Conv2D.backward(x, kernel, dOut, k.window(), alone, null, null);
      assertClose(expectedKernel, alone, CONV2D_BP_TOLERANCE, type + " dKernel without bias");
    }
  }

  /** An input that is a contiguous view at an offset (a slice of a larger batch) is read there. */
  @Test
  void inputViewAtAnOffset() {
    Case k = new Case(2, 11, 10, 3, 4, Window.same(4, 4, 2, 2));
    INDArray batch = RandomArrays.uniform(6, 4, 11, 10, 3).castTo(DataType.FLOAT);
    INDArray x = batch.get(NDArrayIndex.interval(1, 3));
    assertTrue(x.offset() > 0, "a view at an offset");
    assertMatchesConv2dBp(k, x);
  }

  @Test
  void repeatedCallsAllocateNothing() {
    Case k = new Case(2, 11, 10, 3, 4, Window.same(4, 4, 2, 2));
    INDArray x = RandomArrays.uniform(7, k.xShape()).castTo(DataType.FLOAT);
    INDArray kernel = RandomArrays.uniform(8, k.kernelShape()).castTo(DataType.FLOAT);
    INDArray dOut = RandomArrays.uniform(9, k.outShape()).castTo(DataType.FLOAT);
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nans(k.filters()).castTo(DataType.FLOAT);
    KernelChecks.assertNoSteadyStateAllocation(
        () -> Conv2D.backward(x, kernel, dOut, k.window(), dKernel, dBias, null));
  }

  /** The kernel and bias gradients without dx against those conv2d_bp writes beside dx. */
  private static void assertMatchesConv2dBp(Case k, INDArray x) {
    DataType type = x.dataType();
    INDArray kernel = RandomArrays.uniform(10, k.kernelShape()).castTo(type);
    INDArray dOut = RandomArrays.uniform(11, k.outShape()).castTo(type);
    INDArray expectedKernel = nansLike(kernel);
    INDArray expectedBias = nans(k.filters()).castTo(type);
    Conv2D.backward(x, kernel, dOut, k.window(), expectedKernel, expectedBias, nansLike(x));
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nans(k.filters()).castTo(type);
    Conv2D.backward(x, kernel, dOut, k.window(), dKernel, dBias, null);
    assertClose(expectedKernel, dKernel, CONV2D_BP_TOLERANCE, "dKernel");
    assertClose(expectedBias, dBias, CONV2D_BP_TOLERANCE, "dBias");
  }

  private static void assertClose(
      INDArray expected, INDArray actual, double tolerance, String what) {
    double[] e = values(expected);
    double[] a = values(actual);
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      scale = Math.max(scale, Math.abs(e[i]));
      worst = Math.max(worst, Math.abs(e[i] - a[i]));
    }
    assertTrue(scale > 0, what + ": all zero");
    // NaN fails both comparisons.
    assertTrue(worst <= tolerance * scale,
        what + ": largest difference " + worst + " for values up to " + scale);
  }
}
