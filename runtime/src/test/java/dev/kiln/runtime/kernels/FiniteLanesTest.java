package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.NdArrays;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The input check's finite test in lanes ({@link FiniteLanes}) finds a NaN or an infinity
 * wherever it is (first value, a whole vector, the partial tail, a view's offset), accepts the
 * largest and smallest finite values, and agrees with the plain loop; a warmed-up check
 * allocates almost no heap.
 */
class FiniteLanesTest {

  private static final int[] LENGTHS = {1, 15, 16, 17, 33, 64 * 784};
  private static final float[] BAD = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

  @Test
  void findsEveryNonFiniteValueWhereverItIs() {
    assumeTrue(VectorApi.ENABLED, "the lanes run with the Vector API only");
    for (int length : LENGTHS) {
      float[] values = finite(length);
      INDArray flat = NdArrays.zeros(DataType.FLOAT, length + 3);
      INDArray view = NdArrays.view(flat, 3, length);
      view.assign(Nd4j.createFromArray(values));
      flat.putScalar(0, Float.NaN); // before the view: not its value
      assertTrue(FiniteLanes.allFinite(view), length + " finite values");
      assertEquals(JavaLoops.allFinite(view), FiniteLanes.allFinite(view), length + " finite");
      for (int at : new int[] {0, length / 2, length - 1}) {
        for (float bad : BAD) {
          view.putScalar(at, bad);
          assertFalse(FiniteLanes.allFinite(view), bad + " at " + at + " of " + length);
          assertEquals(JavaLoops.allFinite(view), FiniteLanes.allFinite(view), "plain loop");
          view.putScalar(at, values[at]);
        }
      }
    }
  }

  @Test
  void anEmptyArrayIsFinite() {
    assertTrue(Reductions.allFinite(Nd4j.zeros(DataType.FLOAT, 0, 784)), "0 x 784");
  }

  /** Finite values of both signs, the extremes among them. */
  private static float[] finite(int length) {
    Random random = new Random(length);
    float[] values = new float[length];
    float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0f};
    for (int i = 0; i < length; i++) {
      values[i] = random.nextInt(4) == 0
          ? extremes[random.nextInt(extremes.length)]
          : (float) random.nextGaussian();
    }
    return values;
  }
}
