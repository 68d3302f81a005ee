package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training step's first convolution with its ReLU and 2x2 max pooling in one pass ({@link
 * Conv2D#forwardPooledReluForBackward}, {@link Conv2D#backwardPooledRelu}): in float32 lanes
 * ({@link SmallConvLanes}, {@link SmallConvPoolGradient}) the pooled values are the bits of the
 * layers one by one, and the kernel and bias gradients are float64 sums of the same routed
 * gradient; in float64 (the layers one by one, as the model's finite-difference checks run them)
 * the same as the separate calls.
 */
@ExtendWith(WholeLanes.class)
class PooledConvTrainingTest {

  private static final Window POOL = Window.valid(2, 2, 2, 2);

  static Stream<Conv2DTest.Case> cases() {
    return Stream.of(
        // The seed CNN's first convolution and shared input's two, smaller; odd outputs leave a
        // row and a column no window pools.
        new Conv2DTest.Case(2, 9, 10, 1, 32, Window.valid(4, 4, 1, 1)),
        new Conv2DTest.Case(3, 14, 13, 1, 16, Window.valid(8, 8, 1, 1)),
        // Three channels at stride 2; past TWO_THREADS, split over rows.
        new Conv2DTest.Case(3, 13, 12, 3, 32, Window.valid(3, 3, 2, 2)),
        new Conv2DTest.Case(16, 28, 28, 1, 32, Window.valid(4, 4, 1, 1)),
        // Same padding (CnnFlat's first convolution, smaller): the padding's zeros add nothing
        // to the kernel's gradient; an odd side at stride 2.
        new Conv2DTest.Case(2, 9, 10, 1, 32, Window.same(4, 4, 1, 1)),
        new Conv2DTest.Case(3, 13, 12, 3, 16, Window.same(3, 3, 2, 2)),
        new Conv2DTest.Case(16, 28, 28, 1, 32, Window.same(4, 4, 1, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32LanesPoolTheLayersBitsAndSumTheirGradient(Conv2DTest.Case k) {
    assertTrue(SmallConvLanes.handles(Nd4j.zeros(DataType.FLOAT, k.xShape()),
        Nd4j.zeros(DataType.FLOAT, k.kernelShape()), null, k.window(),
        Nd4j.zeros(DataType.FLOAT, k.outShape())), "the case runs in the lanes");
    for (boolean withBias : new boolean[] {true, false}) {
      INDArray x = RandomArrays.uniform(61, k.xShape()).castTo(DataType.FLOAT);
      // A blank first image: its windows tie (every output is the bias), the first cell wins.
      x.slice(0).assign(0);
      INDArray kernel = RandomArrays.uniform(62, k.kernelShape()).castTo(DataType.FLOAT);
      INDArray bias = withBias ? RandomArrays.uniform(63, k.filters()).castTo(DataType.FLOAT) : null;
      long[] pooledShape = {k.n(), k.oh() / 2, k.ow() / 2, k.filters()};
      INDArray dPooled = RandomArrays.uniform(64, pooledShape).castTo(DataType.FLOAT);

      // The layers one by one, in float32; the routed gradient's sums in float64.
      INDArray out = nans(k.outShape()).castTo(DataType.FLOAT);
      INDArray expectedPooled = nans(pooledShape).castTo(DataType.FLOAT);
      Conv2D.forward(x, kernel, bias, k.window(), out);
      MaxPool2D.forwardRelu(out, POOL, expectedPooled);
      INDArray dOut = nans(k.outShape()).castTo(DataType.FLOAT);
      MaxPool2D.backwardThroughRelu(out, dPooled, POOL, dOut);
      INDArray expectedKernel = nans(k.kernelShape());
      INDArray expectedBias = nans(k.filters());
      Conv2D.backward(x.castTo(DataType.DOUBLE), kernel.castTo(DataType.DOUBLE),
          dOut.castTo(DataType.DOUBLE), k.window(), expectedKernel, expectedBias, null);

      INDArray trace = nans(k.outShape()).castTo(DataType.FLOAT);
      INDArray pooled = nans(pooledShape).castTo(DataType.FLOAT);
      Conv2D.forwardPooledReluForBackward(x, kernel, bias, k.window(), trace, POOL, pooled);
      assertAllClose(values(expectedPooled), pooled, 0, "pooled, bias " + withBias);
      INDArray dKernel = nans(k.kernelShape()).castTo(DataType.FLOAT);
      INDArray dBias = nans(k.filters()).castTo(DataType.FLOAT);
      INDArray unwritten = nans(k.outShape()).castTo(DataType.FLOAT);
      Conv2D.backwardPooledRelu(x, kernel, bias, trace, dPooled, k.window(), POOL, unwritten,
          pooled, dKernel, dBias);
      assertCloseToFloat64(expectedKernel, dKernel, "kernel gradient, bias " + withBias);
      assertCloseToFloat64(expectedBias, dBias, "bias gradient, bias " + withBias);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float64RunsTheLayersOneByOne(Conv2DTest.Case k) {
    INDArray x = RandomArrays.uniform(71, k.xShape());
    INDArray kernel = RandomArrays.uniform(72, k.kernelShape());
    INDArray bias = RandomArrays.uniform(73, k.filters());
    long[] pooledShape = {k.n(), k.oh() / 2, k.ow() / 2, k.filters()};
    INDArray dPooled = RandomArrays.uniform(74, pooledShape);

    INDArray out = nans(k.outShape());
    INDArray expectedPooled = nans(pooledShape);
    Conv2D.forward(x, kernel, bias, k.window(), out);
    MaxPool2D.forwardRelu(out, POOL, expectedPooled);
    INDArray expectedDOut = nans(k.outShape());
    MaxPool2D.backwardThroughRelu(out, dPooled, POOL, expectedDOut);
    INDArray expectedKernel = nans(k.kernelShape());
    INDArray expectedBias = nans(k.filters());
    Conv2D.backward(x, kernel, expectedDOut, k.window(), expectedKernel, expectedBias, null);

    INDArray kept = nans(k.outShape());
    INDArray pooled = nans(pooledShape);
    Conv2D.forwardPooledReluForBackward(x, kernel, bias, k.window(), kept, POOL, pooled);
    assertAllClose(values(out), kept, 0, "the convolution's output, kept");
    assertAllClose(values(expectedPooled), pooled, 0, "pooled");
    INDArray dOut = nans(k.outShape());
    INDArray dKernel = nans(k.kernelShape());
    INDArray dBias = nans(k.filters());
    Conv2D.backwardPooledRelu(
        x, kernel, bias, kept, dPooled, k.window(), POOL, dOut, pooled, dKernel, dBias);
    assertAllClose(values(expectedDOut), dOut, 0, "the convolution's output gradient");
    assertAllClose(values(expectedKernel), dKernel, 0, "kernel gradient");
    assertAllClose(values(expectedBias), dBias, 0, "bias gradient");
  }
}
