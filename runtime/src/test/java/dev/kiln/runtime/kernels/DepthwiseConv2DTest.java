package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;

import dev.kiln.runtime.testing.RandomArrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DepthwiseConv2D and SeparableConv2D against float64 central finite differences, float32 against
 * float64, and no allocation once warm. Their values against PyTorch's are in {@link
 * DepthwiseTorchTest}.
 */
class DepthwiseConv2DTest {

  record Case(int n, int h, int w, int c, int multiplier, int filters, Window window) {
    long[] x() {
      return new long[] {n, h, w, c};
    }

    long[] depthwiseKernel() {
      return new long[] {window.height(), window.width(), c, multiplier};
    }

    long[] pointwiseKernel() {
      return new long[] {1, 1, (long) c * multiplier, filters};
    }

    long[] out(long channels) {
      return new long[] {n,
          ReferenceWindows.outSize(h, window.height(), window.strideHeight(),
              window.dilationHeight(), window.same()),
          ReferenceWindows.outSize(w, window.width(), window.strideWidth(),
              window.dilationWidth(), window.same()),
          channels};
    }

    long[] depthwiseOut() {
      return out((long) c * multiplier);
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(2, 6, 5, 3, 1, 2, Window.valid(3, 3, 1, 1)),
        new Case(2, 6, 5, 2, 3, 3, Window.valid(3, 2, 1, 1)),
        new Case(2, 7, 6, 2, 2, 2, Window.same(3, 3, 2, 2)),
        new Case(1, 7, 7, 2, 2, 1, Window.same(3, 2, 1, 1).dilated(2, 2)),
        // A 1x1 window with stride 3 over 8 columns: the border case of same padding.
        new Case(1, 5, 8, 2, 1, 2, Window.same(1, 1, 3, 3)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void depthwiseBackwardMatchesFiniteDifferences(Case k) {
    INDArray x = RandomArrays.uniform(1, k.x());
    INDArray kernel = RandomArrays.uniform(2, k.depthwiseKernel());
    INDArray bias = RandomArrays.uniform(3, (long) k.c() * k.multiplier());
    INDArray r = RandomArrays.uniform(4, k.depthwiseOut());
    INDArray out = nans(k.depthwiseOut());
    INDArray dx = nansLike(x);
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    DepthwiseConv2D.backward(x, kernel, r, k.window(), dKernel, dBias, dx);
    Runnable run = () -> DepthwiseConv2D.forward(x, kernel, bias, k.window(), out);
    assertGradient("dx", run, out, r, x, dx);
    assertGradient("dKernel", run, out, r, kernel, dKernel);
    assertGradient("dBias", run, out, r, bias, dBias);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void separableBackwardMatchesFiniteDifferences(Case k) {
    INDArray x = RandomArrays.uniform(5, k.x());
    INDArray depthwise = RandomArrays.uniform(6, k.depthwiseKernel());
    INDArray pointwise = RandomArrays.uniform(7, k.pointwiseKernel());
    INDArray bias = RandomArrays.uniform(8, k.filters());
    INDArray r = RandomArrays.uniform(9, k.out(k.filters()));
    INDArray mid = nans(k.depthwiseOut());
    INDArray out = nans(k.out(k.filters()));
    Runnable run = () ->
        SeparableConv2D.forward(x, depthwise, pointwise, bias, k.window(), mid, out);
    run.run();
    INDArray dx = nansLike(x);
    INDArray dDepthwise = nansLike(depthwise);
    INDArray dPointwise = nansLike(pointwise);
    INDArray dBias = nansLike(bias);
    SeparableConv2D.backward(x, depthwise, pointwise, mid, r, k.window(),
        nans(k.depthwiseOut()), dDepthwise, dPointwise, dBias, dx);
    assertGradient("dx", run, out, r, x, dx);
    assertGradient("dDepthwiseKernel", run, out, r, depthwise, dDepthwise);
    assertGradient("dPointwiseKernel", run, out, r, pointwise, dPointwise);
    assertGradient("dBias", run, out, r, bias, dBias);
  }

  /** float32 may run on oneDNN, float64 never does. */
  @ParameterizedTest
  @MethodSource("cases")
  void float32AgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(10, k.x());
    INDArray kernel = RandomArrays.uniform(11, k.depthwiseKernel());
    INDArray bias = RandomArrays.uniform(12, (long) k.c() * k.multiplier());
    INDArray dOut = RandomArrays.uniform(13, k.depthwiseOut());
    INDArray out64 = nans(k.depthwiseOut());
    INDArray dx64 = nansLike(x);
    INDArray dKernel64 = nansLike(kernel);
    DepthwiseConv2D.forward(x, kernel, bias, k.window(), out64);
    DepthwiseConv2D.backward(x, kernel, dOut, k.window(), dKernel64, null, dx64);
    INDArray out32 = nans(k.depthwiseOut()).castTo(DataType.FLOAT);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    INDArray dKernel32 = nansLike(kernel).castTo(DataType.FLOAT);
    DepthwiseConv2D.forward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        bias.castTo(DataType.FLOAT), k.window(), out32);
    DepthwiseConv2D.backward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        dOut.castTo(DataType.FLOAT), k.window(), dKernel32, null, dx32);
    assertCloseToFloat64(out64, out32, "out");
    assertCloseToFloat64(dx64, dx32, "dx");
    assertCloseToFloat64(dKernel64, dKernel32, "dKernel");
  }

  @Test
  void repeatedCallsAllocateNothing() {
    Case k = new Case(2, 7, 6, 2, 2, 3, Window.same(3, 3, 2, 2));
    INDArray x = RandomArrays.uniform(14, k.x());
    INDArray depthwise = RandomArrays.uniform(15, k.depthwiseKernel());
    INDArray pointwise = RandomArrays.uniform(16, k.pointwiseKernel());
    INDArray bias = RandomArrays.uniform(17, k.filters());
    INDArray mid = nans(k.depthwiseOut());
    INDArray dMid = nans(k.depthwiseOut());
    INDArray out = nans(k.out(k.filters()));
    INDArray dDepthwise = nansLike(depthwise);
    INDArray dPointwise = nansLike(pointwise);
    INDArray dBias = nansLike(bias);
    INDArray dx = nansLike(x);
    assertNoSteadyStateAllocation(() -> {
      SeparableConv2D.forward(x, depthwise, pointwise, bias, k.window(), mid, out);
      SeparableConv2D.backward(x, depthwise, pointwise, mid, out, k.window(), dMid, dDepthwise,
          dPointwise, dBias, dx);
    });
  }
}
