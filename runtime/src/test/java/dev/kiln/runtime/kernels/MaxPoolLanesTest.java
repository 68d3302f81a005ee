package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.assertCloseToFloat64;
import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Max pooling's backward pass in float32 Vector API lanes ({@link MaxPoolLanes}) and through a
 * ReLU ({@link MaxPool2D#backwardThroughRelu}), against the float64 path, whose gradients
 * finite differences check. 37 channels are two or four full vectors and a part of one, 32
 * whole vectors; the larger cases run on two threads.
 */
@ExtendWith(WholeLanes.class)
class MaxPoolLanesTest {

  static Stream<PoolingCase> cases() {
    return Stream.of(
        // Keras' default, tiling; 7 rows leave a row no window covers in valid mode.
        lanes(2, 7, 6, Window.valid(2, 2, 2, 2)),
        lanes(2, 7, 6, Window.same(2, 2, 2, 2)),
        // Windows that share pixels, and windows with gaps between them.
        lanes(2, 7, 6, Window.same(3, 2, 1, 1)),
        lanes(2, 7, 6, Window.valid(3, 2, 2, 2)),
        lanes(2, 5, 9, Window.same(1, 1, 3, 3)),
        // Past MaxPoolLanes.TWO_THREADS: split by output rows, and by images where they overlap.
        lanes(8, 33, 32, Window.valid(2, 2, 2, 2)),
        lanes(8, 33, 32, Window.same(3, 3, 2, 2)),
        lanes(1, 97, 96, Window.same(3, 3, 2, 2)),
        // 32 channels, whole vectors: runs of 2x2 windows side by side, then a cut last column.
        new PoolingCase(2, 7, 6, 32, Window.valid(2, 2, 2, 2)),
        new PoolingCase(2, 7, 7, 32, Window.same(2, 2, 2, 2)),
        new PoolingCase(8, 33, 33, 32, Window.valid(2, 2, 2, 2)));
  }

  private static PoolingCase lanes(int n, int h, int w, Window window) {
    return new PoolingCase(n, h, w, 37, window);
  }

  @Test
  void theTestsRunTheLanesOnX86() {
    String arch = System.getProperty("os.arch");
    assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "the lanes run on x86-64 only");
    assertTrue(VectorApi.ENABLED, "the tests' JVMs start with --add-modules jdk.incubator.vector");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardLanesAndNativeMatchLoops(PoolingCase k) {
    INDArray x = RandomArrays.uniform(10, k.xShape()).castTo(DataType.FLOAT);
    // A maximum is one of the values: float32 holds it exactly.
    double[] expected = k.reference(values(x), true);
    INDArray nativeOut = nans(k.outShape()).castTo(DataType.FLOAT);
    MaxPool2D.nativeForward(x, k.window(), nativeOut);
    assertAllClose(expected, nativeOut, 0, "libnd4j out");
    if (VectorApi.ENABLED) {
      INDArray lanesOut = nans(k.outShape()).castTo(DataType.FLOAT);
      MaxPoolLanes.forward(x, k.window(), lanesOut, false);
      assertAllClose(expected, lanesOut, 0, "lanes out");
    }
  }

  /** The ReLU applied to the pooled values: the pooling of the ReLU's output, exactly. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardReluPoolsTheReluOutput(PoolingCase k) {
    INDArray z = RandomArrays.uniform(23, k.xShape()).castTo(DataType.FLOAT);
    INDArray y = z.dup();
    Relu.forward(y);
    double[] expected = k.reference(values(y), true);
    INDArray zBefore = z.dup();
    INDArray out = nans(k.outShape()).castTo(DataType.FLOAT);
    MaxPool2D.forwardRelu(z, k.window(), out);
    assertAllClose(expected, out, 0, "forwardRelu out");
    assertAllClose(values(zBefore), z, 0, "forwardRelu's input, untouched");
    INDArray out64 = nans(k.outShape());
    MaxPool2D.forwardRelu(z.castTo(DataType.DOUBLE), k.window(), out64);
    assertAllClose(expected, out64, 0, "forwardRelu out, float64 (libnd4j)");
    if (VectorApi.ENABLED) {
      INDArray lanesOut = nans(k.outShape()).castTo(DataType.FLOAT);
      MaxPoolLanes.forward(z, k.window(), lanesOut, true);
      assertAllClose(expected, lanesOut, 0, "lanes out");
    }
  }

  /**
   * forwardRelu leaves the ReLU's input in the buffer, and backwardThroughRelu then reads it: its
   * gradient checked by finite differences of {@code forwardRelu} (float64), and float32 lanes
   * against float64, ties included.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#backwardCases")
  void throughReluFromTheReluInputMatchesFiniteDifferences(PoolingCase k) {
    INDArray z = RandomArrays.uniform(24, k.xShape());
    INDArray r = RandomArrays.uniform(25, k.outShape());
    INDArray out = nans(k.outShape());
    INDArray dz = nansLike(z);
    MaxPool2D.backwardThroughRelu(z, r, k.window(), dz);
    assertGradient("dz", () -> MaxPool2D.forwardRelu(z, k.window(), out), out, r, z, dz);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32ThroughReluFromTheReluInputAgreesWithFloat64(PoolingCase k) {
    for (double scale : new double[] {1, 1.4}) {
      INDArray z = RandomArrays.uniform(26, k.xShape()).muli(scale);
      if (scale != 1) {
        // -1, 0 and 1: ties, and windows whose maximum is 0.
        z.assign(Transforms.round(z));
      }
      INDArray y = z.dup();
      Relu.forward(y);
      INDArray dOut = RandomArrays.uniform(27, k.outShape());
      INDArray dz64 = nansLike(z);
      MaxPool2D.backwardThroughRelu(y, dOut, k.window(), dz64);
      INDArray dz32 = nansLike(z).castTo(DataType.FLOAT);
      MaxPool2D.backwardThroughRelu(
          z.castTo(DataType.FLOAT), dOut.castTo(DataType.FLOAT), k.window(), dz32);
      assertAllClose(values(dz64), dz32, 1e-6, "dz from the ReLU's input, scale " + scale);
      INDArray dzFromInput64 = nansLike(z);
      MaxPool2D.backwardThroughRelu(z, dOut, k.window(), dzFromInput64);
      assertAllClose(values(dz64), dzFromInput64, 0, "float64 dz from the ReLU's input");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32LanesAgreeWithFloat64(PoolingCase k) {
    assumeTrue(VectorApi.ENABLED);
    INDArray x = RandomArrays.uniform(11, k.xShape());
    INDArray dOut = RandomArrays.uniform(12, k.outShape());
    INDArray dx64 = nansLike(x);
    MaxPool2D.backward(x, dOut, k.window(), dx64);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    MaxPoolLanes.backward(
        x.castTo(DataType.FLOAT), dOut.castTo(DataType.FLOAT), k.window(), dx32, false);
    assertCloseToFloat64(dx64, dx32, "dx");
  }

  /** Without the Vector API float32 runs on libnd4j, as float64 does. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32NativeAgreesWithFloat64(PoolingCase k) {
    INDArray x = RandomArrays.uniform(13, k.xShape());
    INDArray dOut = RandomArrays.uniform(14, k.outShape());
    INDArray dx64 = nansLike(x);
    MaxPool2D.backward(x, dOut, k.window(), dx64);
    INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
    MaxPool2D.nativeBackward(
        x.castTo(DataType.FLOAT), dOut.castTo(DataType.FLOAT), k.window(), dx32);
    assertCloseToFloat64(dx64, dx32, "dx");
  }

  /** Through a ReLU, float64: the gradient of {@code maxPool(relu(z))} with respect to z. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.runtime.kernels.PoolingCase#backwardCases")
  void throughReluMatchesFiniteDifferences(PoolingCase k) {
    INDArray z = RandomArrays.uniform(15, k.xShape());
    INDArray r = RandomArrays.uniform(16, k.outShape());
    INDArray y = z.dup();
    Relu.forward(y);
    INDArray out = nans(k.outShape());
    INDArray dz = nansLike(z);
    MaxPool2D.backwardThroughRelu(y, r, k.window(), dz);
    assertGradient("dz", () -> {
      y.assign(z);
      Relu.forward(y);
      MaxPool2D.forward(y, k.window(), out);
    }, out, r, z, dz);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32ThroughReluAgreesWithFloat64(PoolingCase k) {
    INDArray y = RandomArrays.uniform(17, k.xShape());
    Relu.forward(y);
    INDArray dOut = RandomArrays.uniform(18, k.outShape());
    INDArray dz64 = nansLike(y);
    MaxPool2D.backwardThroughRelu(y, dOut, k.window(), dz64);
    INDArray dz32 = nansLike(y).castTo(DataType.FLOAT);
    MaxPool2D.backwardThroughRelu(
        y.castTo(DataType.FLOAT), dOut.castTo(DataType.FLOAT), k.window(), dz32);
    assertCloseToFloat64(dz64, dz32, "dz");
  }

  /**
   * With -1, 0 and 1 only most windows hold equal maxima: the first, in row-major order, takes
   * the gradient, as in float64; through a ReLU a window of zeros passes nothing on.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32TiesGoWhereFloat64Ties(PoolingCase k) {
    INDArray x = RandomArrays.uniform(19, k.xShape()).muli(1.4);
    x.assign(Transforms.round(x));
    INDArray dOut = RandomArrays.uniform(20, k.outShape());
    INDArray y = x.dup();
    Relu.forward(y);
    for (boolean throughRelu : new boolean[] {false, true}) {
      INDArray pooled = throughRelu ? y : x;
      INDArray dx64 = nansLike(x);
      INDArray dx32 = nansLike(x).castTo(DataType.FLOAT);
      if (throughRelu) {
        MaxPool2D.backward(pooled, dOut, k.window(), dx64);
        Relu.backward(pooled, dx64);
        MaxPool2D.backwardThroughRelu(
            pooled.castTo(DataType.FLOAT), dOut.castTo(DataType.FLOAT), k.window(), dx32);
      } else {
        MaxPool2D.backward(pooled, dOut, k.window(), dx64);
        MaxPool2D.backward(
            pooled.castTo(DataType.FLOAT), dOut.castTo(DataType.FLOAT), k.window(), dx32);
      }
      assertAllClose(values(dx64), dx32, 1e-6, "dx, through a ReLU: " + throughRelu);
    }
  }

  /**
   * Tiling windows store into every pixel rather than add, so none may be skipped: each window's
   * winner gets its gradient, and every other pixel, the row no window covers too, gets zero.
   */
  @Test
  void tilingWindowsWriteEveryPixel() {
    PoolingCase k = lanes(2, 7, 6, Window.valid(2, 2, 2, 2));
    INDArray x = RandomArrays.uniform(21, k.xShape()).castTo(DataType.FLOAT);
    INDArray dOut = RandomArrays.uniform(22, k.outShape()).addi(2).castTo(DataType.FLOAT);
    INDArray dx = nansLike(x);
    MaxPool2D.backward(x, dOut, k.window(), dx);
    int winners = 0;
    for (double value : values(dx)) {
      assertTrue(Double.isFinite(value), "a pixel left unwritten");
      winners += value != 0 ? 1 : 0;
    }
    assertEquals(dOut.length(), winners, "pixels that won a window");
  }
}
