package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Activity regularizers add {@code (l1 sum|a| + l2 sum a^2) / batch} of a layer's output to the
 * loss, as Keras' layer losses do, and their gradient flows back through the network.
 */
class ActivityRegularizerTest {

  private static final INDArray X = RandomArrays.uniform(30, 8, 4).muli(2);
  private static final INDArray LABELS = RandomArrays.oneHot(31, 8, 3);
  private static final INDArray FLAGS = RandomArrays.uniform(32, 8, 2).gt(0.5).castTo(DataType.DOUBLE);
  private static final INDArray VALUES = RandomArrays.uniform(33, 8, 2);

  /** Keras' rule, written out: each regularized output's sum over the batch, over the batch size. */
  private static double activityPenalty(ActivitiesModel.Activations a) {
    double n = X.size(0);
    return (0.01 * ModelChecks.sum(a.hidden(), true) + 0.02 * ModelChecks.sum(a.hidden(), false)) / n
        + 0.03 * ModelChecks.sum(a.shared(), false) / n
        + 0.03 * ModelChecks.sum(a.again(), false) / n // the layer applied again regularizes as it
        + 0.02 * ModelChecks.sum(a.sum(), true) / n
        + 0.04 * ModelChecks.sum(a.rectified(), true) / n
        + 0.05 * ModelChecks.sum(a.label(), false) / n
        + (0.01 * ModelChecks.sum(a.flags(), true) + 0.01 * ModelChecks.sum(a.flags(), false)) / n
        + 0.02 * ModelChecks.sum(a.value(), false) / n;
  }


  @Test
  void theLossAddsEachLayersPenaltyOverTheBatchSize() {
    ActivitiesModel model = ActivitiesModel.create(34, DataType.DOUBLE);
    double loss = model.computeGradients(X, LABELS, FLAGS, VALUES);
    double[] outputs = model.lastOutputLosses();
    double weighted = outputs[0] + 0.5 * outputs[1] + outputs[2];
    double kernelPenalty = 0.01 * ModelChecks.sum(model.layers().shared().kernel(), false);
    double expected = weighted + kernelPenalty + activityPenalty(model.activations(X));
    assertEquals(expected, loss, 1e-12);
    assertTrue(loss - weighted - kernelPenalty > 0.01, "the activity penalty is not negligible");
    assertEquals(loss, model.evaluate(ActivitiesModel.data(X, LABELS, FLAGS, VALUES), 8).loss(),
        1e-12, "evaluate reports the regularized loss too");
  }

  @Test
  void theRegularizedLossGradientsMatchFiniteDifferences() {
    ActivitiesModel model = ActivitiesModel.create(35, DataType.DOUBLE);
    ModelChecks.assertGradientsMatch(
        model, () -> model.computeGradients(X, LABELS, FLAGS, VALUES), 1000);
  }

  @Test
  void fitReportsTheRegularizedLossAndLowersIt() {
    ActivitiesModel model = ActivitiesModel.create(36);
    INDArray x = X.castTo(DataType.FLOAT);
    History history = model.fit(
        ActivitiesModel.data(x, LABELS.castTo(DataType.FLOAT), FLAGS.castTo(DataType.FLOAT),
            VALUES.castTo(DataType.FLOAT)),
        FitOptions.epochs(20).batchSize(8).shuffle(false).verbosity(Verbosity.SILENT));
    double last = history.get("loss").get(19);
    double outputsOnly = history.get("label_loss").get(19) + 0.5 * history.get("flags_loss").get(19)
        + history.get("value_loss").get(19);
    assertTrue(last > outputsOnly + 1e-3, "fit's loss includes the penalties: " + last
        + " against the outputs' " + outputsOnly);
    assertTrue(last < history.get("loss").get(0), "training lowers the regularized loss");
  }
}
