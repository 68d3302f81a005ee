package dev.kiln.runtime.losses;

import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.kernels.LanesGate;
import dev.kiln.runtime.kernels.Reductions;
import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mean squared error's one pass ({@code SquaredResiduals}) over outputs large enough for two
 * halves, a length that is no whole number of vectors: float64 against the formula and finite
 * differences, float32 against libnd4j's three passes (the gradient to the bit) and float64, the
 * lanes cold (a chunk, then the plain loop) against whole.
 */
class MeanSquaredErrorPassTest {

  private static final long[] SHAPE = {3, 211, 130}; // 82,290 values

  @AfterEach
  void gatesMeasureAgain() {
    LanesGate.force(null);
  }

  @Test
  void float64MatchesTheFormulaAndFiniteDifferences() {
    INDArray p = RandomArrays.uniform(1, SHAPE);
    INDArray y = RandomArrays.uniform(2, SHAPE);
    INDArray dp = NdArrays.zeros(DataType.DOUBLE, SHAPE);
    double loss = MeanSquaredError.compute(p, y, 0.7, dp);
    double[] pv = values(p);
    double[] yv = values(y);
    double[] dv = values(dp);
    double sum = 0;
    for (int i = 0; i < pv.length; i++) {
      double r = pv[i] - yv[i];
      sum += r * r;
      assertEquals(r * (2 * 0.7 / pv.length), dv[i], 1e-18, "gradient " + i);
    }
    assertEquals(sum / pv.length, loss, 1e-14);
    INDArray scratch = NdArrays.zeros(DataType.DOUBLE, SHAPE);
    double error = FiniteDifferences.maxRelativeError(
        () -> 0.7 * MeanSquaredError.compute(p, y, 1, scratch), p, dp, 12, 3);
    assertTrue(error < 1e-5, "relative error " + error);
  }

  @Test
  void float32GradientIsLibnd4jsAndItsLossFloat64s() {
    INDArray p = RandomArrays.uniform(4, SHAPE).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.uniform(5, SHAPE).castTo(DataType.FLOAT);
    long n = p.length();
    INDArray expected = NdArrays.zeros(DataType.FLOAT, SHAPE);
    Nd4j.exec(new SubOp(p, y, expected));
    double reference = Reductions.sumOfSquares(expected.castTo(DataType.DOUBLE)) / n;
    expected.muli(2 * 0.7 / n);
    for (Boolean whole : new Boolean[] {true, false, null}) {
      LanesGate.force(whole);
      INDArray dp = NdArrays.zeros(DataType.FLOAT, SHAPE);
      double loss = MeanSquaredError.compute(p, y, 0.7, dp);
      assertArrayEquals(expected.data().asFloat(), dp.data().asFloat(), "whole lanes " + whole);
      assertEquals(reference, loss, 1e-6 * reference, "whole lanes " + whole);
    }
  }

  @Test
  void coldAndWholeLanesGiveTheSameLoss() {
    INDArray p = RandomArrays.uniform(6, SHAPE).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.uniform(7, SHAPE).castTo(DataType.FLOAT);
    INDArray dp = NdArrays.zeros(DataType.FLOAT, SHAPE);
    LanesGate.force(true);
    double whole = MeanSquaredError.compute(p, y, 1, dp);
    LanesGate.force(false);
    double cold = MeanSquaredError.compute(p, y, 1, dp);
    assertEquals(whole, cold, 0, "the squares' sums, cold against whole lanes");
  }

  @Test
  void theGradientMayOverwriteTheOutput() {
    INDArray p = RandomArrays.uniform(8, SHAPE).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.uniform(9, SHAPE).castTo(DataType.FLOAT);
    INDArray dp = NdArrays.zeros(DataType.FLOAT, SHAPE);
    double loss = MeanSquaredError.compute(p, y, 1, dp);
    double inPlace = MeanSquaredError.compute(p, y, 1, p);
    assertEquals(loss, inPlace, 0);
    assertArrayEquals(dp.data().asFloat(), p.data().asFloat());
  }
}
