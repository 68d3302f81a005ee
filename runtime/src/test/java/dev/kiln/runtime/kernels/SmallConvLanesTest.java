package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.testing.RandomArrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolutions with few taps in float32 lanes ({@link SmallConvLanes}, through {@link
 * Conv2D#forward}) against the float64 sums of {@link Conv2DTest#reference}, and the prediction's
 * pooled path ({@link Conv2D#forwardPooledRelu}) bit for bit against the convolution, ReLU and
 * pooling one by one. Filters are whole vectors (32 and 16: two and one with AVX-512, four and
 * two with AVX2); output widths that are not a multiple of 4 leave single pixels.
 */
@ExtendWith(WholeLanes.class)
class SmallConvLanesTest {

  static Stream<Conv2DTest.Case> cases() {
    return Stream.of(
        // The seed CNN's first convolution (4x4x1) and shared input's second (8x8x1), smaller.
        new Conv2DTest.Case(2, 9, 10, 1, 32, Window.valid(4, 4, 1, 1)),
        new Conv2DTest.Case(2, 13, 11, 1, 16, Window.valid(8, 8, 1, 1)),
        // Three channels at stride 2 and 1x3; past TWO_THREADS, split over rows.
        new Conv2DTest.Case(3, 11, 12, 3, 32, Window.valid(3, 3, 2, 2)),
        new Conv2DTest.Case(2, 7, 9, 3, 16, Window.valid(1, 3, 1, 2)),
        new Conv2DTest.Case(16, 28, 28, 1, 32, Window.valid(4, 4, 1, 1)),
        // Same padding: CnnFlat's first convolution (4x4, one row and column of zeros before,
        // two after) and the U-Net's (3x3), smaller; at stride 2 over odd and even sides, and a
        // 1x1 window at stride 2, which pads nothing.
        new Conv2DTest.Case(2, 9, 10, 1, 32, Window.same(4, 4, 1, 1)),
        new Conv2DTest.Case(2, 7, 8, 1, 16, Window.same(3, 3, 1, 1)),
        new Conv2DTest.Case(3, 11, 12, 3, 32, Window.same(3, 3, 2, 2)),
        new Conv2DTest.Case(2, 8, 7, 2, 16, Window.same(1, 1, 2, 2)),
        new Conv2DTest.Case(16, 28, 28, 1, 32, Window.same(4, 4, 1, 1)));
  }

  @Test
  void theTestsRunTheLanesOnX86() {
    String arch = System.getProperty("os.arch");
    assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "the lanes run on x86-64 only");
    assertTrue(VectorApi.ENABLED, "the tests' JVMs start with --add-modules jdk.incubator.vector");
    Conv2DTest.Case k = cases().findFirst().orElseThrow();
    INDArray x = Nd4j.zeros(DataType.FLOAT, k.xShape());
    INDArray kernel = Nd4j.zeros(DataType.FLOAT, k.kernelShape());
    assertTrue(SmallConvLanes.handles(x, kernel, null, k.window(),
        Nd4j.zeros(DataType.FLOAT, k.outShape())), "the cases run in the lanes");
  }

  /**
   * Dilation, too many taps, filters not a whole number of vectors, or same padding on an image
   * larger than 128x128 (the U-Net's): oneDNN.
   */
  @Test
  void otherConvolutionsStayWithOneDnn() {
    INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 8, 8, 1);
    INDArray out = Nd4j.zeros(DataType.FLOAT, 1, 8, 8, 32);
    INDArray kernel = Nd4j.zeros(DataType.FLOAT, 3, 3, 1, 32);
    assertTrue(SmallConvLanes.handles(x, kernel, null, Window.same(3, 3, 1, 1), out));
    INDArray large = Nd4j.zeros(DataType.FLOAT, 1, 129, 128, 1);
    INDArray largeOut = Nd4j.zeros(DataType.FLOAT, 1, 129, 128, 32);
    assertFalse(SmallConvLanes.handles(large, kernel, null, Window.same(3, 3, 1, 1), largeOut));
    assertTrue(SmallConvLanes.handles(large, kernel, null, Window.valid(3, 3, 1, 1),
        Nd4j.zeros(DataType.FLOAT, 1, 127, 126, 32)));
    assertFalse(SmallConvLanes.handles(
        x, kernel, null, Window.valid(3, 3, 1, 1).dilated(2, 2), out));
    assertFalse(SmallConvLanes.handles(Nd4j.zeros(DataType.FLOAT, 1, 8, 8, 8),
        Nd4j.zeros(DataType.FLOAT, 3, 3, 8, 32), null, Window.valid(3, 3, 1, 1), out));
    assertFalse(SmallConvLanes.handles(
        x, Nd4j.zeros(DataType.FLOAT, 3, 3, 1, 20), null, Window.valid(3, 3, 1, 1), out));
    assertFalse(SmallConvLanes.handles(x.castTo(DataType.DOUBLE),
        kernel.castTo(DataType.DOUBLE), null, Window.valid(3, 3, 1, 1), out));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32LanesAgreeWithFloat64Sums(Conv2DTest.Case k) {
    for (boolean withBias : new boolean[] {true, false}) {
      INDArray x = RandomArrays.uniform(31, k.xShape());
      INDArray kernel = RandomArrays.uniform(32, k.kernelShape());
      INDArray bias = withBias ? RandomArrays.uniform(33, k.filters()) : null;
      double[] expected = Conv2DTest.reference(
          k, values(x), values(kernel), withBias ? values(bias) : null);
      INDArray out = nans(k.outShape()).castTo(DataType.FLOAT);
      Conv2D.forward(x.castTo(DataType.FLOAT), kernel.castTo(DataType.FLOAT),
          withBias ? bias.castTo(DataType.FLOAT) : null, k.window(), out);
      assertCloseToFloat64(
          Nd4j.createFromArray(expected).reshape(k.outShape()), out, "out, bias " + withBias);
    }
  }

  /**
   * The lanes' outputs and the plain loops' a cold call runs ({@link SmallConvLoops}, with every
   * gate cold) against float32 finite differences, for the kernel gradient {@link Conv2D#backward}
   * writes: the convolution is linear in its kernel and bias, so this checks the float32 path's
   * taps and padding from another side.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32OutputsMatchTheKernelGradientByFiniteDifferences(Conv2DTest.Case k) {
    for (boolean lanes : new boolean[] {true, false}) {
      LanesGate.force(lanes);
      INDArray x = RandomArrays.uniform(37, k.xShape()).castTo(DataType.FLOAT);
      INDArray kernel = RandomArrays.uniform(38, k.kernelShape()).subi(0.5).castTo(DataType.FLOAT);
      INDArray bias = RandomArrays.uniform(39, k.filters()).castTo(DataType.FLOAT);
      INDArray r = RandomArrays.uniform(40, k.outShape()).subi(0.5).castTo(DataType.FLOAT);
      INDArray out = nans(k.outShape()).castTo(DataType.FLOAT);
      INDArray dKernel = nans(k.kernelShape()).castTo(DataType.FLOAT);
      INDArray dBias = nans(k.filters()).castTo(DataType.FLOAT);
      Conv2D.backward(x, kernel, r, k.window(), dKernel, dBias, null);
      Runnable forward = () -> Conv2D.forward(x, kernel, bias, k.window(), out);
      String what = (lanes ? "lanes" : "cold: a chunk, then loops") + ", " + k;
      Float32Gradients.assertGradient("kernel, " + what, forward, out, r, kernel, dKernel);
      Float32Gradients.assertGradient("bias, " + what, forward, out, r, bias, dBias);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void predictionPoolsTheSameBitsAsTheLayersOneByOne(Conv2DTest.Case k) {
    INDArray x = RandomArrays.uniform(34, k.xShape()).castTo(DataType.FLOAT);
    INDArray kernel = RandomArrays.uniform(35, k.kernelShape()).castTo(DataType.FLOAT);
    INDArray bias = RandomArrays.uniform(36, k.filters()).castTo(DataType.FLOAT);
    for (Window pool : new Window[] {Window.valid(2, 2, 2, 2), Window.valid(3, 3, 2, 2)}) {
      long[] pooledShape = {k.n(), (k.oh() - pool.height()) / pool.strideHeight() + 1,
          (k.ow() - pool.width()) / pool.strideWidth() + 1, k.filters()};
      INDArray out = nans(k.outShape()).castTo(DataType.FLOAT);
      INDArray expected = nans(pooledShape).castTo(DataType.FLOAT);
      Conv2D.forward(x, kernel, bias, k.window(), out);
      MaxPool2D.forwardRelu(out, pool, expected);
      INDArray pooled = nans(pooledShape).castTo(DataType.FLOAT);
      Conv2D.forwardPooledRelu(
          x, kernel, bias, k.window(), nans(k.outShape()).castTo(DataType.FLOAT), pool, pooled);
      assertAllClose(values(expected), pooled, 0, "pooled, " + pool);
      assertEquals(pool.height() == 2, SmallConvLanes.poolsInPlace(pool), "pooled in place");
    }
  }
}
