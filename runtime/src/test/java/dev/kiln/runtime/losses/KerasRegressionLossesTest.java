package dev.kiln.runtime.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LogCosh, Poisson, KLDivergence and CosineSimilarity against Keras' definitions written out here
 * (per-row value over the last axis, then {@code sum_over_batch_size}), their gradients against
 * float64 central finite differences, and their sample weights.
 */
class KerasRegressionLossesTest {

  /** A loss under test: {@code compute(p, y, weight, dp)}. */
  private interface Loss {
    double compute(INDArray p, INDArray y, double weight, INDArray dp);
  }

  /** Keras' per-row loss, over one row of the last axis. */
  private interface RowLoss {
    double of(double[] p, double[] y);
  }

  private static double logCosh(double[] p, double[] y) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      sum += Math.log(Math.cosh(p[i] - y[i]));
    }
    return sum / p.length;
  }

  private static double poisson(double[] p, double[] y) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      sum += p[i] - y[i] * Math.log(p[i] + 1e-7);
    }
    return sum / p.length;
  }

  private static double klDivergence(double[] p, double[] y) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      double t = Math.min(Math.max(y[i], 1e-7), 1);
      double q = Math.min(Math.max(p[i], 1e-7), 1);
      sum += t * Math.log(t / q);
    }
    return sum;
  }

  private static double cosineSimilarity(double[] p, double[] y) {
    double pp = 0;
    double yy = 0;
    double py = 0;
    for (int i = 0; i < p.length; i++) {
      pp += p[i] * p[i];
      yy += y[i] * y[i];
      py += p[i] * y[i];
    }
    return -py / (Math.sqrt(Math.max(pp, 1e-12)) * Math.sqrt(Math.max(yy, 1e-12)));
  }

  /** Keras' reduction: the mean of the per-row losses, each times its sample's weight. */
  private static double reference(RowLoss row, INDArray p, INDArray y, double[] weights) {
    long columns = p.size(p.rank() - 1);
    int rows = (int) (p.length() / columns);
    int rowsPerSample = (int) (rows / p.size(0));
    double[] pv = p.dup().data().asDouble();
    double[] yv = y.dup().data().asDouble();
    double total = 0;
    for (int r = 0; r < rows; r++) {
      double[] pr = java.util.Arrays.copyOfRange(pv, (int) (r * columns), (int) ((r + 1) * columns));
      double[] yr = java.util.Arrays.copyOfRange(yv, (int) (r * columns), (int) ((r + 1) * columns));
      total += (weights == null ? 1 : weights[r / rowsPerSample]) * row.of(pr, yr);
    }
    return total / rows;
  }

  private static void check(Loss loss, RowLoss row, INDArray p, INDArray y) {
    INDArray dp = Nd4j.zeros(DataType.DOUBLE, p.shape());
    assertEquals(reference(row, p, y, null), loss.compute(p, y, 0.5, dp), 1e-12, "value");
    assertGradient(() -> loss.compute(p, y, 1, Nd4j.zeros(DataType.DOUBLE, p.shape())), p, dp, 0.5);
    double[] weights = {0.5, 2.0, 0.0};
    INDArray w = Nd4j.createFromArray(weights);
    INDArray weightedDp = Nd4j.zeros(DataType.DOUBLE, p.shape());
    double weighted = SampleWeights.during(w, () -> loss.compute(p, y, 1, weightedDp));
    assertEquals(reference(row, p, y, weights), weighted, 1e-12, "weighted value");
    assertEquals(0, weightedDp.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2))
        .amaxNumber().doubleValue(), 0.0, "a sample of weight 0 has no gradient");
    assertGradient(() -> SampleWeights.during(w,
        () -> loss.compute(p, y, 1, Nd4j.zeros(DataType.DOUBLE, p.shape()))), p, weightedDp, 1);
  }

  @Test
  void logCoshOfLargeAndSmallResiduals() {
    INDArray p = RandomArrays.uniform(1, 3, 2, 4).muli(4);
    INDArray y = RandomArrays.uniform(2, 3, 2, 4);
    check(LogCosh::compute, KerasRegressionLossesTest::logCosh, p, y);
    // far out, where cosh would overflow, the loss is |r| - log 2
    INDArray far = Nd4j.createFromArray(new double[][] {{800.0}});
    INDArray zero = Nd4j.createFromArray(new double[][] {{0.0}});
    assertEquals(800 - Math.log(2),
        LogCosh.compute(far, zero, 1, Nd4j.zeros(DataType.DOUBLE, 1, 1)), 1e-9);
  }

  @Test
  void poissonOfCounts() {
    // rates in [0.3, 3.3), counts 0 to 3 (RandomArrays are uniform in [-1, 1))
    INDArray p = RandomArrays.uniform(3, 3, 5).addi(1.2).muli(1.5);
    INDArray y = org.nd4j.linalg.ops.transforms.Transforms.floor(
        RandomArrays.uniform(4, 3, 5).addi(1).muli(2), false);
    check(Poisson::compute, KerasRegressionLossesTest::poisson, p, y);
  }

  @Test
  void klDivergenceOfDistributions() {
    INDArray p = org.nd4j.linalg.ops.transforms.Transforms.softmax(
        RandomArrays.uniform(5, 3, 4).muli(3), true);
    INDArray y = org.nd4j.linalg.ops.transforms.Transforms.softmax(
        RandomArrays.uniform(6, 3, 4).muli(2), true);
    check(KLDivergence::compute, KerasRegressionLossesTest::klDivergence, p, y);
  }

  @Test
  void cosineSimilarityOverTheLastAxisOfRankThree() {
    INDArray p = RandomArrays.uniform(7, 3, 2, 5);
    INDArray y = RandomArrays.uniform(8, 3, 2, 5);
    check(CosineSimilarity::compute, KerasRegressionLossesTest::cosineSimilarity, p, y);
    INDArray same = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
    assertEquals(-1, CosineSimilarity.compute(same, same.mul(4), 1,
        Nd4j.zeros(DataType.DOUBLE, 1, 3)), 1e-15);
  }

  private static void assertGradient(
      DoubleSupplier loss, INDArray x, INDArray gradient, double weight) {
    INDArray unweighted = gradient.div(weight).reshape(x.length());
    double error =
        FiniteDifferences.maxRelativeError(loss, x.reshape(x.length()), unweighted, 1000, 1);
    assertTrue(error < 1e-5, "relative error " + error);
  }
}
