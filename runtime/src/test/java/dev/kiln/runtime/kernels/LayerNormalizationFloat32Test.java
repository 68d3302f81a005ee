package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNormalization's float32 paths: rows of whole vectors in Vector API lanes ({@link
 * LayerNormalizationLanes}) against the float64 loops, on one thread and in two halves, with and
 * without parameters, the input gradient over the output gradient; float32 finite differences in
 * lanes and in loops; and a heap check of the lanes.
 */
class LayerNormalizationFloat32Test {

  /**
   * Float32 against float64, values of order 1 (measured: 3.8e-7 at most for the output, 1.2e-7
   * for the input gradient; the parameter gradients, sums over rows, 8.5e-6 over 1,025 rows).
   */
  private static final double TOLERANCE = 5e-7;

  @Test
  void lanesMatchFloat64LoopsOnOneThread() {
    assumeTrue(VectorApi.ENABLED);
    compareWithFloat64(3 * 7, 32, true);
    compareWithFloat64(3 * 7, 32, false);
  }

  @Test
  void lanesInTwoHalvesMatchFloat64Loops() {
    assumeTrue(VectorApi.ENABLED);
    // 1,025 rows of 64: two halves and, in each, blocks of 64 rows and a part of one
    compareWithFloat64(1025, 64, true);
  }

  /** Forward, and backward with dx written over dOut, in float32 and float64. */
  private static void compareWithFloat64(int rows, int features, boolean parameters) {
    assertTrue(LayerNormalizationLanes.suits(features));
    INDArray x = RandomArrays.uniform(71, rows, features).muli(3).addi(0.5);
    INDArray gamma = parameters ? RandomArrays.uniform(72, features) : null;
    INDArray beta = parameters ? RandomArrays.uniform(73, features) : null;
    INDArray dOut = RandomArrays.uniform(74, rows, features);
    INDArray out = NdArrays.zeros(DataType.DOUBLE, rows, features);
    LayerNormalization.forward(x, gamma, beta, features, 1e-3, out);
    INDArray dGamma = NdArrays.zeros(DataType.DOUBLE, features);
    INDArray dBeta = NdArrays.zeros(DataType.DOUBLE, features);
    INDArray dx = dOut.dup();
    LayerNormalization.backward(x, gamma, features, 1e-3, dx, dGamma, dBeta, dx);

    INDArray out32 = NdArrays.zeros(DataType.FLOAT, rows, features);
    LayerNormalization.forward(f(x), f(gamma), f(beta), features, 1e-3, out32);
    INDArray dGamma32 = NdArrays.zeros(DataType.FLOAT, features);
    INDArray dBeta32 = NdArrays.zeros(DataType.FLOAT, features);
    INDArray dx32 = f(dOut);
    LayerNormalization.backward(f(x), f(gamma), features, 1e-3, dx32, dGamma32, dBeta32, dx32);
    String what = rows + " rows of " + features + (parameters ? "" : " without parameters");
    assertAllClose(values(out), out32, 2 * TOLERANCE, what + ": output");
    assertAllClose(values(dx), dx32, TOLERANCE, what + ": input gradient");
    // Sums over the rows: their rounding grows with the square root of the number of terms.
    double sums = 2 * TOLERANCE * Math.sqrt(rows);
    assertAllClose(values(dGamma), dGamma32, sums, what + ": gamma gradient");
    assertAllClose(values(dBeta), dBeta32, sums, what + ": beta gradient");
  }

  @Test
  void float32GradientsInLanesMatchFiniteDifferences() {
    assumeTrue(VectorApi.ENABLED);
    checkGradients(16);
  }

  @Test
  void float32GradientsInLoopsMatchFiniteDifferences() {
    checkGradients(5); // 5 features: the loops, whatever the Vector API
  }

  private static void checkGradients(int features) {
    INDArray x = RandomArrays.uniform(81, 3, 4, features).muli(2).castTo(DataType.FLOAT);
    INDArray gamma = RandomArrays.uniform(82, features).castTo(DataType.FLOAT);
    INDArray beta = RandomArrays.uniform(83, features).castTo(DataType.FLOAT);
    INDArray r = RandomArrays.uniform(84, 3, 4, features).castTo(DataType.FLOAT);
    INDArray out = NdArrays.zeros(DataType.FLOAT, 3, 4, features);
    Runnable forward = () -> LayerNormalization.forward(x, gamma, beta, features, 1e-3, out);
    INDArray dGamma = NdArrays.zeros(DataType.FLOAT, features);
    INDArray dBeta = NdArrays.zeros(DataType.FLOAT, features);
    INDArray dx = NdArrays.zeros(DataType.FLOAT, 3, 4, features);
    LayerNormalization.backward(x, gamma, features, 1e-3, r, dGamma, dBeta, dx);
    String at = features + " features: ";
    Float32Gradients.assertGradient(at + "input", forward, out, r, x, dx);
    Float32Gradients.assertGradient(at + "gamma", forward, out, r, gamma, dGamma);
    Float32Gradients.assertGradient(at + "beta", forward, out, r, beta, dBeta);
  }

  /**
   * A warmed-up forward and backward call in lanes allocates only the call's few objects: no
   * vector boxed on the heap (see LstmLanesHeapTest).
   */
  @Test
  void warmedUpLanesAllocateNoHeapPerRow() {
    assumeTrue(VectorApi.ENABLED);
    long fewest =
        FreshJvm.bytesPerCall(LayerNormalizationFloat32Test.class, "fewestBytesPerCall", null);
    assertTrue(fewest <= HEAP_LIMIT, "a warmed-up LayerNormalization forward and backward call in"
        + " lanes over 256 rows of 128 allocated " + fewest + " heap bytes, more than " + HEAP_LIMIT);
  }

  /** Heap bytes a warmed-up forward and backward call may allocate: its few objects. */
  private static final long HEAP_LIMIT = 2048;

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytesPerCall() {
    int rows = 256; // 32K values: one thread
    INDArray x = RandomArrays.uniform(91, rows, 128).castTo(DataType.FLOAT);
    INDArray gamma = RandomArrays.uniform(92, 128).castTo(DataType.FLOAT);
    INDArray beta = RandomArrays.uniform(93, 128).castTo(DataType.FLOAT);
    INDArray out = NdArrays.zeros(DataType.FLOAT, rows, 128);
    INDArray dGamma = NdArrays.zeros(DataType.FLOAT, 128);
    INDArray dBeta = NdArrays.zeros(DataType.FLOAT, 128);
    INDArray dx = NdArrays.zeros(DataType.FLOAT, rows, 128);
    return HeapPerCall.fewestBytes(() -> {
      LayerNormalization.forward(x, gamma, beta, 128, 1e-3, out);
      LayerNormalization.backward(x, gamma, 128, 1e-3, out, dGamma, dBeta, dx);
    }, 20, HEAP_LIMIT);
  }

  private static INDArray f(INDArray x) {
    return x == null ? null : x.castTo(DataType.FLOAT);
  }
}
