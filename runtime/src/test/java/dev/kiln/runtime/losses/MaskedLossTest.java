package dev.kiln.runtime.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Losses over the unmasked steps of a sequence, against Keras 3's definition written out: with
 * {@code l[i, t]} step t's loss (its mean or sum over the last axis), {@code m} the mask and
 * {@code w} the sample weights, the loss is {@code sum(l m w) / (sum(m) + 1e-7)}.
 */
class MaskedLossTest {

  private static final INDArray MASK =
      Nd4j.createFromArray(new double[][] {{1, 1, 0, 0}, {1, 1, 1, 0}, {0, 1, 0, 1}});
  private static final INDArray WEIGHTS = Nd4j.createFromArray(2.0, 0.5, 1.0);

  @Test
  void meanSquaredErrorOverUnmaskedSteps() {
    INDArray p = RandomArrays.uniform(1, 3, 4, 2);
    INDArray y = RandomArrays.uniform(2, 3, 4, 2);
    double expected = 0;
    for (int i = 0; i < 3; i++) {
      for (int t = 0; t < 4; t++) {
        double a = p.getDouble(i, t, 0) - y.getDouble(i, t, 0);
        double b = p.getDouble(i, t, 1) - y.getDouble(i, t, 1);
        expected += MASK.getDouble(i, t) * (a * a + b * b) / 2;
      }
    }
    expected /= 7 + MaskedLoss.EPSILON;
    assertEquals(expected, mse(p, y, Nd4j.zeros(DataType.DOUBLE, 3, 4, 2)), 1e-14);
  }

  @Test
  void sampleWeightsMultiplyTheMask() {
    INDArray p = RandomArrays.uniform(3, 3, 4, 2);
    INDArray y = RandomArrays.uniform(4, 3, 4, 2);
    double expected = 0;
    for (int i = 0; i < 3; i++) {
      for (int t = 0; t < 4; t++) {
        double a = p.getDouble(i, t, 0) - y.getDouble(i, t, 0);
        double b = p.getDouble(i, t, 1) - y.getDouble(i, t, 1);
        expected += WEIGHTS.getDouble(i) * MASK.getDouble(i, t) * (a * a + b * b) / 2;
      }
    }
    expected /= 7 + MaskedLoss.EPSILON;
    double weighted = SampleWeights.during(WEIGHTS, () -> mse(p, y, Nd4j.zeros(DataType.DOUBLE, 3, 4, 2)));
    assertEquals(expected, weighted, 1e-14);
  }

  @Test
  void gradientsMatchFiniteDifferencesAndSkipMaskedSteps() {
    INDArray p = RandomArrays.uniform(5, 3, 4, 2);
    INDArray y = RandomArrays.uniform(6, 3, 4, 2);
    INDArray dp = Nd4j.zeros(DataType.DOUBLE, 3, 4, 2);
    SampleWeights.during(WEIGHTS, () -> mse(p, y, dp));
    double error = FiniteDifferences.maxRelativeError(
        () -> SampleWeights.during(WEIGHTS, () -> mse(p, y, Nd4j.zeros(DataType.DOUBLE, 3, 4, 2))), p, dp.dup(),
        1000, 1);
    assertTrue(error < 1e-6, "MSE: " + error);
    assertMaskedStepsHaveNoGradient(dp);

    INDArray z = RandomArrays.uniform(7, 3, 4, 3).muli(2);
    INDArray targets = Transforms.softmax(RandomArrays.uniform(8, 12, 3)).reshape(3, 4, 3);
    INDArray dz = Nd4j.zeros(DataType.DOUBLE, 3, 4, 3);
    SampleWeights.during(WEIGHTS, () -> crossEntropy(z, targets, dz));
    error = FiniteDifferences.maxRelativeError(
        () -> SampleWeights.during(WEIGHTS, () -> crossEntropy(z, targets, Nd4j.zeros(DataType.DOUBLE, 3, 4, 3))),
        z, dz.dup(), 1000, 1);
    assertTrue(error < 1e-6, "cross-entropy from logits: " + error);
    assertMaskedStepsHaveNoGradient(dz);
  }

  @Test
  void anAllMaskedBatchGivesZero() {
    INDArray none = Nd4j.zeros(DataType.DOUBLE, 3, 4);
    INDArray dp = Nd4j.ones(DataType.DOUBLE, 3, 4, 2);
    double loss = MaskedLoss.overUnmaskedSteps(none, Nd4j.zeros(DataType.DOUBLE, 3, 4), RandomArrays.uniform(9, 3, 4, 2),
        RandomArrays.uniform(10, 3, 4, 2), dp,
        (rowsP, rowsY, rowsDp) -> MeanSquaredError.compute(rowsP, rowsY, 1, rowsDp));
    assertEquals(0.0, loss);
    assertEquals(0.0, dp.amaxNumber().doubleValue());
  }

  private static double mse(INDArray p, INDArray y, INDArray dp) {
    return MaskedLoss.overUnmaskedSteps(MASK, Nd4j.zeros(DataType.DOUBLE, 3, 4), p, y, dp,
        (rowsP, rowsY, rowsDp) -> MeanSquaredError.compute(rowsP, rowsY, 1, rowsDp));
  }

  private static double crossEntropy(INDArray z, INDArray y, INDArray dz) {
    return MaskedLoss.overUnmaskedSteps(MASK, Nd4j.zeros(DataType.DOUBLE, 3, 4), z, y, dz,
        (rowsZ, rowsY, rowsDz) -> CategoricalCrossEntropy.fromLogits(rowsZ, rowsY, 1, rowsDz));
  }

  private static void assertMaskedStepsHaveNoGradient(INDArray gradient) {
    for (int i = 0; i < 3; i++) {
      for (int t = 0; t < 4; t++) {
        if (MASK.getDouble(i, t) == 0) {
          for (int c = 0; c < gradient.size(2); c++) {
            assertEquals(0.0, Math.abs(gradient.getDouble(i, t, c)), "step " + t + " of sample " + i);
          }
        }
      }
    }
  }
}
