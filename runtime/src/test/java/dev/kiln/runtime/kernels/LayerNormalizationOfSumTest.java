package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual's add and norm in one pass each way ({@link LayerNormalization#forwardOfSum},
 * {@link LayerNormalization#backwardOfSum}): the bits of {@link Add} followed by {@link
 * LayerNormalization}, in lanes (rows of whole vectors, one thread and two halves) and in loops,
 * float32 and float64, with either, both or neither input gradient, and forward without the sum
 * (a prediction's); gradients against finite
 * differences in float64 and in float32 on each path; a heap check of the lanes.
 */
class LayerNormalizationOfSumTest {

  /** Features: whole vectors (lanes where the Vector API is on) and not (loops). */
  private static final int[] FEATURES = {128, 16, 5};

  /** Rows: one thread, and two halves past {@link LayerNormalization#TWO_THREADS} at 128. */
  private static final int[] ROWS = {9, 1025};

  @Test
  void forwardAndBackwardGiveTheSeparatePassesBits() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (int features : FEATURES) {
        for (int rows : ROWS) {
          String what = type + ", " + rows + " rows of " + features;
          INDArray a = RandomArrays.uniform(51, rows, features).muli(3).castTo(type);
          INDArray b = RandomArrays.uniform(52, rows, features).subi(0.5).castTo(type);
          INDArray gamma = RandomArrays.uniform(53, features).castTo(type);
          INDArray beta = RandomArrays.uniform(54, features).castTo(type);
          INDArray dOut = RandomArrays.uniform(55, rows, features).subi(0.5).castTo(type);

          INDArray expectedSum = nans(type, rows, features);
          INDArray expected = nans(type, rows, features);
          Add.forward(expectedSum, a, b);
          LayerNormalization.forward(expectedSum, gamma, beta, features, 1e-3, expected);
          INDArray sum = nans(type, rows, features);
          INDArray out = nans(type, rows, features);
          LayerNormalization.forwardOfSum(a, b, gamma, beta, features, 1e-3, sum, out);
          assertSameBits(expectedSum, sum, what + ": sum");
          assertSameBits(expected, out, what + ": output");
          INDArray predicted = nans(type, rows, features);
          LayerNormalization.forwardOfSum(a, b, gamma, beta, features, 1e-3, null, predicted);
          assertSameBits(expected, predicted, what + ": output without the sum (a prediction)");

          INDArray expectedDx = nans(type, rows, features);
          INDArray expectedGamma = nans(type, features);
          INDArray expectedBeta = nans(type, features);
          LayerNormalization.backward(sum, gamma, features, 1e-3, dOut, expectedGamma,
              expectedBeta, expectedDx);
          for (int targets = 0; targets < 4; targets++) {
            INDArray dA = (targets & 1) == 0 ? null : nans(type, rows, features);
            INDArray dB = (targets & 2) == 0 ? null : nans(type, rows, features);
            INDArray dGamma = nans(type, features);
            INDArray dBeta = nans(type, features);
            LayerNormalization.backwardOfSum(sum, gamma, features, 1e-3, dOut, dGamma, dBeta, dA,
                dB);
            String gradients = what + ", input gradients " + targets;
            assertSameBits(expectedGamma, dGamma, gradients + ": gamma");
            assertSameBits(expectedBeta, dBeta, gradients + ": beta");
            if (dA != null) {
              assertSameBits(expectedDx, dA, gradients + ": first input");
            }
            if (dB != null) {
              assertSameBits(expectedDx, dB, gradients + ": second input");
            }
          }
        }
      }
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int features : new int[] {16, 5}) {
      INDArray a = RandomArrays.uniform(61, 3, 4, features).muli(2);
      INDArray b = RandomArrays.uniform(62, 3, 4, features).subi(0.5);
      INDArray gamma = RandomArrays.uniform(63, features);
      INDArray beta = RandomArrays.uniform(64, features);
      INDArray r = RandomArrays.uniform(65, 3, 4, features);
      Gradients float64 = Gradients.of(a, b, gamma, beta, r, features);
      INDArray out = NdArrays.zeros(DataType.DOUBLE, 3, 4, features);
      INDArray sum = NdArrays.zeros(DataType.DOUBLE, 3, 4, features);
      Runnable forward = () ->
          LayerNormalization.forwardOfSum(a, b, gamma, beta, features, 1e-3, sum, out);
      String at = features + " features: ";
      KernelChecks.assertGradient(at + "a", forward, out, r, a, float64.a);
      KernelChecks.assertGradient(at + "b", forward, out, r, b, float64.b);
      KernelChecks.assertGradient(at + "gamma", forward, out, r, gamma, float64.gamma);
      KernelChecks.assertGradient(at + "beta", forward, out, r, beta, float64.beta);

      DataType f = DataType.FLOAT;
      INDArray a32 = a.castTo(f);
      INDArray b32 = b.castTo(f);
      INDArray gamma32 = gamma.castTo(f);
      INDArray beta32 = beta.castTo(f);
      INDArray r32 = r.castTo(f);
      Gradients float32 = Gradients.of(a32, b32, gamma32, beta32, r32, features);
      INDArray out32 = NdArrays.zeros(f, 3, 4, features);
      INDArray sum32 = NdArrays.zeros(f, 3, 4, features);
      Runnable forward32 = () ->
          LayerNormalization.forwardOfSum(a32, b32, gamma32, beta32, features, 1e-3, sum32, out32);
      Float32Gradients.assertGradient(at + "float32 a", forward32, out32, r32, a32, float32.a);
      Float32Gradients.assertGradient(at + "float32 b", forward32, out32, r32, b32, float32.b);
      Float32Gradients.assertGradient(at + "float32 gamma", forward32, out32, r32, gamma32,
          float32.gamma);
      Float32Gradients.assertGradient(at + "float32 beta", forward32, out32, r32, beta32,
          float32.beta);
    }
  }

  @Test
  void warmedUpLanesAllocateNoHeapPerRow() {
    assumeTrue(VectorApi.ENABLED);
    long fewest =
        FreshJvm.bytesPerCall(LayerNormalizationOfSumTest.class, "fewestBytesPerCall", null);
    assertTrue(fewest <= HEAP_LIMIT, "a warmed-up add-and-norm forward and backward call in lanes"
        + " over 256 rows of 128 allocated " + fewest + " heap bytes, more than " + HEAP_LIMIT);
  }

  /**
   * The call's own objects (lanes views of its eight arrays, the shape checks): 2,064 bytes
   * measured; a vector boxed per row would take some 80 bytes times 8 vectors times 256 rows.
   */
  private static final long HEAP_LIMIT = 3072;

  /** The measurement, which the test runs in a JVM of its own ({@link FreshJvm}). */
  static long fewestBytesPerCall() {
    int rows = 256; // 32K values: one thread
    DataType f = DataType.FLOAT;
    INDArray a = RandomArrays.uniform(91, rows, 128).castTo(f);
    INDArray b = RandomArrays.uniform(92, rows, 128).castTo(f);
    INDArray gamma = RandomArrays.uniform(93, 128).castTo(f);
    INDArray beta = RandomArrays.uniform(94, 128).castTo(f);
    INDArray sum = NdArrays.zeros(f, rows, 128);
    INDArray out = NdArrays.zeros(f, rows, 128);
    INDArray dGamma = NdArrays.zeros(f, 128);
    INDArray dBeta = NdArrays.zeros(f, 128);
    INDArray dA = NdArrays.zeros(f, rows, 128);
    INDArray dB = NdArrays.zeros(f, rows, 128);
    return HeapPerCall.fewestBytes(() -> {
      LayerNormalization.forwardOfSum(a, b, gamma, beta, 128, 1e-3, sum, out);
      LayerNormalization.backwardOfSum(sum, gamma, 128, 1e-3, out, dGamma, dBeta, dA, dB);
    }, 20, HEAP_LIMIT);
  }

  /** The gradients of {@code sum(forwardOfSum(a, b) * r)} by the fused backward pass. */
  private record Gradients(INDArray a, INDArray b, INDArray gamma, INDArray beta) {
    static Gradients of(INDArray a, INDArray b, INDArray gamma, INDArray beta, INDArray r,
        int features) {
      DataType type = a.dataType();
      INDArray sum = NdArrays.zeros(type, a.shape());
      INDArray out = NdArrays.zeros(type, a.shape());
      LayerNormalization.forwardOfSum(a, b, gamma, beta, features, 1e-3, sum, out);
      Gradients g = new Gradients(NdArrays.zeros(type, a.shape()), NdArrays.zeros(type, a.shape()),
          NdArrays.zeros(type, gamma.shape()), NdArrays.zeros(type, beta.shape()));
      LayerNormalization.backwardOfSum(sum, gamma, features, 1e-3, r, g.gamma, g.beta, g.a, g.b);
      return g;
    }
  }

  private static INDArray nans(DataType type, long... shape) {
    return NdArrays.zeros(type, shape).assign(Double.NaN);
  }

  private static void assertSameBits(INDArray expected, INDArray actual, String what) {
    double[] e = PlainArrays.values(expected);
    double[] a = PlainArrays.values(actual);
    assertEquals(e.length, a.length, what + ": length");
    for (int i = 0; i < e.length; i++) {
      assertEquals(Double.doubleToLongBits(e[i]), Double.doubleToLongBits(a[i]),
          what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
    }
  }
}
