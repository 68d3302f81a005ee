package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Optimizer;
import dev.kiln.examples.ModernTrainingModels.Modern;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.ParameterSpec;
import dev.kiln.runtime.Verbosity;
import dev.kiln.runtime.callbacks.ReduceLROnPlateau;
import dev.kiln.runtime.optim.AdamW;
import dev.kiln.runtime.optim.GradientClipping;
import dev.kiln.runtime.optim.OptimizerSpec;
import dev.kiln.runtime.optim.Updater;
import dev.kiln.runtime.optim.schedules.CosineDecay;
import dev.kiln.runtime.optim.schedules.ExponentialDecay;
import dev.kiln.runtime.testing.RandomArrays;
import java.io.PrintStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@link Modern}'s declared optimizer, schedule, clipping and smoothing, end to end. */
class ModernTrainingTest {

  private static final INDArray X = RandomArrays.uniform(2, 8, 4).muli(3);
  private static final INDArray Y = RandomArrays.oneHot(3, 8, 3);

  @Test
  void theDeclaredOptimizerReachesTheRuntime() {
    Updater updater = ModernModel.create(1).updater();
    assertTrue(updater instanceof AdamW, updater.getClass().getName());
    assertEquals(0.1, updater.weightDecay());
    assertEquals(false, updater.decaysBiasesAndNorms());
    assertEquals(GradientClipping.clipNorm(0.05), updater.clipping());
    assertEquals(CosineDecay.withWarmup(1e-3, 10, 2e-3, 100, 0.1), updater.schedule());
  }

