package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.ModelData;
import dev.kiln.runtime.Scores;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.losses.SampleWeights;
import dev.kiln.runtime.testing.RandomArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-sample weights (Keras' {@code sample_weight}): each sample's loss is multiplied by its
 * weight and the sum divided by the number of terms ({@code sum_over_batch_size}), in fit and
 * evaluate, from arrays and from DL4J iterators.
 */
class SampleWeightsTest {

  private static final int N = 10;
  private static final INDArray X = RandomArrays.uniform(40, N, 4).muli(2);
  private static final INDArray SQUARED = RandomArrays.uniform(41, N, 2);
  private static final INDArray ABSOLUTE = RandomArrays.uniform(42, N, 2);
  /** Residuals beyond Huber's delta of 0.5 as well as within it. */
  private static final INDArray ROBUST = RandomArrays.uniform(43, N, 2).muli(3);
  private static final INDArray LABEL = RandomArrays.oneHot(44, N, 3);
  private static final INDArray FLAG = RandomArrays.uniform(45, N, 1).gt(0).castTo(DataType.DOUBLE);
  /** Weights in [0, 2), one of them 0: that sample counts for nothing but still divides. */
  private static final INDArray WEIGHTS =
      RandomArrays.uniform(46, N).addi(1).putScalar(3, 0.0);

  private static HeadsModel.Data heads() {
    return HeadsModel.data(X, SQUARED, ABSOLUTE, ROBUST, LABEL, FLAG);
  }

  /** Each loss per sample, written out from its Keras definition. */
  private static double[][] lossesPerSample(HeadsModel.Outputs p) {
    double[][] losses = new double[5][N];
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < 2; j++) {
        double squared = p.squared().getDouble(i, j) - SQUARED.getDouble(i, j);
        losses[0][i] += squared * squared / 2;
        losses[1][i] += Math.abs(p.absolute().getDouble(i, j) - ABSOLUTE.getDouble(i, j)) / 2;
        double r = Math.abs(p.robust().getDouble(i, j) - ROBUST.getDouble(i, j));
        losses[2][i] += (r <= 0.5 ? r * r / 2 : 0.5 * (r - 0.25)) / 2; // huberDelta = 0.5
      }
      for (int j = 0; j < 3; j++) {
        losses[3][i] -= LABEL.getDouble(i, j) * Math.log(p.label().getDouble(i, j));
      }
      double q = p.flag().getDouble(i, 0);
      double y = FLAG.getDouble(i, 0);
      losses[4][i] = -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }
    return losses;
  }

  @Test
  void evaluateWeighsEachSamplesLossOverTheBatchSize() {
    HeadsModel model = HeadsModel.create(47, DataType.DOUBLE);
    double[][] losses = lossesPerSample(model.predict(X));
    String[] names = {"squared", "absolute", "robust", "label", "flag"};
    double[] lossWeights = {1, 0.5, 1, 1, 1};
    double total = 0;
    // batches of 4, 4 and 2: the weighted mean over all samples, however they are batched
    Scores scores = model.evaluate(heads().withSampleWeights(WEIGHTS), 4);
    for (int k = 0; k < names.length; k++) {
      double weighted = 0;
      for (int i = 0; i < N; i++) {
        weighted += WEIGHTS.getDouble(i) * losses[k][i];
      }
      assertEquals(weighted / N, scores.get(names[k] + "_loss"), 1e-10, names[k]);
      total += lossWeights[k] * weighted / N;
    }
    assertEquals(total, scores.loss(), 1e-10);
    double unweighted = model.evaluate(heads(), 4).loss();
    assertTrue(Math.abs(unweighted - total) > 1e-3, "the weights change the loss");
  }

  @Test
  void weightedLossGradientsMatchFiniteDifferences() {
    HeadsModel model = HeadsModel.create(48, DataType.DOUBLE);
    ModelChecks.assertGradientsMatch(model, () -> SampleWeights.during(WEIGHTS,
        () -> model.computeGradients(X, SQUARED, ABSOLUTE, ROBUST, LABEL, FLAG)), 1000);
  }

  @Test
  void fitTakesTheWeightedStep() {
    HeadsModel expected = HeadsModel.create(49, DataType.DOUBLE);
    SampleWeights.during(WEIGHTS,
        () -> expected.computeGradients(X, SQUARED, ABSOLUTE, ROBUST, LABEL, FLAG));
    INDArray step = expected.parameters().sub(expected.gradients().mul(0.1));
    HeadsModel model = HeadsModel.create(49, DataType.DOUBLE);
    model.fit(heads().withSampleWeights(WEIGHTS.reshape(N, 1)),
        FitOptions.epochs(1).batchSize(N).shuffle(false).verbosity(Verbosity.SILENT));
    assertEquals(0, step.sub(model.parameters()).amaxNumber().doubleValue(), 1e-14);
  }

  @Test
  void validationKeepsEachHeldOutSamplesWeight() {
    HeadsModel model = HeadsModel.create(50, DataType.DOUBLE);
    History history = model.fit(heads().withSampleWeights(WEIGHTS), FitOptions.epochs(1)
        .batchSize(3).validationSplit(0.3).verbosity(Verbosity.SILENT));
    // the last 3 of 10 samples are held out
    ModelData heldOut = HeadsModel.data(rows(X), rows(SQUARED), rows(ABSOLUTE), rows(ROBUST),
        rows(LABEL), rows(FLAG)).withSampleWeights(rows(WEIGHTS));
    assertEquals(model.evaluate(heldOut).loss(), history.last("val_loss"), 1e-12);
  }

  private static INDArray rows(INDArray array) {
    return array.get(NDArrayIndex.interval(7, 10)).dup();
  }

  @Test
  void classWeightsMultiplySampleWeights() {
    INDArray labels = LABEL;
    INDArray product = WEIGHTS.dup();
    for (int i = 0; i < N; i++) {
      product.putScalar(i, product.getDouble(i) * (labels.getDouble(i, 0) == 1 ? 3 : 1));
    }
    WeightedClassifierModel both = WeightedClassifierModel.create(51, DataType.DOUBLE);
    both.fit(WeightedClassifierModel.data(X, labels).withSampleWeights(WEIGHTS), FitOptions.epochs(2)
        .batchSize(4).seed(5).classWeights(Map.of(0, 3.0)).verbosity(Verbosity.SILENT));
    WeightedClassifierModel multiplied = WeightedClassifierModel.create(51, DataType.DOUBLE);
    multiplied.fit(WeightedClassifierModel.data(X, labels).withSampleWeights(product),
        FitOptions.epochs(2).batchSize(4).seed(5).verbosity(Verbosity.SILENT));
    assertEquals(0, both.parameters().sub(multiplied.parameters()).amaxNumber().doubleValue(),
        1e-15);
  }

  @Test
  void shuffledBatchesCarryEachSamplesOwnWeight() {
    // a sample of weight 0 teaches nothing: with every other sample's weight 0, training on all
    // ten equals training on those five alone with weights doubled (the divisor is the batch)
    INDArray alternate = Nd4j.zeros(DataType.DOUBLE, N);
    for (int i = 0; i < N; i += 2) {
      alternate.putScalar(i, 1.0);
    }
    WeightedClassifierModel weighted = WeightedClassifierModel.create(52, DataType.DOUBLE);
    History history = weighted.fit(WeightedClassifierModel.data(X, LABEL).withSampleWeights(alternate),
        FitOptions.epochs(3).batchSize(N).seed(9).verbosity(Verbosity.SILENT));
    INDArray even = X.get(NDArrayIndex.interval(0, 2, N));
    INDArray evenLabels = LABEL.get(NDArrayIndex.interval(0, 2, N));
    WeightedClassifierModel alone = WeightedClassifierModel.create(52, DataType.DOUBLE);
    alone.fit(WeightedClassifierModel.data(even.dup(), evenLabels.dup())
            .withSampleWeights(Nd4j.valueArrayOf(N / 2, 0.5).castTo(DataType.DOUBLE)),
        FitOptions.epochs(3).batchSize(N).seed(9).verbosity(Verbosity.SILENT));
    assertEquals(0, weighted.parameters().sub(alone.parameters()).amaxNumber().doubleValue(),
        1e-14);
    assertTrue(history.last("loss") > 0);
  }

  @Test
  void iteratorsReadAPerExampleLabelsMaskAsSampleWeights() {
    List<DataSet> batches = new ArrayList<>();
    for (int from = 0; from < N; from += 4) {
      int to = Math.min(from + 4, N);
      batches.add(new DataSet(X.get(NDArrayIndex.interval(from, to)).dup(),
          LABEL.get(NDArrayIndex.interval(from, to)).dup(), null,
          WEIGHTS.get(NDArrayIndex.interval(from, to)).dup().reshape(to - from, 1)));
    }
    WeightedClassifierModel streamed = WeightedClassifierModel.create(53, DataType.DOUBLE);
    WeightedClassifierModel arrays = WeightedClassifierModel.create(53, DataType.DOUBLE);
    ModelData weighted = WeightedClassifierModel.data(X, LABEL).withSampleWeights(WEIGHTS);
    assertEquals(arrays.evaluate(weighted, 4).loss(),
        streamed.evaluate(ListIterators.dataSets(batches, true)).loss(), 1e-14);
    streamed.fit(ListIterators.dataSets(batches, true),
        FitOptions.epochs(2).verbosity(Verbosity.SILENT));
    arrays.fit(weighted, FitOptions.epochs(2).batchSize(4).shuffle(false).verbosity(Verbosity.SILENT));
    assertEquals(0, streamed.parameters().sub(arrays.parameters()).amaxNumber().doubleValue(),
        1e-15);
  }

  @Test
  void aMultiDataSetWeighsEveryOutputByItsSharedMask() {
    HeadsModel model = HeadsModel.create(54, DataType.DOUBLE);
    INDArray mask = WEIGHTS.reshape(N, 1);
    MultiDataSet data = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {X},
        new INDArray[] {SQUARED, ABSOLUTE, ROBUST, LABEL, FLAG}, null,
        new INDArray[] {mask, mask, mask, mask, mask});
    assertEquals(model.evaluate(heads().withSampleWeights(WEIGHTS)).loss(),
        model.evaluate(data).loss(), 1e-14);
    MultiDataSet differing = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {X},
        new INDArray[] {SQUARED, ABSOLUTE, ROBUST, LABEL, FLAG}, null,
        new INDArray[] {mask, mask, mask, mask, null});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model.evaluate(differing));
    assertTrue(e.getMessage().contains("labels masks that differ between outputs"), e.getMessage());
  }

  @Test
  void badWeightsAreRefusedByName() {
    WeightedClassifierModel model = WeightedClassifierModel.create(55);
    WeightedClassifierModel.Data data = WeightedClassifierModel.data(X, LABEL);
    assertRefused(model, data.withSampleWeights(Nd4j.ones(DataType.DOUBLE, N - 1)),
        "sample weights have 9 values but input 'input' has 10 samples");
    assertRefused(model, data.withSampleWeights(WEIGHTS.dup().putScalar(6, -0.5)),
        "sample weight of sample 6 of 10 is -0.5; weights must be finite and >= 0");
    assertRefused(model, data.withSampleWeights(WEIGHTS.dup().putScalar(2, Double.NaN)),
        "sample weight of sample 2 of 10 is NaN");
    assertRefused(model, data.withSampleWeights(WEIGHTS.dup().putScalar(1, Double.POSITIVE_INFINITY)),
        "sample weight of sample 1 of 10 is Infinity");
    assertRefused(model, data.withSampleWeights(Nd4j.ones(DataType.DOUBLE, N, 3)),
        "one per sample: shape (10,) or (10, 1)");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> data.withSampleWeights(null));
    assertTrue(e.getMessage().contains("the sample weights are null"), e.getMessage());
    DataSet perStep = new DataSet(X, LABEL, null, Nd4j.ones(DataType.DOUBLE, N, 3));
    e = assertThrows(IllegalArgumentException.class, () -> model.evaluate(perStep));
    assertTrue(e.getMessage().contains("labels mask of shape (10, 3)"), e.getMessage());
  }

  private static void assertRefused(WeightedClassifierModel model, ModelData data, String message) {
    IllegalArgumentException fit = assertThrows(IllegalArgumentException.class,
        () -> model.fit(data, FitOptions.epochs(1).verbosity(Verbosity.SILENT)));
    assertTrue(fit.getMessage().contains(message), fit.getMessage());
    IllegalArgumentException evaluate =
        assertThrows(IllegalArgumentException.class, () -> model.evaluate(data));
    assertTrue(evaluate.getMessage().contains(message), evaluate.getMessage());
  }
}
