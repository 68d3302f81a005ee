package dev.kiln.runtime.losses;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.doubles;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.kernels.Sigmoid;
import dev.kiln.runtime.kernels.Softmax;
import dev.kiln.runtime.testing.FiniteDifferences;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The five losses against plain-loop Keras formulas, and their (fused) gradients against finite
 * differences through the kernels' forward passes.
 */
class LossesTest {

  private static final double EPSILON = 1e-7;
  private static final double VALUES = 1e-10;
  private static final double GRADIENTS = 1e-5;

  /** Two computations of the same products that may round differently. */
  private static final double SAME = 1e-12;

  /** A loss with its gradient written into the last argument, as the runtime's losses are. */
  private interface LossFunction {
    double compute(INDArray p, INDArray y, double weight, INDArray gradient);
  }

  // ---- categorical cross-entropy ----

  @Test
  void categoricalCrossEntropyMatchesKerasFormulaForOneHotTargets() {
    INDArray p = softmax(RandomArrays.uniform(1, 6, 5).muli(3));
    INDArray y = RandomArrays.oneHot(2, 6, 5);
    double loss = CategoricalCrossEntropy.withSoftmax(p, y, 1.0, scratch(p));
    assertEquals(categoricalReference(values(p), values(y), 5), loss, VALUES);
  }

  @Test
  void categoricalCrossEntropyMatchesKerasFormulaForSoftTargets() {
    INDArray p = softmax(RandomArrays.uniform(1, 6, 5).muli(3));
    INDArray y = RandomArrays.distributions(2, 6, 5);
    double loss = CategoricalCrossEntropy.withSoftmax(p, y, 1.0, scratch(p));
    assertEquals(categoricalReference(values(p), values(y), 5), loss, VALUES);
  }

  @Test
  void categoricalCrossEntropyClipsProbabilitiesToEpsilonAndOneMinusEpsilon() {
    // Rows: certain and right, certain and wrong, ordinary.
    INDArray p = doubles(new double[] {1, 0, 0, 1, 0, 0, 0.2, 0.3, 0.5}, 3, 3);
    INDArray y = doubles(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3);
    double loss = CategoricalCrossEntropy.withSoftmax(p, y, 1.0, scratch(p));
    assertEquals(categoricalReference(values(p), values(y), 3), loss, VALUES);
  }

  @Test
  void categoricalCrossEntropyGradientIsThatOfTheSoftmaxInput() {
    checkSoftmaxGradient(
        CategoricalCrossEntropy::withSoftmax,
        RandomArrays.uniform(1, 6, 5).muli(3),
        RandomArrays.oneHot(2, 6, 5),
        "categorical, one-hot");
    checkSoftmaxGradient(
        CategoricalCrossEntropy::withSoftmax,
        RandomArrays.uniform(1, 6, 5).muli(3),
        RandomArrays.distributions(2, 6, 5),
        "categorical, soft targets");
  }

  @Test
  void categoricalCrossEntropyOfRank3AveragesOverBatchAndSteps() {
    INDArray z = RandomArrays.uniform(1, 2, 3, 4).muli(3);
    INDArray y = RandomArrays.oneHot(2, 6, 4).reshape(2, 3, 4);
    INDArray p = softmax(z);
    double loss = CategoricalCrossEntropy.withSoftmax(p, y, 1.0, scratch(p));
    assertEquals(categoricalReference(values(p), values(y), 4), loss, VALUES);
    checkSoftmaxGradient(CategoricalCrossEntropy::withSoftmax, z, y, "categorical, rank 3");
  }

  @Test
  void categoricalCrossEntropyWeightScalesGradientButNotValue() {
    checkWeight(
        CategoricalCrossEntropy::withSoftmax,
        softmax(RandomArrays.uniform(1, 6, 5).muli(3)),
        RandomArrays.oneHot(2, 6, 5));
  }

  // ---- sparse categorical cross-entropy ----

  @Test
  void sparseCrossEntropyMatchesKerasFormula() {
    INDArray p = softmax(RandomArrays.uniform(1, 6, 5).muli(3));
    int[] labels = labels(2, 6, 5);
    double loss =
        SparseCategoricalCrossEntropy.withSoftmax(p, Nd4j.createFromArray(labels), 1.0, scratch(p));
    assertEquals(sparseReference(values(p), labels, 5), loss, VALUES);
  }

