package dev.kiln.runtime.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras' label smoothing: the cross-entropies against {@code y (1 - s) + s / K} written out here,
 * and their gradients by float64 central finite differences.
 */
class LabelSmoothingTest {

  private static final double SMOOTHING = 0.2;

  @Test
  void categoricalWithSoftmaxEqualsTheLossAgainstSmoothedTargets() {
    INDArray z = RandomArrays.uniform(1, 5, 4).muli(3);
    INDArray p = Transforms.softmax(z, true);
    INDArray y = RandomArrays.oneHot(2, 5, 4);
    INDArray smoothed = y.mul(1 - SMOOTHING).addi(SMOOTHING / 4);
    double expected = 0;
    for (int i = 0; i < 5; i++) {
      for (int c = 0; c < 4; c++) {
        expected -= smoothed.getDouble(i, c) * Math.log(p.getDouble(i, c));
      }
    }
    INDArray dLogits = Nd4j.zeros(DataType.DOUBLE, 5, 4);
    assertEquals(expected / 5,
        CategoricalCrossEntropy.withSoftmax(p, y, 0.5, dLogits, SMOOTHING), 1e-12);
    // the fused gradient with respect to the scores, by finite differences through the softmax
    assertGradient(() -> CategoricalCrossEntropy.withSoftmax(
        Transforms.softmax(z, true), y, 1, Nd4j.zeros(DataType.DOUBLE, 5, 4), SMOOTHING),
        z, dLogits, 0.5);
  }

  @Test
  void categoricalFromLogitsAgreesWithTheSoftmaxForm() {
    INDArray z = RandomArrays.uniform(3, 2, 3, 4).muli(3);
    INDArray y = RandomArrays.oneHot(4, 6, 4).reshape(2, 3, 4);
    INDArray dz = Nd4j.zeros(DataType.DOUBLE, 2, 3, 4);
    INDArray dLogits = Nd4j.zeros(DataType.DOUBLE, 2, 3, 4);
    double fromLogits = CategoricalCrossEntropy.fromLogits(z, y, 0.7, dz, SMOOTHING);
    double withSoftmax = CategoricalCrossEntropy.withSoftmax(
        Transforms.softmax(z.reshape(6, 4), true).reshape(2, 3, 4), y, 0.7, dLogits, SMOOTHING);
    assertEquals(withSoftmax, fromLogits, 1e-9);
    assertGradient(() -> CategoricalCrossEntropy.fromLogits(
        z, y, 1, Nd4j.zeros(DataType.DOUBLE, 2, 3, 4), SMOOTHING), z, dz, 0.7);
  }

  @Test
  void binaryWithSigmoidEqualsTheLossAgainstSmoothedTargets() {
    INDArray z = RandomArrays.uniform(5, 4, 3).subi(0.5).muli(6);
    INDArray y = RandomArrays.uniform(6, 4, 3).gt(0.5).castTo(DataType.DOUBLE);
    INDArray p = Transforms.sigmoid(z, true);
    double expected = 0;
    for (int i = 0; i < 12; i++) {
      double target = y.getDouble(i) * (1 - SMOOTHING) + SMOOTHING / 2;
      double q = p.getDouble(i);
      expected -= target * Math.log(q) + (1 - target) * Math.log(1 - q);
    }
    INDArray dLogits = Nd4j.zeros(DataType.DOUBLE, 4, 3);
    assertEquals(expected / 12,
        BinaryCrossEntropy.withSigmoid(p, y, 0.5, dLogits, SMOOTHING), 1e-12);
    assertGradient(() -> BinaryCrossEntropy.withSigmoid(
        Transforms.sigmoid(z, true), y, 1, Nd4j.zeros(DataType.DOUBLE, 4, 3), SMOOTHING),
        z, dLogits, 0.5);
    INDArray dz = Nd4j.zeros(DataType.DOUBLE, 4, 3);
    assertEquals(expected / 12, BinaryCrossEntropy.fromLogits(z, y, 0.5, dz, SMOOTHING), 1e-12);
    assertGradient(() -> BinaryCrossEntropy.fromLogits(
        z, y, 1, Nd4j.zeros(DataType.DOUBLE, 4, 3), SMOOTHING), z, dz, 0.5);
  }

  @Test
  void smoothingWithSampleWeightsWeighsEachSampleOfBothTerms() {
    INDArray z = RandomArrays.uniform(7, 3, 4).muli(2);
    INDArray p = Transforms.softmax(z, true);
    INDArray y = RandomArrays.oneHot(8, 3, 4);
    INDArray weights = Nd4j.createFromArray(0.5, 2.0, 0.0);
    INDArray smoothed = y.mul(1 - SMOOTHING).addi(SMOOTHING / 4);
    double expected = 0;
    for (int i = 0; i < 3; i++) {
      for (int c = 0; c < 4; c++) {
        expected -= weights.getDouble(i) * smoothed.getDouble(i, c) * Math.log(p.getDouble(i, c));
      }
    }
    INDArray d = Nd4j.zeros(DataType.DOUBLE, 3, 4);
    double loss = SampleWeights.during(weights,
        () -> CategoricalCrossEntropy.withSoftmax(p, y, 1, d, SMOOTHING));
    assertEquals(expected / 3, loss, 1e-12);
    assertEquals(0, d.getRow(2).amaxNumber().doubleValue(), 0, "a sample of weight 0");
  }

  @Test
  void smoothingOutsideZeroToOneIsRefused() {
    INDArray p = Nd4j.createFromArray(new double[][] {{0.5, 0.5}});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CategoricalCrossEntropy.withSoftmax(p, p, 1, p.dup(), 1.5));
    assertTrue(e.getMessage().contains("label smoothing"), e.getMessage());
  }

  private static void assertGradient(
      DoubleSupplier loss, INDArray x, INDArray gradient, double weight) {
    INDArray unweighted = gradient.div(weight).reshape(x.length());
    double error =
        FiniteDifferences.maxRelativeError(loss, x.reshape(x.length()), unweighted, 1000, 1);
    assertTrue(error < 1e-5, "relative error " + error);
  }
}
