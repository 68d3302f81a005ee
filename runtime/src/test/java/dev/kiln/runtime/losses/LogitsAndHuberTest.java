package dev.kiln.runtime.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Losses on raw scores and the Huber loss against plain-loop references and finite differences. */
class LogitsAndHuberTest {

  @Test
  void categoricalFromLogitsOverTheLastAxisOfRankThree() {
    INDArray z = RandomArrays.uniform(1, 2, 3, 4).muli(3);
    INDArray y = RandomArrays.oneHot(2, 6, 4).reshape(2, 3, 4);
    double expected = 0;
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 3; t++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < 4; c++) {
          max = Math.max(max, z.getDouble(b, t, c));
        }
        double sum = 0;
        for (int c = 0; c < 4; c++) {
          sum += Math.exp(z.getDouble(b, t, c) - max);
        }
        for (int c = 0; c < 4; c++) {
          expected -= y.getDouble(b, t, c) * (z.getDouble(b, t, c) - max - Math.log(sum));
        }
      }
    }
    INDArray dz = Nd4j.zeros(DataType.DOUBLE, 2, 3, 4);
    assertEquals(expected / 6, CategoricalCrossEntropy.fromLogits(z, y, 0.5, dz), 1e-12);
    assertGradient(() -> CategoricalCrossEntropy.fromLogits(z, y, 1, Nd4j.zeros(DataType.DOUBLE, 2, 3, 4)), z, dz, 0.5);
  }

  @Test
  void sparseFromLogitsMatchesTheOneHotForm() {
    INDArray z = RandomArrays.uniform(3, 5, 4).muli(2);
    INDArray labels = Nd4j.createFromArray(new int[] {3, 0, 1, 1, 2});
    INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, 5, 4);
    for (int i = 0; i < 5; i++) {
      oneHot.putScalar(i, labels.getInt(i), 1);
    }
    INDArray dzSparse = Nd4j.zeros(DataType.DOUBLE, 5, 4);
    INDArray dzDense = Nd4j.zeros(DataType.DOUBLE, 5, 4);
    double sparse = SparseCategoricalCrossEntropy.fromLogits(z, labels, 1, dzSparse);
    double dense = CategoricalCrossEntropy.fromLogits(z, oneHot, 1, dzDense);
    assertEquals(dense, sparse, 1e-12);
    assertEquals(0, dzSparse.sub(dzDense).amaxNumber().doubleValue(), 1e-12);
  }

  @Test
  void binaryFromLogitsIsStableForLargeScores() {
    INDArray z = Nd4j.createFromArray(new double[][] {{-800, -2, 0.3}, {5, 40, 900}});
    INDArray y = Nd4j.createFromArray(new double[][] {{0, 1, 1}, {0, 1, 0}});
    double expected = 0;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        double s = z.getDouble(i, j);
        expected += Math.max(s, 0) - s * y.getDouble(i, j) + Math.log1p(Math.exp(-Math.abs(s)));
      }
    }
    INDArray dz = Nd4j.zeros(DataType.DOUBLE, 2, 3);
    double loss = BinaryCrossEntropy.fromLogits(z, y, 1, dz);
    assertTrue(Double.isFinite(loss), "loss " + loss);
    assertEquals(expected / 6, loss, 1e-9);
    INDArray small = RandomArrays.uniform(4, 3, 2).muli(4);
    INDArray targets = RandomArrays.uniform(5, 3, 2).addi(1).divi(2);
    INDArray dSmall = Nd4j.zeros(DataType.DOUBLE, 3, 2);
    BinaryCrossEntropy.fromLogits(small, targets, 2, dSmall);
    assertGradient(() -> BinaryCrossEntropy.fromLogits(small, targets, 1, Nd4j.zeros(DataType.DOUBLE, 3, 2)), small, dSmall, 2);
  }

  @Test
  void huberIsQuadraticWithinOneAndLinearBeyond() {
    INDArray p = Nd4j.createFromArray(new double[][] {{0.2, 3.0}, {-2.5, 1.0}});
    INDArray y = Nd4j.createFromArray(new double[][] {{0.0, 0.5}, {0.0, 1.7}});
    double expected = (0.5 * 0.04 + (2.5 - 0.5) + (2.5 - 0.5) + 0.5 * 0.49) / 4;
    INDArray dp = Nd4j.zeros(DataType.DOUBLE, 2, 2);
    assertEquals(expected, Huber.compute(p, y, 1, dp), 1e-12);
    INDArray q = RandomArrays.uniform(6, 4, 3).muli(3);
    INDArray t = RandomArrays.uniform(7, 4, 3);
    INDArray dq = Nd4j.zeros(DataType.DOUBLE, 4, 3);
    Huber.compute(q, t, 0.3, dq);
    assertGradient(() -> Huber.compute(q, t, 1, Nd4j.zeros(DataType.DOUBLE, 4, 3)), q, dq, 0.3);
  }

  @Test
  void huberTurnsLinearAtItsDelta() {
    double delta = 0.5;
    INDArray p = Nd4j.createFromArray(new double[][] {{0.2, 3.0}, {-2.5, 1.0}});
    INDArray y = Nd4j.createFromArray(new double[][] {{0.0, 0.5}, {0.0, 1.7}});
    // Keras: r^2 / 2 for |r| <= delta, delta (|r| - delta / 2) beyond
    double expected = (0.5 * 0.04 + delta * (2.5 - 0.25) + delta * (2.5 - 0.25)
        + delta * (0.7 - 0.25)) / 4;
    INDArray dp = Nd4j.zeros(DataType.DOUBLE, 2, 2);
    assertEquals(expected, Huber.compute(p, y, 1, dp, delta), 1e-12);
    assertEquals(Huber.compute(p, y, 1, dp), Huber.compute(p, y, 1, dp, 1.0), 0.0);
    INDArray q = RandomArrays.uniform(8, 4, 3).muli(3);
    INDArray t = RandomArrays.uniform(9, 4, 3);
    INDArray dq = Nd4j.zeros(DataType.DOUBLE, 4, 3);
    Huber.compute(q, t, 0.3, dq, 2.5);
    assertGradient(
        () -> Huber.compute(q, t, 1, Nd4j.zeros(DataType.DOUBLE, 4, 3), 2.5), q, dq, 0.3);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> Huber.compute(q, t, 1, dq, 0));
    assertTrue(e.getMessage().contains("delta must be a positive number"), e.getMessage());
  }

  /** The gradient written with weight {@code weight} is weight times d(loss)/dx. */
  private static void assertGradient(
      java.util.function.DoubleSupplier loss, INDArray x, INDArray gradient, double weight) {
    INDArray unweighted = gradient.div(weight).reshape(x.length());
    double error =
        FiniteDifferences.maxRelativeError(loss, x.reshape(x.length()), unweighted, 1000, 1);
    assertTrue(error < 1e-5, "relative error " + error);
  }
}