  @Test
  void sparseCrossEntropyAcceptsLabelsShapedNAndN1IntAndFloat() {
    INDArray p = softmax(RandomArrays.uniform(1, 6, 5).muli(3));
    int[] labels = labels(2, 6, 5);
    double expected = sparseReference(values(p), labels, 5);
    INDArray ints = Nd4j.createFromArray(labels);
    INDArray[] variants = {
      ints,
      ints.reshape(6, 1),
      ints.castTo(DataType.FLOAT),
      ints.castTo(DataType.FLOAT).reshape(6, 1),
      ints.castTo(DataType.DOUBLE),
      ints.castTo(DataType.DOUBLE).reshape(6, 1)
    };
    INDArray oneHot = oneHot(labels, 5);
    INDArray expectedGradient = scratch(p);
    CategoricalCrossEntropy.withSoftmax(p, oneHot, 1.0, expectedGradient);
    for (INDArray variant : variants) {
      String what = "labels " + variant.dataType() + " " + Arrays.toString(variant.shape());
      INDArray gradient = scratch(p);
      double loss = SparseCategoricalCrossEntropy.withSoftmax(p, variant, 1.0, gradient);
      assertEquals(expected, loss, VALUES, what);
      assertAllClose(
          values(expectedGradient), gradient, SAME, what + ": gradient (p - onehot) / n");
    }
  }

  @Test
  void sparseCrossEntropyClipsProbabilitiesToEpsilonAndOneMinusEpsilon() {
    // Keras clips to [1e-7, 1 - 1e-7] for the sparse loss as for the categorical one, so a
    // certain right answer costs -log(1 - 1e-7), about 1e-7, not 0.
    INDArray p = doubles(new double[] {1, 0, 0, 1, 0, 0, 0.2, 0.3, 0.5}, 3, 3);
    int[] labels = {0, 1, 2};
    double loss =
        SparseCategoricalCrossEntropy.withSoftmax(p, Nd4j.createFromArray(labels), 1.0, scratch(p));
    double expected = sparseReference(values(p), labels, 3);
    assertEquals(
        expected,
        loss,
        VALUES,
        "sparse loss of p = [1,0,0|1,0,0|.2,.3,.5], labels [0,1,2]: Keras clips p to "
            + "[1e-7, 1 - 1e-7] before the log, as CategoricalCrossEntropy does; clipping only to "
            + "[1e-7, 1] makes a certain right answer cost 0 instead of -log(1 - 1e-7)");
  }

  @Test
  void sparseCrossEntropyGradientIsThatOfTheSoftmaxInput() {
    int[] labels = labels(2, 6, 5);
    checkSoftmaxGradient(
        SparseCategoricalCrossEntropy::withSoftmax,
        RandomArrays.uniform(1, 6, 5).muli(3),
        Nd4j.createFromArray(labels),
        "sparse");
  }

  @Test
  void sparseCrossEntropyOfRank3AveragesOverBatchAndSteps() {
    INDArray z = RandomArrays.uniform(1, 2, 3, 4).muli(3);
    int[] labels = labels(2, 6, 4);
    INDArray p = softmax(z);
    INDArray stepLabels = Nd4j.createFromArray(labels).reshape(2, 3);
    double loss = SparseCategoricalCrossEntropy.withSoftmax(p, stepLabels, 1.0, scratch(p));
    assertEquals(sparseReference(values(p), labels, 4), loss, VALUES);
    checkSoftmaxGradient(
        SparseCategoricalCrossEntropy::withSoftmax, z, stepLabels, "sparse, rank 3");
  }

  @Test
  void sparseCrossEntropyWeightScalesGradientButNotValue() {
    checkWeight(
        SparseCategoricalCrossEntropy::withSoftmax,
        softmax(RandomArrays.uniform(1, 6, 5).muli(3)),
        Nd4j.createFromArray(labels(2, 6, 5)));
  }

  // ---- binary cross-entropy ----

  @Test
  void binaryCrossEntropyMatchesKerasFormula() {
    INDArray p = sigmoid(RandomArrays.uniform(1, 4, 3).muli(3));
    for (INDArray y : new INDArray[] {binaryTargets(2, 4, 3), softTargets(3, 4, 3)}) {
      double loss = BinaryCrossEntropy.withSigmoid(p, y, 1.0, scratch(p));
      assertEquals(binaryReference(values(p), values(y)), loss, VALUES);
    }
  }

  @Test
  void binaryCrossEntropyClipsProbabilitiesToEpsilonAndOneMinusEpsilon() {
    INDArray p = doubles(new double[] {0, 1, 0, 1, 0.3, 0.6}, 2, 3);
    INDArray y = doubles(new double[] {0, 1, 1, 0, 1, 0.25}, 2, 3);
    double loss = BinaryCrossEntropy.withSigmoid(p, y, 1.0, scratch(p));
    assertEquals(binaryReference(values(p), values(y)), loss, VALUES);
  }

  @Test
  void binaryCrossEntropyGradientIsThatOfTheSigmoidInput() {
    checkSigmoidGradient(
        RandomArrays.uniform(1, 4, 3).muli(3), binaryTargets(2, 4, 3), "binary 0/1");
    checkSigmoidGradient(
        RandomArrays.uniform(1, 4, 3).muli(3), softTargets(3, 4, 3), "soft targets");
  }

