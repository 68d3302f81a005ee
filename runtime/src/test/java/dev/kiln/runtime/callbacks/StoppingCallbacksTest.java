package dev.kiln.runtime.callbacks;

import static dev.kiln.runtime.callbacks.StubTraining.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** EarlyStopping's counting and TerminateOnNaN on scripted values, as Keras counts. */
class StoppingCallbacksTest {

  @Test
  void earlyStoppingStopsWhenPatienceRunsOut() {
    // Improvements: epochs 1 and 3 (by more than 0.05); stop after two epochs without.
    assertEquals(5, stoppedAfter(new EarlyStopping().patience(2).minDelta(0.05),
        "val_loss", 1.0, 0.97, 0.9, 0.88, 0.87, 0.1));
    // Patience 0: the first epoch that does not improve, unless it is the first.
    assertEquals(2, stoppedAfter(new EarlyStopping(), "val_loss", 1.0, 1.0, 0.5));
  }

  @Test
  void earlyStoppingFollowsAccuracyUpwardsByItsName() {
    assertEquals(3, stoppedAfter(new EarlyStopping().monitor("val_accuracy").patience(1),
        "val_accuracy", 0.5, 0.6, 0.55, 0.7));
    assertEquals(3, stoppedAfter(new EarlyStopping().monitor("score").mode(Mode.MAX).patience(1),
        "score", 1, 2, 1.5));
  }

  @Test
  void earlyStoppingKeepsWaitingUntilTheBaselineIsBeaten() {
    // Improvements that do not beat 0.5 do not restart the count: epoch 3 is the third without
    // beating it, and it does not improve, so training stops there.
    assertEquals(3, stoppedAfter(new EarlyStopping().patience(2).baseline(0.5),
        "val_loss", 0.9, 0.8, 0.85, 0.4));
    assertEquals(0, stoppedAfter(new EarlyStopping().patience(2),
        "val_loss", 0.9, 0.8, 0.85, 0.4));
    assertEquals(0, stoppedAfter(new EarlyStopping().patience(2).baseline(0.5),
        "val_loss", 0.9, 0.45, 0.47, 0.3));
  }

  @Test
  void earlyStoppingExplainsAMonitorTheLogsLack() {
    EarlyStopping callback = new EarlyStopping();
    callback.onTrainBegin(new StubTraining());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> callback.onEpochEnd(1, logs("loss", 1.0)));
    assertTrue(e.getMessage().contains("'val_loss'") && e.getMessage().contains("[loss]")
        && e.getMessage().contains("validation data"), e.getMessage());
  }

  @Test
  void autoModeRefusesANameItCannotRead() {
    EarlyStopping callback = new EarlyStopping().monitor("score");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> callback.onTrainBegin(new StubTraining()));
    assertTrue(e.getMessage().contains("mode(Mode.MAX)"), e.getMessage());
  }

  @Test
  void terminateOnNaNStopsAtTheFirstInvalidLossNamingEpochAndStep() {
    StubTraining training = new StubTraining();
    TerminateOnNaN callback = new TerminateOnNaN();
    callback.onTrainBegin(training);
    callback.onBatchEnd(2, 2, logs("loss", 0.7));
    assertFalse(training.stopped);
    callback.onBatchEnd(2, 3, logs("loss", Double.NaN));
    assertTrue(training.stopped);
    callback.onBatchEnd(2, 4, logs("loss", Double.POSITIVE_INFINITY));
    assertEquals(List.of("Epoch 2, step 3: invalid loss NaN, terminating training"),
        training.messages);
    assertEquals(2, callback.stoppedEpoch());
    assertEquals(3, callback.stoppedStep());

    StubTraining infinite = new StubTraining();
    callback.onTrainBegin(infinite);
    callback.onBatchEnd(1, 1, logs("loss", Double.NEGATIVE_INFINITY));
    assertTrue(infinite.stopped);
  }

  /** The epoch EarlyStopping stops after on {@code curve}; 0 if it never does. */
  private static int stoppedAfter(EarlyStopping callback, String name, double... curve) {
    StubTraining training = new StubTraining();
    callback.onTrainBegin(training);
    for (int epoch = 1; epoch <= curve.length && !training.stopped; epoch++) {
      callback.onEpochEnd(epoch, logs(name, curve[epoch - 1]));
    }
    callback.onTrainEnd(null);
    return callback.stoppedEpoch();
  }
}
