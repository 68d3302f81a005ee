package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.Scores;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.kernels.BatchNormalization;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Losses on raw scores, Huber, frozen layers and the extra metrics, in generated models. */
class TrainingOptionsTest {

  private static final INDArray LABELS = Nd4j.createFromArray(new int[] {3, 0, 2, 1, 3, 2});

  @Test
  void rawScoreLossesAndHuberMatchFiniteDifferences() {
    LogitsModel model = LogitsModel.create(1, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(2, 6, 5);
    INDArray classes = RandomArrays.oneHot(3, 6, 7);
    INDArray flags = RandomArrays.uniform(4, 6, 3).gt(0).castTo(DataType.DOUBLE);
    INDArray robust = RandomArrays.uniform(5, 6, 2).muli(3);
    ModelChecks.assertGradientsMatch(
        model, () -> model.computeGradients(x, classes, LABELS, flags, robust), 1000);
  }

  @Test
  void rawScoreLossesEqualTheProbabilityLossesOfTheirSoftmaxAndSigmoid() {
    LogitsModel model = LogitsModel.create(6, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(7, 6, 5);
    INDArray classes = RandomArrays.oneHot(8, 6, 7);
    INDArray flags = RandomArrays.uniform(9, 6, 3).gt(0).castTo(DataType.DOUBLE);
    model.computeGradients(x, classes, LABELS, flags, RandomArrays.uniform(10, 6, 2));
    double[] losses = model.lastOutputLosses();
    LogitsModel.Outputs scores = model.predict(x);
    INDArray p = Transforms.softmax(scores.classes().dup());
    double categorical = -Transforms.log(p, false).mul(classes).sumNumber().doubleValue() / 6;
    assertEquals(categorical, losses[0], 1e-9);
    INDArray q = Transforms.sigmoid(scores.flags().dup());
    double binary = -(flags.mul(Transforms.log(q.dup(), false))
        .add(flags.rsub(1).mul(Transforms.log(q.rsub(1), false)))).meanNumber().doubleValue();
    assertEquals(binary, losses[2], 1e-9);
  }

  @Test
  void extraMetricsAreReportedUnderKerasNames() {
    LogitsModel model = LogitsModel.create(11);
    INDArray x = RandomArrays.uniform(12, 64, 5).castTo(DataType.FLOAT);
    INDArray labels = Nd4j.createFromArray(new int[64]);
    History history = model.fit(
        LogitsModel.data(x, RandomArrays.oneHot(13, 64, 7).castTo(DataType.FLOAT), labels,
            RandomArrays.uniform(14, 64, 3).gt(0).castTo(DataType.FLOAT),
            RandomArrays.uniform(15, 64, 2).castTo(DataType.FLOAT)),
        FitOptions.epochs(1).batchSize(16).verbosity(Verbosity.SILENT));
    for (String name : new String[] {"classes_top_k_categorical_accuracy",
        "label_sparse_top_k_categorical_accuracy", "flags_accuracy", "flags_precision",
        "flags_recall", "robust_loss"}) {
      double value = history.last(name);
      assertTrue(value >= 0 && Double.isFinite(value), name + " = " + value);
    }
    // Every label is class 0 of 4: the top 5 of 4 scores always contain it.
    assertEquals(1.0, history.last("label_sparse_top_k_categorical_accuracy"), 0.0);
  }

  @Test
  void frozenLayerDoesNotMoveWhileTheOthersLearn() {
    PartlyFrozenModel model = PartlyFrozenModel.create(16);
    INDArray x = RandomArrays.uniform(17, 32, 4).castTo(DataType.FLOAT);
    INDArray y = x.getColumn(0).gt(0).castTo(DataType.FLOAT).reshape(32, 1);
    INDArray base = model.layers().base().kernel().dup();
    INDArray head = model.layers().head().kernel().dup();
    for (int step = 0; step < 5; step++) {
      model.trainStep(x, y);
    }
    assertTrue(ModelChecks.sameBits(base, model.layers().base().kernel()), "frozen kernel moved");
    assertFalse(ModelChecks.sameBits(head, model.layers().head().kernel()), "head did not learn");
    // Keras counts frozen weights as non-trainable.
    long frozen = 4 * 8 + 8;
    assertTrue(model.summary().contains(String.format("Non-trainable params: %,d", frozen)),
        model.summary());
  }

  @Test
  void freezingAtRunTimeStopsALayerDespiteAdamsMomentum() {
    PartlyFrozenModel model = PartlyFrozenModel.create(18);
    INDArray x = RandomArrays.uniform(19, 32, 4).castTo(DataType.FLOAT);
    INDArray y = x.getColumn(1).gt(0).castTo(DataType.FLOAT).reshape(32, 1);
    model.unfreeze("base");
    for (int step = 0; step < 3; step++) {
      model.trainStep(x, y);
    }
    model.freeze("head");
    INDArray head = model.layers().head().kernel().dup();
    INDArray base = model.layers().base().kernel().dup();
    for (int step = 0; step < 3; step++) {
      model.trainStep(x, y);
    }
    assertTrue(ModelChecks.sameBits(head, model.layers().head().kernel()), "frozen head moved");
    assertFalse(ModelChecks.sameBits(base, model.layers().base().kernel()), "base did not learn");
    assertTrue(model.isFrozen("head") && !model.isFrozen("base"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model.freeze("nothing"));
    assertTrue(e.getMessage().contains("base"), e.getMessage());
  }

  @Test
  void evaluateReportsTheSameMetricsAsFit() {
    PartlyFrozenModel model = PartlyFrozenModel.create(20);
    INDArray x = RandomArrays.uniform(21, 20, 4).castTo(DataType.FLOAT);
    INDArray y = x.getColumn(2).gt(0).castTo(DataType.FLOAT).reshape(20, 1);
    Scores scores = model.evaluate(PartlyFrozenModel.data(x, y), 7);
    assertTrue(scores.asMap().containsKey("loss"), scores.toString());
  }

  @Test
  void frozenBatchNormalizationTrainsOnItsMovingStatisticsAndKeepsThem() {
    FrozenNormalizationModel model = FrozenNormalizationModel.create(22, DataType.DOUBLE);
    INDArray x = RandomArrays.uniform(23, 6, 3);
    INDArray y = RandomArrays.uniform(24, 6, 2);
    // The training loss is the inference loss: the frozen layer normalises with its moving
    // statistics (still 0 and 1 here, far from this batch's), not with the batch's.
    assertEquals(model.evaluate(FrozenNormalizationModel.data(x, y)).loss(),
        model.computeGradients(x, y), 1e-12);

    BatchNormalization.Parameters frozen = model.layers().normalized();
    INDArray[] before = {frozen.gamma().dup(), frozen.beta().dup(), frozen.movingMean().dup(),
        frozen.movingVariance().dup()};
    INDArray hidden = model.layers().hidden().kernel().dup();
    model.trainStep(x, y);
    INDArray[] after = {frozen.gamma(), frozen.beta(), frozen.movingMean(), frozen.movingVariance()};
    for (int i = 0; i < before.length; i++) {
      assertTrue(ModelChecks.sameBits(before[i], after[i]), "parameter " + i + " of the frozen layer moved");
    }
    assertFalse(ModelChecks.sameBits(hidden, model.layers().hidden().kernel()), "hidden did not learn");

    // Gradients through the frozen layer are those of its inference pass; its moving statistics,
    // which the loss now reads, are not trained and have none.
    ModelChecks.assertGradientsMatch(
        model, () -> model.computeGradients(x, y), 1000, ParameterSpec::trainable);

    // Unfrozen, it normalises with the batch's statistics and its moving ones follow them.
    model.unfreeze("normalized");
    INDArray movingMean = frozen.movingMean().dup();
    model.trainStep(x, y);
    assertFalse(ModelChecks.sameBits(movingMean, frozen.movingMean()),
        "the unfrozen layer's moving mean did not move");
  }

  @Test
  void aFrozenNormalizationUsedAgainThroughSharedWeightsKeepsItsStatistics() {
    FrozenNormalizationUsedTwiceModel model = FrozenNormalizationUsedTwiceModel.create(25);
    INDArray x = RandomArrays.uniform(26, 6, 3).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.uniform(27, 6, 2).castTo(DataType.FLOAT);
    BatchNormalization.Parameters frozen = model.layers().normalized();
    INDArray movingMean = frozen.movingMean().dup();
    INDArray movingVariance = frozen.movingVariance().dup();

    model.trainStep(x, y);

    assertTrue(ModelChecks.sameBits(movingMean, frozen.movingMean()), "moving mean moved");
    assertTrue(ModelChecks.sameBits(movingVariance, frozen.movingVariance()),
        "moving variance moved");
  }
}
