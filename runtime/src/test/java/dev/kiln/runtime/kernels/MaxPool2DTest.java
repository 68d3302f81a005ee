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
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

class MaxPool2DTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#forwardCases")
  void forwardMatchesLoops(PoolingCase k) {
    INDArray x = RandomArrays.uniform(1, k.xShape());
    INDArray out = nans(k.outShape());
    MaxPool2D.forward(x, k.window(), out);
    assertAllClose(k.reference(values(x), true), out, FORWARD_TOLERANCE, "out");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#backwardCases")
  void backwardMatchesFiniteDifferences(PoolingCase k) {
    INDArray x = RandomArrays.uniform(2, k.xShape());
    INDArray r = RandomArrays.uniform(3, k.outShape());
    INDArray out = nans(k.outShape());
    INDArray dx = nansLike(x);
    MaxPool2D.backward(x, r, k.window(), dx);
    assertGradient("dx", () -> MaxPool2D.forward(x, k.window(), out), out, r, x, dx);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#forwardCases")
  void float32ForwardAgreesWithFloat64(PoolingCase k) {
    INDArray x = RandomArrays.uniform(4, k.xShape());
    INDArray out64 = nans(k.outShape());
    MaxPool2D.forward(x, k.window(), out64);
    INDArray out32 = nans(k.outShape()).castTo(DataType.FLOAT);
    MaxPool2D.forward(x.castTo(DataType.FLOAT), k.window(), out32);
    assertCloseToFloat64(out64, out32, "out");
  }

  /** float32 may run on oneDNN, float64 never does. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#forwardCases")
  void float32BackwardAgreesWithFloat64(PoolingCase k) {
    INDArray x = RandomArrays.uniform(6, k.xShape());
    INDArray dOut = RandomArrays.uniform(7, k.outShape());
    INDArray dx64 = nansLike(x);
    MaxPool2D.backward(x, dOut, k.window(), dx64);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    MaxPool2D.backward(x.castTo(DataType.FLOAT), dOut.castTo(DataType.FLOAT), k.window(), dx32);
    assertCloseToFloat64(dx64, dx32, "dx");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#backwardCases")
  void repeatedCallsAllocateNothing(PoolingCase k) {
    INDArray x = RandomArrays.uniform(5, k.xShape());
    INDArray out = nans(k.outShape());
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(
        () -> {
          MaxPool2D.forward(x, k.window(), out);
          MaxPool2D.backward(x, out, k.window(), dx);
        });
  }

  /**
   * Among equal maxima TensorFlow's MaxPoolGrad routes a window's gradient to the first, in
   * row-major order over the cells inside the image. Finite differences cannot check ties.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#backwardCases")
  void tiesGoToTheFirstMaximum(PoolingCase k) {
    // -1, 0 and 1 only: most windows hold equal maxima.
    INDArray x = RandomArrays.uniform(7, k.xShape()).muli(1.4);
    x.assign(Transforms.round(x));
    INDArray dOut = RandomArrays.uniform(8, k.outShape());
    INDArray dx = nansLike(x);
    MaxPool2D.backward(x, dOut, k.window(), dx);
    assertAllClose(firstMaximumGradient(k, values(x), values(dOut)), dx, FORWARD_TOLERANCE, "dx");
  }

  private static double[] firstMaximumGradient(PoolingCase k, double[] x, double[] dOut) {
    Window window = k.window();
    boolean same = window.same();
    int h = k.h();
    int w = k.w();
    int c = k.c();
    int padTop = ReferenceWindows.padBefore(h, window.height(), window.strideHeight(), 1, same);
    int padLeft = ReferenceWindows.padBefore(w, window.width(), window.strideWidth(), 1, same);
    double[] dx = new double[x.length];
    for (int b = 0; b < k.n(); b++) {
      for (int i = 0; i < k.oh(); i++) {
        for (int j = 0; j < k.ow(); j++) {
          for (int ch = 0; ch < c; ch++) {
            int first = -1;
            for (int p = 0; p < window.height(); p++) {
              int row = i * window.strideHeight() + p - padTop;
              for (int q = 0; q < window.width(); q++) {
                int col = j * window.strideWidth() + q - padLeft;
                if (row < 0 || row >= h || col < 0 || col >= w) {
                  continue;
                }
                int index = ((b * h + row) * w + col) * c + ch;
                if (first < 0 || x[index] > x[first]) {
                  first = index;
                }
              }
            }
            dx[first] += dOut[((b * k.oh() + i) * k.ow() + j) * c + ch];
          }
        }
      }
    }
    return dx;
  }

  @Test
  void dilatedWindowsAreRefused() {
    Window dilated = new Window(2, 2, 1, 1, 2, 2, false);
    INDArray x = RandomArrays.uniform(6, 1, 5, 5, 1);
    INDArray out = nans(1, 3, 3, 1);
    assertThrows(IllegalArgumentException.class, () -> MaxPool2D.forward(x, dilated, out));
    INDArray dx = nansLike(x);
    assertThrows(IllegalArgumentException.class, () -> MaxPool2D.backward(x, out, dilated, dx));
  }

  @Test
  void nullInputGradientIsSkipped() {
    // A pooling that reads a model input: nothing needs its input gradient.
    INDArray x = RandomArrays.uniform(7, 2, 5, 5, 1);
    MaxPool2D.backward(x, RandomArrays.uniform(8, 2, 2, 2, 1), Window.valid(2, 2, 2, 2), null);
    MaxPool2D.backward(x, RandomArrays.uniform(9, 2, 2, 2, 1), Window.same(1, 1, 3, 3), null);
  }
}
