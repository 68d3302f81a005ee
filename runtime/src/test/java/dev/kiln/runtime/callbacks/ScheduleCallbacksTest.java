package dev.kiln.runtime.callbacks;

import static dev.kiln.runtime.callbacks.StubTraining.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ReduceLROnPlateau and LearningRateScheduler on scripted curves, step by step as in Keras. */
class ScheduleCallbacksTest {

  @Test
  void reduceLrOnPlateauWaitsReducesCoolsDownAndStopsAtTheMinimum() {
    StubTraining training = new StubTraining();
    ReduceLROnPlateau callback = new ReduceLROnPlateau()
        .factor(0.5).patience(2).cooldown(1).minLr(0.02).minDelta(0.01).verbose(true);
    callback.onTrainBegin(training);
    double[] curve = {1.0, 0.995, 0.98, 0.98, 0.98, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99};
    // 0.995 is no improvement by more than 0.01; 0.98 is. Two epochs without improvement reduce
    // the rate; the epoch after a reduction (cooldown 1) restarts the count; 0.0125 is below minLr.
    double[] expected = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02};
    double[] logged = {0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02};
    for (int epoch = 1; epoch <= curve.length; epoch++) {
      Map<String, Double> logs = logs("val_loss", curve[epoch - 1]);
      callback.onEpochEnd(epoch, logs);
      assertEquals(
          expected[epoch - 1], training.updater.learningRate(), 0.0, "after epoch " + epoch);
      assertEquals(logged[epoch - 1], logs.get("learning_rate"), 0.0, "logged in epoch " + epoch);
    }
    assertEquals(List.of(
        "Epoch 5: ReduceLROnPlateau reducing learning rate to 0.05.",
        "Epoch 7: ReduceLROnPlateau reducing learning rate to 0.025.",
        "Epoch 9: ReduceLROnPlateau reducing learning rate to 0.02."), training.messages);
  }

  @Test
  void reduceLrOnPlateauFollowsAccuracyUpwards() {
    StubTraining training = new StubTraining();
    ReduceLROnPlateau callback = new ReduceLROnPlateau().monitor("val_accuracy").patience(1);
    callback.onTrainBegin(training);
    callback.onEpochEnd(1, logs("val_accuracy", 0.5));
    callback.onEpochEnd(2, logs("val_accuracy", 0.6));
    assertEquals(0.1, training.updater.learningRate(), 0.0, "accuracy went up: no reduction");
    callback.onEpochEnd(3, logs("val_accuracy", 0.55));
    assertEquals(0.1 * 0.1, training.updater.learningRate(), 1e-18);
  }

  @Test
  void reduceLrOnPlateauRejectsKerasesInvalidSettings() {
    ReduceLROnPlateau callback = new ReduceLROnPlateau();
    for (double factor : new double[] {1.0, 0.0, -0.5, Double.NaN}) {
      assertThrows(IllegalArgumentException.class, () -> callback.factor(factor), "" + factor);
    }
    assertThrows(IllegalArgumentException.class, () -> callback.patience(-1));
    assertThrows(IllegalArgumentException.class, () -> callback.cooldown(-1));
    assertThrows(IllegalArgumentException.class, () -> callback.minLr(-1e-3));
  }

  @Test
  void schedulerSetsTheRateAtEachEpochsStartAndLogsIt() {
    StubTraining training = new StubTraining();
    LearningRateScheduler scheduler =
        new LearningRateScheduler((epoch, rate) -> epoch <= 2 ? rate : rate * 0.5).verbose(true);
    scheduler.onTrainBegin(training);
    double[] expected = {0.1, 0.1, 0.05, 0.025};
    for (int epoch = 1; epoch <= 4; epoch++) {
      scheduler.onEpochBegin(epoch);
      assertEquals(expected[epoch - 1], training.updater.learningRate(), 0.0, "epoch " + epoch);
      Map<String, Double> logs = logs("loss", 1.0);
      scheduler.onEpochEnd(epoch, logs);
      assertEquals(expected[epoch - 1], logs.get("learning_rate"), 0.0);
    }
    assertEquals("Epoch 3: LearningRateScheduler setting learning rate to 0.05.",
        training.messages.get(2));
  }

  @Test
  void aScheduleThatGivesNoUsableRateIsAnErrorNamingTheEpoch() {
    StubTraining training = new StubTraining();
    LearningRateScheduler scheduler = new LearningRateScheduler((epoch, rate) -> rate - 0.1);
    scheduler.onTrainBegin(training);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> scheduler.onEpochBegin(1));
    assertTrue(e.getMessage().contains("gave 0.0 for epoch 1"), e.getMessage());
  }
}
