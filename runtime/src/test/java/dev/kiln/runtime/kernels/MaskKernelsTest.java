package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelChecks.assertGradient;
import static dev.kiln.runtime.kernels.KernelChecks.assertNoSteadyStateAllocation;
import static dev.kiln.runtime.kernels.KernelChecks.nans;
import static dev.kiln.runtime.kernels.KernelChecks.nansLike;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.testing.PlainArrays;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The mask kernels (Keras' {@code mask_zero}, {@code Masking}, the merges' AND) and global
 * average pooling over unmasked steps, by hand and against float64 finite differences.
 */
class MaskKernelsTest {

  /** Sample 0 counts steps 0, 2 and 3; sample 1 steps 0 and 1; sample 2 none. */
  private static final double[][] MASK = {{1, 0, 1, 1}, {1, 1, 0, 0}, {0, 0, 0, 0}};

  @Test
  void tokensOtherThanZeroCount() {
    INDArray ids = Nd4j.createFromArray(new int[][] {{3, 0, 5, 1}, {2, 7, 0, 0}, {0, 0, 0, 0}});
    INDArray mask = nans(3, 4);
    Masks.nonZero(ids, mask);
    assertEquals(Nd4j.createFromArray(MASK), mask);
    // Whole numbers in floats, and a view that is not contiguous: the same.
    INDArray wide = Nd4j.zeros(DataType.DOUBLE, 3, 8);
    wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 8)).assign(ids);
    Masks.nonZero(wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 8)), mask);
    assertEquals(Nd4j.createFromArray(MASK), mask);
  }

  @Test
  void andOfTwoMasks() {
    INDArray a = Nd4j.createFromArray(MASK);
    INDArray b = Nd4j.createFromArray(new double[][] {{1, 1, 0, 1}, {0, 1, 1, 0}, {1, 1, 1, 1}});
    INDArray out = nans(3, 4);
    Masks.and(a, b, out);
    assertEquals(Nd4j.createFromArray(new double[][] {{1, 0, 0, 1}, {0, 1, 0, 0}, {0, 0, 0, 0}}),
        out);
  }

  @Test
  void maskingZeroesStepsWhoseFeaturesAllEqualTheValue() {
    INDArray x = Nd4j.createFromArray(new double[][][] {
        {{1, 2}, {-1, -1}, {-1, 0}}, {{-1, -1}, {-1, -1}, {3, -1}}});
    INDArray mask = nans(2, 3);
    INDArray out = nansLike(x);
    Masking.forward(x, -1, mask, out);
    assertEquals(Nd4j.createFromArray(new double[][] {{1, 0, 1}, {0, 0, 1}}), mask);
    assertEquals(Nd4j.createFromArray(new double[][][] {
        {{1, 2}, {0, 0}, {-1, 0}}, {{0, 0}, {0, 0}, {3, -1}}}), out);
  }

  /**
   * A masked step's features sit at the mask value, where the mask jumps: the finite differences
   * are taken of values that keep each step's mask, so masked steps have no derivative, as the
   * mask is constant to Keras' gradient.
   */
  @Test
  void maskingBackwardMatchesFiniteDifferences() {
    INDArray mask = Nd4j.createFromArray(MASK);
    INDArray free = RandomArrays.uniform(1, 3, 4, 2);
    INDArray x = nansLike(free);
    INDArray out = nansLike(free);
    INDArray computedMask = nans(3, 4);
    Runnable forward = () -> {
      x.assign(free);
      for (int sample = 0; sample < 3; sample++) {
        for (int step = 0; step < 4; step++) {
          if (MASK[sample][step] == 0) {
            x.get(NDArrayIndex.point(sample), NDArrayIndex.point(step)).assign(0.25);
          }
        }
      }
      Masking.forward(x, 0.25, computedMask, out);
    };
    forward.run();
    assertEquals(mask, computedMask);
    INDArray r = RandomArrays.uniform(2, 3, 4, 2);
    INDArray dx = nansLike(free);
    Masking.backward(computedMask, r, dx);
    assertGradient("Masking dx", forward, out, r, free, dx);
  }

  @Test
  void globalAverageOverUnmaskedStepsByHand() {
    INDArray x = RandomArrays.uniform(3, 3, 4, 2);
    INDArray out = nans(3, 2);
    GlobalAveragePooling1D.forward(x, Nd4j.createFromArray(MASK), out);
    for (int c = 0; c < 2; c++) {
      assertEquals((x.getDouble(0, 0, c) + x.getDouble(0, 2, c) + x.getDouble(0, 3, c)) / 3,
          out.getDouble(0, c), 1e-15);
      assertEquals((x.getDouble(1, 0, c) + x.getDouble(1, 1, c)) / 2, out.getDouble(1, c), 1e-15);
      // Keras divides 0 by 0 here; Kiln gives 0.
      assertEquals(0.0, out.getDouble(2, c));
    }
  }

  @Test
  void globalAverageBackwardMatchesFiniteDifferences() {
    INDArray mask = Nd4j.createFromArray(MASK);
    INDArray x = RandomArrays.uniform(4, 3, 4, 2);
    INDArray r = RandomArrays.uniform(5, 3, 2);
    INDArray out = nans(3, 2);
    INDArray dx = nansLike(x);
    GlobalAveragePooling1D.backward(mask, r, dx);
    assertGradient("masked global average dx",
        () -> GlobalAveragePooling1D.forward(x, mask, out), out, r, x, dx);
    assertArrayEquals(new double[8], PlainArrays.values(
        dx.get(NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.all())), 0);
  }

  @Test
  void masksAllocateNothingInTheSteadyState() {
    INDArray ids = Nd4j.createFromArray(new int[][] {{3, 0, 5, 1}, {2, 7, 0, 0}, {0, 0, 0, 0}});
    INDArray mask = nans(3, 4);
    INDArray x = RandomArrays.uniform(6, 3, 4, 2);
    INDArray out = nansLike(x);
    INDArray pooled = nans(3, 2);
    assertNoSteadyStateAllocation(() -> {
      Masks.nonZero(ids, mask);
      Masks.and(mask, mask, mask);
      Masking.forward(x, 0, mask, out);
      Masking.backward(mask, out, out);
      GlobalAveragePooling1D.forward(x, mask, pooled);
      GlobalAveragePooling1D.backward(mask, pooled, out);
    });
  }
}
