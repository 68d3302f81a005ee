package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.losses.SampleWeights;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Generated models with masks: float64 gradients against finite differences, and predictions
 * and losses that do not depend on how much padding follows a sequence.
 */
class MaskedModelsTest {

  private static final int ALL = 1000;
  private static final INDArray PADDED_TOKENS =
      Nd4j.createFromArray(new int[][] {{3, 5, 2, 0, 0, 0}, {1, 6, 6, 4, 2, 0}});

  @Test
  void tokensGradientsMatchFiniteDifferences() {
    MaskedTokensModel model = MaskedTokensModel.create(1, DataType.DOUBLE);
    model.parameters().addi(RandomArrays.uniform(2, model.parameters().length()).muli(0.1));
    INDArray label = RandomArrays.oneHot(3, 2, 2);
    INDArray tags = Nd4j.createFromArray(new double[][] {{0, 2, 1, 1, 0, 2}, {2, 2, 0, 1, 1, 0}});
    ModelChecks.assertGradientsMatch(model,
        () -> model.computeGradients(PADDED_TOKENS, label, tags), ALL);
  }

  @Test
  void predictionsDoNotDependOnThePaddingThatFollows() {
    MaskedTokensModel model = MaskedTokensModel.create(4, DataType.DOUBLE);
    INDArray shortest = Nd4j.createFromArray(new int[][] {{3, 5, 2}});
    MaskedTokensModel.Outputs unpadded = model.predict(shortest);
    for (int padding : new int[] {1, 4, 9}) {
      INDArray padded = Nd4j.zeros(DataType.INT, 1, 3 + padding);
      padded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)).assign(shortest);
      MaskedTokensModel.Outputs outputs = model.predict(padded);
      assertEquals(unpadded.label(), outputs.label(), padding + " padding tokens");
      assertEquals(unpadded.tags(), outputs.tags().get(NDArrayIndex.all(),
          NDArrayIndex.interval(0, 3), NDArrayIndex.all()), padding + " padding tokens");
    }
  }

  @Test
  void lossesCountUnpaddedStepsOnly() {
    MaskedTokensModel model = MaskedTokensModel.create(5, DataType.DOUBLE);
    INDArray label = RandomArrays.oneHot(6, 2, 2);
    INDArray tags = Nd4j.createFromArray(new double[][] {{0, 2, 1, 1, 0, 2}, {2, 2, 0, 1, 1, 0}});
    double padded = model.computeGradients(PADDED_TOKENS, label, tags);
    // The same tokens with a different amount of padding after them: the same loss, to Keras'
    // epsilon in the division by the count of unpadded steps.
    INDArray longer = Nd4j.zeros(DataType.INT, 2, 9);
    longer.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 6)).assign(PADDED_TOKENS);
    INDArray longerTags = Nd4j.zeros(DataType.DOUBLE, 2, 9);
    longerTags.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 6)).assign(tags);
    // Targets of padded steps are anything: they must not count.
    longerTags.get(NDArrayIndex.all(), NDArrayIndex.interval(6, 9)).assign(2);
    assertEquals(padded, model.computeGradients(longer, label, longerTags), 1e-9);
  }

  @Test
  void seriesGradientsMatchFiniteDifferencesWithSampleWeights() {
    MaskedSeriesModel model = MaskedSeriesModel.create(7, DataType.DOUBLE);
    model.parameters().addi(RandomArrays.uniform(8, model.parameters().length()).muli(0.1));
    INDArray series = RandomArrays.uniform(9, 3, 5, 2);
    series.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 5)).assign(-1);
    series.get(NDArrayIndex.point(2), NDArrayIndex.interval(1, 5)).assign(-1);
    INDArray target = RandomArrays.uniform(10, 3, 5, 2);
    INDArray weights = Nd4j.createFromArray(0.5, 2.0, 1.0);
    ModelChecks.assertGradientsMatch(model,
        () -> SampleWeights.during(weights, () -> model.computeGradients(series, target)), ALL);
    // Keras: sum(w m l) / sum(m), with l each step's mean squared error.
    INDArray p = model.predict(series).perStep();
    double expected = 0;
    int counted = 0;
    for (int i = 0; i < 3; i++) {
      for (int t = 0; t < 5; t++) {
        if (series.getDouble(i, t, 0) == -1 && series.getDouble(i, t, 1) == -1) {
          continue;
        }
        counted++;
        for (int c = 0; c < 2; c++) {
          double r = p.getDouble(i, t, c) - target.getDouble(i, t, c);
          expected += weights.getDouble(i) * r * r / 2;
        }
      }
    }
    assertEquals(9, counted);
    double loss = SampleWeights.during(weights, () -> model.computeGradients(series, target));
    assertEquals(expected / (counted + 1e-7), loss, 1e-12);
  }

  @Test
  void twoMasksAreAnded() {
    TwoMasksModel model = TwoMasksModel.create(11, DataType.DOUBLE);
    model.parameters().addi(RandomArrays.uniform(12, model.parameters().length()).muli(0.1));
    INDArray tokens = Nd4j.createFromArray(new int[][] {{1, 0, 3, 4, 5}, {2, 2, 0, 0, 1}});
    INDArray series = RandomArrays.uniform(13, 2, 5, 3);
    series.get(NDArrayIndex.point(0), NDArrayIndex.point(3)).assign(0);
    INDArray y = RandomArrays.uniform(14, 2, 1);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(tokens, series, y), ALL);
    INDArray before = model.predict(tokens, series).value().dup();
    // A step masked by either mask does not count: change the series there.
    INDArray changed = series.dup();
    changed.get(NDArrayIndex.point(0), NDArrayIndex.point(1)).assign(7);
    changed.get(NDArrayIndex.point(1), NDArrayIndex.interval(2, 4)).assign(-3);
    assertEquals(before, model.predict(tokens, changed).value());
    changed.get(NDArrayIndex.point(0), NDArrayIndex.point(2)).assign(7);
    assertTrue(!before.equals(model.predict(tokens, changed).value()), "an unmasked step counts");
  }

  @Test
  void recurrentGradientsMatchFiniteDifferences() {
    MaskedRecurrentModel model = MaskedRecurrentModel.create(15, DataType.DOUBLE);
    model.parameters().addi(RandomArrays.uniform(16, model.parameters().length()).muli(0.1));
    INDArray label = RandomArrays.oneHot(17, 2, 2);
    INDArray perStep = RandomArrays.uniform(18, 2, 6, 1);
    // Padding in the middle too: Keras skips any masked step, not only trailing ones.
    INDArray tokens = Nd4j.createFromArray(new int[][] {{3, 0, 2, 5, 0, 0}, {1, 6, 6, 4, 2, 0}});
    ModelChecks.assertGradientsMatch(model,
        () -> model.computeGradients(tokens, label, perStep), ALL);
  }

  @Test
  void recurrentPredictionsDoNotDependOnThePaddingThatFollows() {
    MaskedRecurrentModel model = MaskedRecurrentModel.create(19, DataType.DOUBLE);
    model.parameters().addi(RandomArrays.uniform(20, model.parameters().length()).muli(0.3));
    INDArray shortest = Nd4j.createFromArray(new int[][] {{3, 5, 2, 6}});
    MaskedRecurrentModel.Outputs unpadded = model.predict(shortest);
    for (int padding : new int[] {1, 3, 8}) {
      INDArray padded = Nd4j.zeros(DataType.INT, 1, 4 + padding);
      padded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)).assign(shortest);
      MaskedRecurrentModel.Outputs outputs = model.predict(padded);
      // The backward LSTM starts in the padding: it carries its zero state over it.
      assertEquals(unpadded.label(), outputs.label(), padding + " padding tokens");
      INDArray steps = outputs.perStep();
      assertEquals(unpadded.perStep(), steps.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4),
          NDArrayIndex.all()), padding + " padding tokens");
      // Keras' default: a masked step's output repeats the last unmasked one.
      for (int t = 4; t < 4 + padding; t++) {
        assertEquals(steps.getDouble(0, 3, 0), steps.getDouble(0, t, 0), "step " + t);
      }
    }
  }

  @Test
  void attentionGradientsMatchFiniteDifferences() {
    MaskedAttentionModel model = MaskedAttentionModel.create(21, DataType.DOUBLE);
    model.parameters().addi(RandomArrays.uniform(22, model.parameters().length()).muli(0.1));
    INDArray label = RandomArrays.oneHot(23, 2, 2);
    INDArray perStep = RandomArrays.uniform(24, 2, 6, 1);
    INDArray tokens = Nd4j.createFromArray(new int[][] {{3, 0, 2, 5, 0, 0}, {1, 6, 6, 4, 2, 0}});
    ModelChecks.assertGradientsMatch(model,
        () -> model.computeGradients(tokens, label, perStep), ALL);
    MaskedMemoryModel memory = MaskedMemoryModel.create(25, DataType.DOUBLE);
    memory.parameters().addi(RandomArrays.uniform(26, memory.parameters().length()).muli(0.1));
    INDArray query = RandomArrays.uniform(27, 2, 3, 4);
    // The first query of sample 0 sees no key (causal, and token 0 is padding): uniform, as
    // Keras in float32.
    INDArray stored = Nd4j.createFromArray(new int[][] {{0, 3, 2, 0, 0}, {1, 5, 4, 2, 0}});
    INDArray y = RandomArrays.uniform(28, 2, 1);
    ModelChecks.assertGradientsMatch(memory, () -> memory.computeGradients(query, stored, y), ALL);
  }

  @Test
  void attentionPredictionsDoNotDependOnThePaddingThatFollows() {
    MaskedAttentionModel model = MaskedAttentionModel.create(29, DataType.DOUBLE);
    model.parameters().addi(RandomArrays.uniform(30, model.parameters().length()).muli(0.3));
    INDArray shortest = Nd4j.createFromArray(new int[][] {{3, 5, 2, 6}});
    MaskedAttentionModel.Outputs unpadded = model.predict(shortest);
    for (int padding : new int[] {1, 3, 8}) {
      INDArray padded = Nd4j.zeros(DataType.INT, 1, 4 + padding);
      padded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)).assign(shortest);
      MaskedAttentionModel.Outputs outputs = model.predict(padded);
      assertAllClose(unpadded.label(), outputs.label(), padding + " padding tokens");
      assertAllClose(unpadded.perStep(), outputs.perStep().get(NDArrayIndex.all(),
          NDArrayIndex.interval(0, 4), NDArrayIndex.all()), padding + " padding tokens");
    }
  }

  /** Equal to float64 rounding: attention sums over a different number of zero probabilities. */
  private static void assertAllClose(INDArray expected, INDArray actual, String what) {
    assertTrue(expected.equalsWithEps(actual, 1e-14), what + ": " + expected + " vs " + actual);
  }
}
