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

class Conv2DTransposeTest {

  /** An input size, filter count and window: one test case. */
  record Case(int n, int h, int w, int c, int filters, Window window) {
    @Override
    public String toString() {
      return n + "x" + h + "x" + w + "x" + c + " -> " + filters + " filters, " + window;
    }

    long[] xShape() {
      return new long[] {n, h, w, c};
    }

    long[] kernelShape() {
      return new long[] {window.height(), window.width(), filters, c};
    }

    int oh() {
      return ReferenceWindows.transposeOutSize(
          h, window.height(), window.strideHeight(), window.dilationHeight(), window.same());
    }

    int ow() {
      return ReferenceWindows.transposeOutSize(
          w, window.width(), window.strideWidth(), window.dilationWidth(), window.same());
    }

    long[] outShape() {
      return new long[] {n, oh(), ow(), filters};
    }
  }

  private static Case small(int stride, int dilation, boolean same) {
    return new Case(2, 7, 6, 3, 2, new Window(3, 2, stride, stride, dilation, dilation, same));
  }

  /**
   * The usual windows, then windows shorter than their stride, where Keras' output is {@code in *
   * stride} in both modes and its last rows get only the bias.
   */
  static Stream<Case> cases() {
    return Stream.of(
        small(1, 1, false), small(1, 1, true),
        small(2, 1, false), small(2, 1, true),
        small(1, 2, false), small(1, 2, true),
        new Case(2, 7, 6, 3, 2, new Window(3, 2, 2, 1, 1, 1, false)),
        new Case(2, 7, 6, 3, 2, new Window(3, 2, 2, 1, 1, 1, true)),
        // 1x1 window, stride 2 and 3: libnd4j's valid output is (in - 1) * stride + 1, short of
        // Keras'; its same padding (1 - 3) / 2 is negative, while (1 - 2) / 2 truncates to 0.
        new Case(2, 4, 5, 2, 3, new Window(1, 1, 2, 2, 1, 1, false)),
        new Case(2, 4, 5, 2, 3, new Window(1, 1, 2, 2, 1, 1, true)),
        new Case(2, 4, 5, 2, 3, new Window(1, 1, 3, 3, 1, 1, true)),
        // Rows need same padding, columns (window 1, stride 3) must have none.
        new Case(1, 4, 3, 2, 2, new Window(3, 1, 2, 3, 1, 1, true)),
        new Case(1, 4, 3, 2, 2, new Window(4, 1, 2, 3, 1, 1, true)),
        new Case(1, 4, 3, 2, 2, new Window(4, 1, 2, 3, 1, 1, false)));
  }

