package dev.kiln.runtime.kernels;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Conv2DTest {

  /** An input size, kernel size and window: one test case. */
  record Case(int n, int h, int w, int c, int filters, Window window)
      implements ConvolutionChecks.Case {
    @Override
    public String toString() {
      return n + "x" + h + "x" + w + "x" + c + " -> " + filters + " filters, " + window;
    }

    @Override
    public long[] xShape() {
      return new long[] {n, h, w, c};
    }

    @Override
    public long[] kernelShape() {
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

    @Override
    public long[] outShape() {
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

  private static final ConvolutionChecks CHECKS =
      new ConvolutionChecks(Conv2D::forward, Conv2D::backward);

  @ParameterizedTest(name = "{0}")
  @MethodSource("forwardCases")
  void forwardMatchesLoops(Case k) {
    CHECKS.forwardMatches(k, (x, kernel, bias) -> reference(k, x, kernel, bias));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backwardCases")
  void backwardMatchesFiniteDifferences(Case k) {
    CHECKS.backwardMatchesFiniteDifferences(k);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backwardCases")
  void backwardWithoutDxOrDBiasWritesTheSameKernelGradient(Case k) {
    CHECKS.backwardWithoutDxOrDBiasWritesTheSameKernelGradient(k);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backwardCases")
  void float32ForwardAgreesWithFloat64(Case k) {
    CHECKS.float32ForwardAgreesWithFloat64(k);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forwardCases")
  void float32BackwardAgreesWithFloat64(Case k) {
    CHECKS.float32BackwardAgreesWithFloat64(k);
  }

  @Test
  void repeatedCallsAllocateNothing() {
    CHECKS.repeatedCallsAllocateNothing(small(2, 2, 1, true));
  }
}