  @Test
  void binaryCrossEntropyOfRank3AveragesOverEveryElement() {
    INDArray z = RandomArrays.uniform(1, 2, 3, 4).muli(3);
    INDArray y = binaryTargets(2, 2, 3, 4);
    INDArray p = sigmoid(z);
    double loss = BinaryCrossEntropy.withSigmoid(p, y, 1.0, scratch(p));
    assertEquals(binaryReference(values(p), values(y)), loss, VALUES);
    checkSigmoidGradient(z, y, "binary, rank 3");
  }

  @Test
  void binaryCrossEntropyWeightScalesGradientButNotValue() {
    checkWeight(
        BinaryCrossEntropy::withSigmoid,
        sigmoid(RandomArrays.uniform(1, 4, 3).muli(3)),
        binaryTargets(2, 4, 3));
  }

  // ---- mean squared and mean absolute error ----

  @Test
  void meanSquaredErrorMatchesPlainMean() {
    for (long[] shape : new long[][] {{4, 3}, {2, 3, 4}}) {
      INDArray p = RandomArrays.uniform(1, shape);
      INDArray y = RandomArrays.uniform(2, shape);
      double[] pv = values(p);
      double[] yv = values(y);
      double sum = 0;
      for (int i = 0; i < pv.length; i++) {
        sum += (pv[i] - yv[i]) * (pv[i] - yv[i]);
      }
      assertEquals(sum / pv.length, MeanSquaredError.compute(p, y, 1.0, scratch(p)), VALUES);
    }
  }

  @Test
  void meanSquaredErrorGradientMatchesFiniteDifferences() {
    checkDirectGradient(MeanSquaredError::compute, new long[] {4, 3}, "mse");
    checkDirectGradient(MeanSquaredError::compute, new long[] {2, 3, 4}, "mse, rank 3");
  }

  @Test
  void meanSquaredErrorWeightScalesGradientButNotValue() {
    checkWeight(
        MeanSquaredError::compute, RandomArrays.uniform(1, 4, 3), RandomArrays.uniform(2, 4, 3));
  }

  @Test
  void meanAbsoluteErrorMatchesPlainMean() {
    for (long[] shape : new long[][] {{4, 3}, {2, 3, 4}}) {
      INDArray p = RandomArrays.uniform(1, shape);
      INDArray y = RandomArrays.uniform(2, shape);
      double[] pv = values(p);
      double[] yv = values(y);
      double sum = 0;
      for (int i = 0; i < pv.length; i++) {
        sum += Math.abs(pv[i] - yv[i]);
      }
      assertEquals(sum / pv.length, MeanAbsoluteError.compute(p, y, 1.0, scratch(p)), VALUES);
    }
  }

  @Test
  void meanAbsoluteErrorGradientMatchesFiniteDifferences() {
    checkDirectGradient(MeanAbsoluteError::compute, new long[] {4, 3}, "mae");
    checkDirectGradient(MeanAbsoluteError::compute, new long[] {2, 3, 4}, "mae, rank 3");
  }

  @Test
  void meanAbsoluteErrorWeightScalesGradientButNotValue() {
    checkWeight(
        MeanAbsoluteError::compute, RandomArrays.uniform(1, 4, 3), RandomArrays.uniform(2, 4, 3));
  }

  // ---- all ----

  @Test
  void lossesLeavePredictionsAndTargetsUnchanged() {
    INDArray p = softmax(RandomArrays.uniform(1, 6, 5).muli(3));
    INDArray y = RandomArrays.oneHot(2, 6, 5);
    INDArray labels = Nd4j.createFromArray(labels(2, 6, 5));
    INDArray[] arrays = {p, y, labels};
    double[][] before = {values(p), values(y), values(labels)};
    CategoricalCrossEntropy.withSoftmax(p, y, 1.0, scratch(p));
    SparseCategoricalCrossEntropy.withSoftmax(p, labels, 1.0, scratch(p));
    BinaryCrossEntropy.withSigmoid(p, y, 1.0, scratch(p));
    MeanSquaredError.compute(p, y, 1.0, scratch(p));
    MeanAbsoluteError.compute(p, y, 1.0, scratch(p));
    for (int i = 0; i < arrays.length; i++) {
      assertArrayEquals(before[i], values(arrays[i]), "argument " + i + " changed");
    }
  }

  // ---- checks ----

  /** The fused gradient against finite differences of {@code loss(softmax(z))}. */
  private static void checkSoftmaxGradient(LossFunction loss, INDArray z, INDArray y, String what) {
    INDArray p = softmax(z);
    INDArray dz = scratch(p);
    loss.compute(p, y, 1.0, dz);
    DoubleSupplier lossOfZ = () -> loss.compute(softmax(z), y, 1.0, scratch(z));
    assertGradient(lossOfZ, z, dz, what);
  }