  /**
   * The input gradient of a convolution from the output back to the input: each input pixel adds
   * {@code x[b, i, j, :] . kernel[p, q, f, :]} at row {@code i * stride + p * dilation - pad} and
   * column likewise; positions outside the output are dropped.
   */
  static double[] reference(Case k, double[] x, double[] kernel, double[] bias) {
    Window win = k.window();
    int oh = k.oh();
    int ow = k.ow();
    int padTop = ReferenceWindows.transposePadBefore(
        win.height(), win.strideHeight(), win.dilationHeight(), win.same());
    int padLeft = ReferenceWindows.transposePadBefore(
        win.width(), win.strideWidth(), win.dilationWidth(), win.same());
    int filters = k.filters();
    double[] out = new double[k.n() * oh * ow * filters];
    for (int b = 0; b < k.n(); b++) {
      for (int row = 0; row < oh; row++) {
        for (int col = 0; col < ow; col++) {
          for (int f = 0; f < filters; f++) {
            out[((b * oh + row) * ow + col) * filters + f] = bias == null ? 0 : bias[f];
          }
        }
      }
      for (int i = 0; i < k.h(); i++) {
        for (int j = 0; j < k.w(); j++) {
          for (int p = 0; p < win.height(); p++) {
            int row = i * win.strideHeight() + p * win.dilationHeight() - padTop;
            for (int q = 0; q < win.width(); q++) {
              int col = j * win.strideWidth() + q * win.dilationWidth() - padLeft;
              if (row < 0 || row >= oh || col < 0 || col >= ow) {
                continue;
              }
              for (int f = 0; f < filters; f++) {
                double sum = 0;
                for (int ch = 0; ch < k.c(); ch++) {
                  sum += x[((b * k.h() + i) * k.w() + j) * k.c() + ch]
                      * kernel[((p * win.width() + q) * filters + f) * k.c() + ch];
                }
                out[((b * oh + row) * ow + col) * filters + f] += sum;
              }
            }
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardMatchesLoops(Case k) {
    INDArray x = RandomArrays.uniform(1, k.xShape());
    INDArray kernel = RandomArrays.uniform(2, k.kernelShape());
    INDArray bias = RandomArrays.uniform(3, k.filters());
    INDArray out = nans(k.outShape());
    Conv2DTranspose.forward(x, kernel, bias, k.window(), out);
    double[] expected = reference(k, values(x), values(kernel), values(bias));
    assertAllClose(expected, out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardWithoutBiasMatchesLoops(Case k) {
    INDArray x = RandomArrays.uniform(4, k.xShape());
    INDArray kernel = RandomArrays.uniform(5, k.kernelShape());
    INDArray out = nans(k.outShape());
    Conv2DTranspose.forward(x, kernel, null, k.window(), out);
    assertAllClose(reference(k, values(x), values(kernel), null), out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardMatchesFiniteDifferences(Case k) {
    INDArray x = RandomArrays.uniform(6, k.xShape());
    INDArray kernel = RandomArrays.uniform(7, k.kernelShape());
    INDArray bias = RandomArrays.uniform(8, k.filters());
    INDArray r = RandomArrays.uniform(9, k.outShape());
    INDArray out = nans(k.outShape());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    INDArray dx = nansLike(x);
    Conv2DTranspose.backward(x, kernel, r, k.window(), dKernel, dBias, dx);

    Runnable forward = () -> Conv2DTranspose.forward(x, kernel, bias, k.window(), out);
    assertGradient("dx", forward, out, r, x, dx);
    assertGradient("dKernel", forward, out, r, kernel, dKernel);
    assertGradient("dBias", forward, out, r, bias, dBias);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardWithoutDxOrDBiasWritesTheSameKernelGradient(Case k) {
    INDArray x = RandomArrays.uniform(10, k.xShape());
    INDArray kernel = RandomArrays.uniform(11, k.kernelShape());
    INDArray dOut = RandomArrays.uniform(12, k.outShape());
    INDArray expected = nansLike(kernel);
    Conv2DTranspose.backward(x, kernel, dOut, k.window(), expected, nans(k.filters()), nansLike(x));
    INDArray dKernel = nansLike(kernel);
    Conv2DTranspose.backward(x, kernel, dOut, k.window(), dKernel, null, null);
    assertArrayEquals(values(expected), values(dKernel), 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32ForwardAgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(13, k.xShape());
    INDArray kernel = RandomArrays.uniform(14, k.kernelShape());
    INDArray bias = RandomArrays.uniform(15, k.filters());
    INDArray out64 = nans(k.outShape());
    Conv2DTranspose.forward(x, kernel, bias, k.window(), out64);
    INDArray out32 = nans(k.outShape()).castTo(DataType.FLOAT);
    Conv2DTranspose.forward(
        x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT), bias.castTo(DataType.FLOAT),
        k.window(), out32);
    assertCloseToFloat64(out64, out32, "out");
  }

  /** float32 may run on oneDNN, float64 never does; see Conv2DTest. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32BackwardAgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(22, k.xShape());
    INDArray kernel = RandomArrays.uniform(23, k.kernelShape());
    INDArray dOut = RandomArrays.uniform(24, k.outShape());
    INDArray dKernel64 = nansLike(kernel);
    INDArray dx64 = nansLike(x);
    Conv2DTranspose.backward(x, kernel, dOut, k.window(), dKernel64, null, dx64);
    INDArray dKernel32 = nansLike(kernel).castTo(DataType.FLOAT);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    Conv2DTranspose.backward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        dOut.castTo(DataType.FLOAT), k.window(), dKernel32, null, dx32);
    assertCloseToFloat64(dKernel64, dKernel32, "dKernel");
    assertCloseToFloat64(dx64, dx32, "dx");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void repeatedCallsAllocateNothing(Case k) {
    INDArray x = RandomArrays.uniform(16, k.xShape());
    INDArray kernel = RandomArrays.uniform(17, k.kernelShape());
    INDArray bias = RandomArrays.uniform(18, k.filters());
    INDArray out = nans(k.outShape());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    assertNoSteadyStateAllocation(
        () -> {
          Conv2DTranspose.forward(x, kernel, bias, k.window(), out);
          Conv2DTranspose.backward(x, kernel, out, k.window(), dKernel, dBias, null);
        });
  }
}
