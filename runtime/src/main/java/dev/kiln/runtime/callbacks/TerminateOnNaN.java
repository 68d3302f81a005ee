package dev.kiln.runtime.callbacks;

import dev.kiln.runtime.Callback;
import java.util.Map;

/**
 * Keras' {@code TerminateOnNaN}: at the first step whose loss is NaN or infinite, says so (epoch
 * and step) and stops training, so that {@code fit} returns the history instead of failing. The
 * epoch ends there and is still reported; the parameters are those of the failed step. Pair it
 * with {@link EarlyStopping#restoreBestWeights} or {@link ModelCheckpoint} to keep good ones.
 */
public final class TerminateOnNaN implements Callback {

  private Training training;
  private int stoppedEpoch;
  private int stoppedStep;

  @Override
  public void onTrainBegin(Training training) {
    this.training = training;
    stoppedEpoch = 0;
    stoppedStep = 0;
  }

  @Override
  public void onBatchEnd(int epoch, int step, Map<String, Double> logs) {
    Double loss = logs.get("loss");
    if (loss != null && !Double.isFinite(loss) && stoppedEpoch == 0) {
      stoppedEpoch = epoch;
      stoppedStep = step;
      training.log("Epoch " + epoch + ", step " + step + ": invalid loss " + loss
          + ", terminating training");
      training.stop();
    }
  }

  /** The epoch of the step with an invalid loss; 0 if there was none. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /** The step (from 1, within its epoch) with an invalid loss; 0 if there was none. */
  public int stoppedStep() {
    return stoppedStep;
  }
}
