package dev.kiln.runtime.kernels;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Conv2DTransposeTest {

  /** An input size, filter count and window: one test case. */
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

    @Override
    public long[] outShape() {
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

  private static final ConvolutionChecks CHECKS =
      new ConvolutionChecks(Conv2DTranspose::forward, Conv2DTranspose::backward);

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardMatchesLoops(Case k) {
    CHECKS.forwardMatches(k, (x, kernel, bias) -> reference(k, x, kernel, bias));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardMatchesFiniteDifferences(Case k) {
    CHECKS.backwardMatchesFiniteDifferences(k);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardWithoutDxOrDBiasWritesTheSameKernelGradient(Case k) {
    CHECKS.backwardWithoutDxOrDBiasWritesTheSameKernelGradient(k);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32ForwardAgreesWithFloat64(Case k) {
    CHECKS.float32ForwardAgreesWithFloat64(k);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32BackwardAgreesWithFloat64(Case k) {
    CHECKS.float32BackwardAgreesWithFloat64(k);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void repeatedCallsAllocateNothing(Case k) {
    CHECKS.repeatedCallsAllocateNothing(k);
  }
}
