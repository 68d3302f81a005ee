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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checks every convolution kernel passes, for Conv2D and Conv2DTranspose alike: forward
 * against plain loops, backward against finite differences, float32 against float64, optional
 * gradients, and no allocation once warm.
 */
final class ConvolutionChecks {

  /** One test case's sizes. */
  interface Case {
    long[] xShape();

    long[] kernelShape();

    long[] outShape();

    int filters();

    Window window();
  }

  interface Forward {
    void run(INDArray x, INDArray kernel, INDArray bias, Window window, INDArray out);
  }

  interface Backward {
    void run(INDArray x, INDArray kernel, INDArray dOut, Window window, INDArray dKernel,
        INDArray dBias, INDArray dx);
  }

  /** The plain-loop result for flat channels-last values; {@code bias} may be null. */
  interface Reference {
    double[] apply(double[] x, double[] kernel, double[] bias);
  }

  private final Forward forward;
  private final Backward backward;

  ConvolutionChecks(Forward forward, Backward backward) {
    this.forward = forward;
    this.backward = backward;
  }

  void forwardMatches(Case k, Reference reference) {
    INDArray x = RandomArrays.uniform(1, k.xShape());
    INDArray kernel = RandomArrays.uniform(2, k.kernelShape());
    INDArray bias = RandomArrays.uniform(3, k.filters());
    INDArray out = nans(k.outShape());
    forward.run(x, kernel, bias, k.window(), out);
    assertAllClose(reference.apply(values(x), values(kernel), values(bias)), out,
        FORWARD_TOLERANCE, "out");

    INDArray outWithoutBias = nans(k.outShape());
    forward.run(x, kernel, null, k.window(), outWithoutBias);
    assertAllClose(reference.apply(values(x), values(kernel), null), outWithoutBias,
        FORWARD_TOLERANCE, "out without bias");
  }

  void backwardMatchesFiniteDifferences(Case k) {
    INDArray x = RandomArrays.uniform(6, k.xShape());
    INDArray kernel = RandomArrays.uniform(7, k.kernelShape());
    INDArray bias = RandomArrays.uniform(8, k.filters());
    INDArray r = RandomArrays.uniform(9, k.outShape());
    INDArray out = nans(k.outShape());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    INDArray dx = nansLike(x);
    backward.run(x, kernel, r, k.window(), dKernel, dBias, dx);

    Runnable run = () -> forward.run(x, kernel, bias, k.window(), out);
    assertGradient("dx", run, out, r, x, dx);
    assertGradient("dKernel", run, out, r, kernel, dKernel);
    assertGradient("dBias", run, out, r, bias, dBias);
  }

  /**
   * Leaving out dx and dBias (a first layer, no bias) must not change dKernel beyond rounding:
   * Conv2D then takes the kernel gradient from one GEMM over the input's windows rather than from
   * conv2d_bp, whose sums run in another order (under load they differed in the last bit).
   */
  void backwardWithoutDxOrDBiasWritesTheSameKernelGradient(Case k) {
    INDArray x = RandomArrays.uniform(10, k.xShape());
    INDArray kernel = RandomArrays.uniform(11, k.kernelShape());
    INDArray dOut = RandomArrays.uniform(12, k.outShape());
    INDArray expected = nansLike(kernel);
    backward.run(x, kernel, dOut, k.window(), expected, nans(k.filters()), nansLike(x));
    INDArray dKernel = nansLike(kernel);
    backward.run(x, kernel, dOut, k.window(), dKernel, null, null);
    assertArrayEquals(values(expected), values(dKernel), 1e-12);
  }

  void float32ForwardAgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(13, k.xShape());
    INDArray kernel = RandomArrays.uniform(14, k.kernelShape());
    INDArray bias = RandomArrays.uniform(15, k.filters());
    INDArray out64 = nans(k.outShape());
    forward.run(x, kernel, bias, k.window(), out64);
    INDArray out32 = nans(k.outShape()).castTo(DataType.FLOAT);
    forward.run(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        bias.castTo(DataType.FLOAT), k.window(), out32);
    assertCloseToFloat64(out64, out32, "out");
  }

  /**
   * The float32 backward pass runs on oneDNN where the backend has it, float64 never does (and is
   * checked against finite differences), so the two must agree.
   */
  void float32BackwardAgreesWithFloat64(Case k) {
    INDArray x = RandomArrays.uniform(19, k.xShape());
    INDArray kernel = RandomArrays.uniform(20, k.kernelShape());
    INDArray dOut = RandomArrays.uniform(21, k.outShape());
    INDArray dKernel64 = nansLike(kernel);
    INDArray dBias64 = nans(k.filters());
    INDArray dx64 = nansLike(x);
    backward.run(x, kernel, dOut, k.window(), dKernel64, dBias64, dx64);
    INDArray dKernel32 = nansLike(kernel).castTo(DataType.FLOAT);
    INDArray dBias32 = nans(k.filters()).castTo(DataType.FLOAT);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    backward.run(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
        dOut.castTo(DataType.FLOAT), k.window(), dKernel32, dBias32, dx32);
    assertCloseToFloat64(dKernel64, dKernel32, "dKernel");
    assertCloseToFloat64(dBias64, dBias32, "dBias");
    assertCloseToFloat64(dx64, dx32, "dx");
  }

  void repeatedCallsAllocateNothing(Case k) {
    INDArray x = RandomArrays.uniform(16, k.xShape());
    INDArray kernel = RandomArrays.uniform(17, k.kernelShape());
    INDArray bias = RandomArrays.uniform(18, k.filters());
    INDArray out = nans(k.outShape());
    INDArray dKernel = nansLike(kernel);
    INDArray dBias = nansLike(bias);
    assertNoSteadyStateAllocation(
        () -> {
          forward.run(x, kernel, bias, k.window(), out);
          backward.run(x, kernel, out, k.window(), dKernel, dBias, null);
        });
  }
}