  @Test
  void smoothedLossGradientsMatchFiniteDifferences() {
    ModernModel model = ModernModel.create(4, DataType.DOUBLE);
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(X, Y), 1000);
  }

  @Test
  void firstStepIsClippedAdamWithDecayOnKernelsOnly() {
    ModernModel probe = ModernModel.create(5, DataType.DOUBLE);
    probe.computeGradients(X, Y);
    double[] g = probe.gradients().toDoubleVector();
    double[] statisticsAfterOneForward = probe.parameters().toDoubleVector();

    ModernModel model = ModernModel.create(5, DataType.DOUBLE);
    double[] before = model.parameters().toDoubleVector();
    model.trainStep(X, Y);
    double[] after = model.parameters().toDoubleVector();

    double rate = 1e-3; // the schedule's rate at step 0
    double alpha = rate * Math.sqrt(1 - 0.999) / (1 - 0.9);
    int offset = 0;
    for (ParameterSpec parameter : model.spec().parameters()) {
      int length = (int) parameter.length();
      double squares = 0;
      for (int i = offset; i < offset + length; i++) {
        squares += g[i] * g[i];
      }
      double scale = 0.05 / Math.max(Math.sqrt(squares), 0.05);
      boolean decayed = parameter.trainable() && parameter.shape().length > 1;
      for (int i = offset; i < offset + length; i++) {
        String entry = parameter.layer() + "." + parameter.name() + "[" + (i - offset) + "]";
        if (!parameter.trainable()) {
          // moving statistics: moved by the layer's forward pass only, never by the optimizer
          assertEquals(statisticsAfterOneForward[i], after[i], 0.0, entry);
          continue;
        }
        double clipped = g[i] * scale;
        double m = 0.1 * clipped;
        double v = 0.001 * clipped * clipped;
        double expected = before[i] * (decayed ? 1 - rate * 0.1 : 1)
            - alpha * m / (Math.sqrt(v) + 1e-7);
        assertEquals(expected, after[i], 1e-12, entry);
      }
      offset += length;
    }
  }

  @Test
  void aFrozenLayerStaysPutUnderWeightDecay() {
    ModernModel model = ModernModel.create(6);
    model.freeze("hidden");
    double[] frozenBefore = model.layers().hidden().kernel().ravel().toDoubleVector();
    model.fit(ModernModel.data(X.castTo(DataType.FLOAT), Y.castTo(DataType.FLOAT)),
        FitOptions.epochs(3).batchSize(4).verbosity(Verbosity.SILENT));
    assertEquals(java.util.Arrays.toString(frozenBefore),
        java.util.Arrays.toString(model.layers().hidden().kernel().ravel().toDoubleVector()));
  }

  @Test
  void fitOptionsReplaceTheOptimizerAndSchedule() {
    ModernModel model = ModernModel.create(7);
    ExponentialDecay schedule = new ExponentialDecay(0.01, 2, 0.5, true);
    model.fit(ModernModel.data(X.castTo(DataType.FLOAT), Y.castTo(DataType.FLOAT)),
        FitOptions.epochs(2).batchSize(4).verbosity(Verbosity.SILENT)
            .optimizer(OptimizerSpec.of(Optimizer.LION))
            .schedule(schedule));
    assertEquals("lion", model.updater().name());
    assertEquals(schedule, model.updater().schedule());
    assertEquals(4, model.updater().iterations());
    assertEquals(0.01 * 0.25, model.updater().currentLearningRate(), 1e-15);
  }

  @Test
  void learningRateCallbacksRefuseAScheduledRate() {
    ModernModel model = ModernModel.create(8);
    PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.fit(
        ModernModel.data(X.castTo(DataType.FLOAT), Y.castTo(DataType.FLOAT)),
        FitOptions.epochs(1).printTo(silent).callbacks(new ReduceLROnPlateau())));
    assertTrue(e.getMessage().contains("schedule"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> FitOptions.epochs(1).learningRate(0.1).schedule(step -> 0.1));
  }

  @Test
  void newerLossesThroughAGeneratedModelMatchFiniteDifferences() {
    NewerLossesModel model = NewerLossesModel.create(9, DataType.DOUBLE);
    INDArray residual = RandomArrays.uniform(10, 8, 2).muli(2);
    INDArray counts = org.nd4j.linalg.ops.transforms.Transforms.floor(
        RandomArrays.uniform(11, 8, 3).addi(1).muli(1.5), false);
    INDArray distribution = org.nd4j.linalg.ops.transforms.Transforms.softmax(
        RandomArrays.uniform(12, 8, 3).muli(2), true);
    INDArray direction = RandomArrays.uniform(13, 8, 3);
    ModelChecks.assertGradientsMatch(model,
        () -> model.computeGradients(X, residual, counts, distribution, direction), 1000);
  }

  @Test
  void epochMetricsOfEvaluateRankAllBatchesTogether() {
    ModernModel model = ModernModel.create(14);
    INDArray x = RandomArrays.uniform(15, 40, 4).castTo(DataType.FLOAT);
    INDArray y = RandomArrays.oneHot(16, 40, 3).castTo(DataType.FLOAT);
    INDArray p = model.predict(x).output();
    dev.kiln.runtime.metrics.Auc whole =
        new dev.kiln.runtime.metrics.Auc(dev.kiln.runtime.metrics.Auc.Curve.ROC);
    whole.update(p, y);
    // batches of 7 do not divide 40: a per-batch average would differ
    assertEquals(whole.result(), model.evaluate(ModernModel.data(x, y), 7).get("auc"), 1e-12);
  }

  /** {@code l1 sum|w| + l2 sum w^2} of each regularized array, written out. */
  private static double penalty(RegularizedModel model) {
    double total = 0;
    total += 0.01 * ModelChecks.sum(model.layers().hidden1().kernel(), true)
        + 0.02 * ModelChecks.sum(model.layers().hidden1().kernel(), false)
        + 0.03 * ModelChecks.sum(model.layers().hidden1().bias(), false);
    total += 0.05 * ModelChecks.sum(model.layers().output().kernel(), false)
        + 0.04 * ModelChecks.sum(model.layers().output().bias(), true);
    return total;
  }


  @Test
  void regularizersAddToTheLossAndItsGradientAsKerasDoes() {
    RegularizedModel model = RegularizedModel.create(17, DataType.DOUBLE);
    INDArray y = RandomArrays.uniform(18, 8, 3);
    double loss = model.computeGradients(X, y);
    assertEquals(model.lastOutputLosses()[0] + penalty(model), loss, 1e-12);
    assertEquals(loss, model.evaluate(RegularizedModel.data(X, y), 8).loss(), 1e-12,
        "evaluate reports the regularized loss too");
    ModelChecks.assertGradientsMatch(model, () -> model.computeGradients(X, y), 1000);
  }

  @Test
  void constraintsHoldAfterEveryUpdate() {
    RegularizedModel model = RegularizedModel.create(19, DataType.DOUBLE);
    INDArray y = RandomArrays.uniform(20, 8, 3).muli(5);
    for (int step = 0; step < 5; step++) {
      model.trainStep(X, y);
      INDArray maxNormed = model.layers().hidden1().kernel();
      INDArray unitNormed = model.layers().hidden2().kernel();
      for (int unit = 0; unit < 5; unit++) {
        double norm = maxNormed.getColumn(unit).norm2Number().doubleValue();
        assertTrue(norm <= 0.5 + 1e-9, "max-norm unit " + unit + ": " + norm);
      }
      for (int unit = 0; unit < 4; unit++) {
        assertEquals(1.0, unitNormed.getColumn(unit).norm2Number().doubleValue(), 1e-6,
            "unit-norm unit " + unit);
      }
      assertTrue(model.layers().output().kernel().minNumber().doubleValue() >= 0,
          "non-negative kernel");
    }
  }
}