  /** The fused gradient against finite differences of {@code bce(sigmoid(z))}. */
  private static void checkSigmoidGradient(INDArray z, INDArray y, String what) {
    INDArray p = sigmoid(z);
    INDArray dz = scratch(p);
    BinaryCrossEntropy.withSigmoid(p, y, 1.0, dz);
    DoubleSupplier lossOfZ = () -> BinaryCrossEntropy.withSigmoid(sigmoid(z), y, 1.0, scratch(z));
    assertGradient(lossOfZ, z, dz, what);
  }

  /** The gradient with respect to the prediction itself. */
  private static void checkDirectGradient(LossFunction loss, long[] shape, String what) {
    INDArray p = RandomArrays.uniform(1, shape);
    INDArray y = RandomArrays.uniform(2, shape);
    INDArray dp = scratch(p);
    loss.compute(p, y, 1.0, dp);
    assertGradient(() -> loss.compute(p, y, 1.0, scratch(p)), p, dp, what);
  }

  private static void checkWeight(LossFunction loss, INDArray p, INDArray y) {
    INDArray unweighted = scratch(p);
    double value = loss.compute(p, y, 1.0, unweighted);
    INDArray weighted = scratch(p);
    double weightedValue = loss.compute(p, y, 2.5, weighted);
    assertEquals(value, weightedValue, 0.0, "the weight must not change the returned loss");
    double[] expected = values(unweighted);
    for (int i = 0; i < expected.length; i++) {
      expected[i] *= 2.5;
    }
    assertAllClose(expected, weighted, SAME, "gradient with weight 2.5");
    INDArray zero = scratch(p);
    assertEquals(value, loss.compute(p, y, 0.0, zero), 0.0, "weight 0: value");
    assertAllClose(new double[(int) p.length()], zero, 0.0, "weight 0: gradient");
  }

  private static void assertGradient(
      DoubleSupplier loss, INDArray x, INDArray analytic, String what) {
    double error =
        FiniteDifferences.maxRelativeError(
            loss, x.reshape(x.length()), analytic.reshape(x.length()), Integer.MAX_VALUE, 0);
    assertTrue(error < GRADIENTS, what + ": max relative error " + error + " >= " + GRADIENTS);
  }

  // ---- Keras' formulas, in plain loops ----

  private static double clip(double p) {
    return Math.min(Math.max(p, EPSILON), 1 - EPSILON);
  }

  /** {@code mean over rows of -sum_c y log(clip(p))}. */
  private static double categoricalReference(double[] p, double[] y, int classes) {
    int rows = p.length / classes;
    double total = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < classes; c++) {
        total -= y[r * classes + c] * Math.log(clip(p[r * classes + c]));
      }
    }
    return total / rows;
  }

  /** {@code mean over rows of -log(clip(p[label]))}. */
  private static double sparseReference(double[] p, int[] labels, int classes) {
    double total = 0;
    for (int r = 0; r < labels.length; r++) {
      total -= Math.log(clip(p[r * classes + labels[r]]));
    }
    return total / labels.length;
  }

  /** {@code mean of -(y log(clip(p)) + (1 - y) log(1 - clip(p)))}. */
  private static double binaryReference(double[] p, double[] y) {
    double total = 0;
    for (int i = 0; i < p.length; i++) {
      double q = clip(p[i]);
      total -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
    }
    return total / p.length;
  }

  // ---- data ----

  private static INDArray softmax(INDArray z) {
    INDArray p = Nd4j.zeros(DataType.DOUBLE, z.shape());
    Softmax.forward(z, p);
    return p;
  }

  private static INDArray sigmoid(INDArray z) {
    INDArray p = Nd4j.zeros(DataType.DOUBLE, z.shape());
    Sigmoid.forward(z, p);
    return p;
  }

  /** A gradient buffer full of garbage: the losses must overwrite it. */
  private static INDArray scratch(INDArray like) {
    return RandomArrays.uniform(77, like.shape()).muli(100);
  }

  private static int[] labels(long seed, int rows, int classes) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = random.nextInt(classes);
    }
    return labels;
  }

  private static INDArray oneHot(int[] labels, int classes) {
    double[] values = new double[labels.length * classes];
    for (int r = 0; r < labels.length; r++) {
      values[r * classes + labels[r]] = 1;
    }
    return doubles(values, labels.length, classes);
  }

  private static INDArray binaryTargets(long seed, long... shape) {
    double[] values = values(RandomArrays.uniform(seed, shape));
    for (int i = 0; i < values.length; i++) {
      values[i] = values[i] < 0 ? 0 : 1;
    }
    return doubles(values, shape);
  }

  private static INDArray softTargets(long seed, long... shape) {
    return RandomArrays.uniform(seed, shape).addi(1).divi(2);
  }
}
