package dev.kiln.runtime.losses;

import static dev.kiln.runtime.testing.PlainArrays.assertAllClose;
import static dev.kiln.runtime.testing.PlainArrays.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Per-sample weights in the losses, against Keras' definition: the loss is {@code
 * sum(w_i * loss_i) / n} with {@code loss_i} sample i's own mean loss, and sample i's gradient is
 * {@code w_i} times its unweighted gradient.
 */
class SampleWeightsTest {

  private static final double TOLERANCE = 1e-12;

  private static final INDArray WEIGHTS = Nd4j.createFromArray(2.0, 0.0, 1.0, 0.5, 3.0);

  /** A loss with its gradient written into the last argument, as the runtime's losses are. */
  private interface LossFunction {
    double compute(INDArray p, INDArray y, double weight, INDArray gradient);
  }

  @Test
  void categoricalCrossEntropyWeighsEachSample() {
    INDArray p = Transforms.softmax(RandomArrays.uniform(1, 5, 4).muli(3));
    checkWeighted(CategoricalCrossEntropy::withSoftmax, p, RandomArrays.oneHot(2, 5, 4));
    checkWeighted(
        CategoricalCrossEntropy::fromLogits, RandomArrays.uniform(3, 5, 4).muli(3),
        RandomArrays.distributions(4, 5, 4));
  }

  @Test
  void categoricalCrossEntropyWeighsEveryStepOfASequenceSampleAlike() {
    INDArray scores = RandomArrays.uniform(5, 5, 3, 4).muli(3);
    INDArray y = RandomArrays.oneHot(6, 15, 4).reshape(5, 3, 4);
    checkWeighted(CategoricalCrossEntropy::fromLogits, scores, y);
  }

  @Test
  void sparseCategoricalCrossEntropyWeighsEachSample() {
    INDArray labels = Nd4j.createFromArray(3.0, 0.0, 2.0, 1.0, 3.0);
    checkWeighted(
        SparseCategoricalCrossEntropy::withSoftmax,
        Transforms.softmax(RandomArrays.uniform(7, 5, 4).muli(3)), labels);
    checkWeighted(
        SparseCategoricalCrossEntropy::fromLogits, RandomArrays.uniform(8, 5, 4).muli(3), labels);
  }

  @Test
  void binaryCrossEntropyWeighsEachSample() {
    INDArray y = RandomArrays.uniform(9, 5, 3).gt(0).castTo(DataType.DOUBLE);
    checkWeighted(
        BinaryCrossEntropy::withSigmoid,
        Transforms.sigmoid(RandomArrays.uniform(10, 5, 3).muli(3)), y);
    checkWeighted(BinaryCrossEntropy::fromLogits, RandomArrays.uniform(11, 5, 3).muli(3), y);
  }

  @Test
  void weightsOfOneChangeNoBit() {
    INDArray p = Transforms.softmax(RandomArrays.uniform(12, 5, 4).muli(3));
    INDArray y = RandomArrays.oneHot(13, 5, 4);
    INDArray plain = p.ulike();
    double unweighted = CategoricalCrossEntropy.withSoftmax(p, y, 0.7, plain);
    INDArray weighted = p.ulike();
    double loss = SampleWeights.during(Nd4j.ones(p.dataType(), 5),
        () -> CategoricalCrossEntropy.withSoftmax(p, y, 0.7, weighted));
    assertEquals(Double.doubleToLongBits(unweighted), Double.doubleToLongBits(loss));
    assertArrayEquals(values(plain), values(weighted));
  }

  @Test
  void lossesOutsideTheScopeAreUnweightedAgain() {
    INDArray p = Transforms.softmax(RandomArrays.uniform(14, 5, 4).muli(3));
    INDArray y = RandomArrays.oneHot(15, 5, 4);
    double before = CategoricalCrossEntropy.withSoftmax(p, y, 1, p.ulike());
    double inside = SampleWeights.during(WEIGHTS,
        () -> CategoricalCrossEntropy.withSoftmax(p, y, 1, p.ulike()));
    double after = CategoricalCrossEntropy.withSoftmax(p, y, 1, p.ulike());
    assertTrue(Math.abs(inside - before) > 1e-3, "the weights made no difference");
    assertEquals(before, after, 0.0);
  }

  @Test
  void nestedScopesRestoreTheOuterWeights() {
    INDArray p = Transforms.softmax(RandomArrays.uniform(16, 5, 4).muli(3));
    INDArray y = RandomArrays.oneHot(17, 5, 4);
    double outer = SampleWeights.during(WEIGHTS,
        () -> CategoricalCrossEntropy.withSoftmax(p, y, 1, p.ulike()));
    double afterInner = SampleWeights.during(WEIGHTS, () -> {
      SampleWeights.during(Nd4j.ones(p.dataType(), 5), () -> 0.0);
      return CategoricalCrossEntropy.withSoftmax(p, y, 1, p.ulike());
    });
    assertEquals(outer, afterInner, 0.0);
  }

  @Test
  void regressionLossesWeighEachSample() {
    INDArray p = RandomArrays.uniform(18, 5, 2).muli(3);
    INDArray y = RandomArrays.uniform(19, 5, 2);
    checkWeighted(MeanSquaredError::compute, p, y);
    checkWeighted(MeanAbsoluteError::compute, p, y);
    checkWeighted(Huber::compute, p, y);
    checkWeighted((q, t, weight, dq) -> Huber.compute(q, t, weight, dq, 0.4), p, y);
  }

  @Test
  void weightsOfAnotherBatchSizeAreAnError() {
    INDArray p = Transforms.softmax(RandomArrays.uniform(20, 4, 3));
    INDArray y = RandomArrays.oneHot(21, 4, 3);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SampleWeights.during(WEIGHTS,
            () -> CategoricalCrossEntropy.withSoftmax(p, y, 1, p.ulike())));
    assertTrue(e.getMessage().contains("5 sample weights for a batch of 4"), e.getMessage());
  }

  /** Checks Keras' definition of the weighted loss and gradient, sample by sample. */
  private static void checkWeighted(LossFunction loss, INDArray p, INDArray y) {
    long n = p.size(0);
    double weight = 0.8;
    INDArray plainGradient = p.ulike();
    loss.compute(p, y, weight, plainGradient);
    INDArray gradient = p.ulike();
    double weighted = SampleWeights.during(WEIGHTS, () -> loss.compute(p, y, weight, gradient));

    double expected = 0;
    for (long i = 0; i < n; i++) {
      INDArray pi = p.get(NDArrayIndex.interval(i, i + 1)).dup();
      INDArray yi = y.get(NDArrayIndex.interval(i, i + 1)).dup();
      expected += WEIGHTS.getDouble(i) * loss.compute(pi, yi, 1, pi.ulike()) / n;
    }
    assertEquals(expected, weighted, TOLERANCE, "weighted loss");
    for (long i = 0; i < n; i++) {
      INDArray row = plainGradient.get(NDArrayIndex.point(i)).mul(WEIGHTS.getDouble(i));
      assertAllClose(values(row), gradient.get(NDArrayIndex.point(i)), TOLERANCE,
          "gradient of sample " + i);
    }
  }
}
