package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.FORWARD_TOLERANCE;
import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.runtime.testing.RandomArrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class Conv2DTest {

  /** An input size, kernel size and window: one test case. */
  record Case(int n, int h, int w, int c, int filters, Window window) {
    @Override
    public String toString() {
      return n + "x" + h + "x" + w + "x" + c + " -> " + filters + " filters, " + window;
    }

    long[] xShape() {
      return new long[] {n, h, w, c};
    }

    long[] kernelShape() {
      return new long[] {window.height(), window.width(), c, filters};
    }

    int oh() {
      return ReferenceWindows.outSize(
          h, window.height(), window.strideHeight(), window.dilationHeight(), window.same());
    }

    int ow() {
      return ReferenceWindows.outSize(
          w, window.width(), window.strideWidth(), window.dilationWidth(), window.same());
    }

    long[] outShape() {
      return new long[] {n, oh(), ow(), filters};
    }
  }

  private static Case small(int strideHeight, int strideWidth, int dilation, boolean same) {
    return new Case(
        2, 7, 6, 3, 2, new Window(3, 2, strideHeight, strideWidth, dilation, dilation, same));
  }

  /** Keras allows dilation only with stride 1. */
  static Stream<Case> forwardCases() {
    return Stream.of(
        small(1, 1, 1, false), small(1, 1, 1, true),
        small(2, 2, 1, false), small(2, 2, 1, true),
        small(1, 1, 2, false), small(1, 1, 2, true),
        small(2, 1, 1, true), small(1, 2, 1, false),
        // A 1x1 window with stride 3 over 9 columns: TensorFlow pads nothing, while libnd4j's
        // own rule for same padding, ((out - 1) * stride + extent - in) / 2, is negative here.
        new Case(2, 5, 9, 2, 3, new Window(1, 1, 3, 3, 1, 1, true)),
        new Case(1, 8, 9, 2, 2, new Window(3, 1, 2, 3, 1, 1, true)));
  }

  static Stream<Case> backwardCases() {
    return Stream.of(
        small(2, 2, 1, false), small(2, 2, 1, true),
        small(1, 1, 2, false), small(1, 1, 2, true),
        new Case(1, 8, 9, 2, 2, new Window(3, 1, 2, 3, 1, 1, true)));
  }

  /** {@code out[b, i, j, f] = bias[f] + sum over the window of x * kernel}; 0 outside the image. */
  static double[] reference(Case k, double[] x, double[] kernel, double[] bias) {
    Window win = k.window();
    int oh = k.oh();
    int ow = k.ow();
    int padTop = ReferenceWindows.padBefore(
        k.h(), win.height(), win.strideHeight(), win.dilationHeight(), win.same());
    int padLeft = ReferenceWindows.padBefore(
        k.w(), win.width(), win.strideWidth(), win.dilationWidth(), win.same());
    double[] out = new double[k.n() * oh * ow * k.filters()];
    for (int b = 0; b < k.n(); b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int f = 0; f < k.filters(); f++) {
            double sum = bias == null ? 0 : bias[f];
            for (int p = 0; p < win.height(); p++) {
              int row = i * win.strideHeight() + p * win.dilationHeight() - padTop;
              for (int q = 0; q < win.width(); q++) {
                int col = j * win.strideWidth() + q * win.dilationWidth() - padLeft;
                if (row < 0 || row >= k.h() || col < 0 || col >= k.w()) {
                  continue;
                }
                for (int ch = 0; ch < k.c(); ch++) {
                  sum += x[((b * k.h() + row) * k.w() + col) * k.c() + ch]
                      * kernel[((p * win.width() + q) * k.c() + ch) * k.filters() + f];
                }
              }
            }
            out[((b * oh + i) * ow + j) * k.filters() + f] = sum;
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forwardCases")
  void forwardMatchesLoops(Case k) {
    INDArray x = RandomArrays.uniform(1, k.xShape());
    INDArray kernel = RandomArrays.uniform(2, k.kernelShape());
    INDArray bias = RandomArrays.uniform(3, k.filters());
    INDArray out = nans(k.outShape());
    Conv2D.forward(x, kernel, bias, k.window(), out);
    double[] expected = reference(k, values(x), values(kernel), values(bias));
    assertAllClose(expected, out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forwardCases")
  void forwardWithoutBiasMatchesLoops(Case k) {
    INDArray x = RandomArrays.uniform(4, k.xShape());
    INDArray kernel = RandomArrays.uniform(5, k.kernelShape());
    INDArray out = nans(k.outShape());
    Conv2D.forward(x, kernel, null, k.window(), out);
    assertAllClose(reference(k, values(x), values(kernel), null), out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backwardCases")
  void backwardMatchesFiniteDifferences(Case k) {
    INDArray x = RandomArrays.uniform(6, k.xShape());
    INDArray kernel = RandomArrays.uniform(7, k.kernelShape());
    INDArray bias = RandomArrays.uniform(8, k.filters());
    INDArray r = RandomArrays.uniform(9, k.outShape());
    INDArray out = nans(k.outShape());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    INDArray dx = nansLike(x);
    Conv2D.backward(x, kernel, r, k.window(), dKernel, dBias, dx);

    Runnable forward = () -> Conv2D.forward(x, kernel, bias, k.window(), out);
    assertGradient("dx", forward, out, r, x, dx);
    assertGradient("dKernel", forward, out, r, kernel, dKernel);
    assertGradient("dBias", forward, out, r, bias, dBias);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backwardCases")
  void backwardWithoutDxOrDBiasWritesTheSameKernelGradient(Case k) {
    INDArray x = RandomArrays.uniform(10, k.xShape());
    INDArray kernel = RandomArrays.uniform(11, k.kernelShape());
    INDArray dOut = RandomArrays.uniform(12, k.outShape());
    INDArray expected = nansLike(kernel);
    Conv2D.backward(x, kernel, dOut, k.window(), expected, nans(k.filters()), nansLike(x));
    INDArray dKernel = nansLike(kernel);
    Conv2D.backward(x, kernel, dOut, k.window(), dKernel, null, null);
    assertArrayEquals(values(expected), values(dKernel), 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backwardCases")
  void float32ForwardAgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(13, k.xShape());
    INDArray kernel = RandomArrays.uniform(14, k.kernelShape());
    INDArray bias = RandomArrays.uniform(15, k.filters());
    INDArray out64 = nans(k.outShape());
    Conv2D.forward(x, kernel, bias, k.window(), out64);
    INDArray out32 = nans(k.outShape()).castTo(DataType.FLOAT);
    Conv2D.forward(
        x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT), bias.castTo(DataType.FLOAT),
        k.window(), out32);
    assertCloseToFloat64(out64, out32, "out");
  }

  /**
   * The float32 backward pass runs on oneDNN where the backend has it, float64 never does (and is
   * checked against finite differences), so the two must agree.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("forwardCases")
  void float32BackwardAgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(19, k.xShape());
    INDArray kernel = RandomArrays.uniform(20, k.kernelShape());
    INDArray dOut = RandomArrays.uniform(21, k.outShape());
    INDArray dKernel64 = nansLike(kernel);
    INDArray dBias64 = nans(k.filters());
    INDArray dx64 = nansLike(x);
    Conv2D.backward(x, kernel, dOut, k.window(), dKernel64, dBias64, dx64);
    INDArray dKernel32 = nansLike(kernel).castTo(DataType.FLOAT);
    INDArray dBias32 = nans(k.filters()).castTo(DataType.FLOAT);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    Conv2D.backward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        dOut.castTo(DataType.FLOAT), k.window(), dKernel32, dBias32, dx32);
    assertCloseToFloat64(dKernel64, dKernel32, "dKernel");
    assertCloseToFloat64(dBias64, dBias32, "dBias");
    assertCloseToFloat64(dx64, dx32, "dx");
  }

  @Test
  void repeatedCallsAllocateNothing() {
    Case k = small(2, 2, 1, true);
    INDArray x = RandomArrays.uniform(16, k.xShape());
    INDArray kernel = RandomArrays.uniform(17, k.kernelShape());
    INDArray bias = RandomArrays.uniform(18, k.filters());
    INDArray out = nans(k.outShape());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    assertNoSteadyStateAllocation(
        () -> {
          Conv2D.forward(x, kernel, bias, k.window(), out);
          Conv2D.backward(x, kernel, out, k.window(), dKernel, dBias, null);
        });
  }
}
