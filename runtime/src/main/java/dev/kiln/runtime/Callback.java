package dev.kiln.runtime;

import dev.kiln.runtime.optim.Updater;
import java.util.Map;

/**
 * Hooks into {@code fit}, Keras' callbacks. Every method does nothing unless overridden. Epochs
 * and steps count from 1, as the progress bar shows them. Ready-made ones are in {@code
 * dev.kiln.runtime.callbacks}: early stopping, checkpoints, learning-rate schedules, a CSV log.
 */
public interface Callback {

  /** Before the first epoch; {@code training} gives the model and a way to stop early. */
  default void onTrainBegin(Training training) {}

  default void onEpochBegin(int epoch) {}

  /**
   * After each training step, with the running means of the epoch so far. A step whose loss is
   * NaN or infinite is reported here too; unless a callback then stops training, {@code fit}
   * fails with an {@link ArithmeticException}.
   */
  default void onBatchEnd(int epoch, int step, Map<String, Double> logs) {}

  /**
   * After each epoch, with its means and the validation scores ({@code val_loss}, ...). The map
   * may be added to ({@code learning_rate}, as Keras' schedules do): the history records it after
   * every callback has seen it.
   */
  default void onEpochEnd(int epoch, Map<String, Double> logs) {}

  default void onTrainEnd(History history) {}

  /** The training run a callback belongs to. */
  interface Training {

    KilnModel model();

    /** The updater {@code fit} steps with: schedules change its learning rate. */
    default Updater updater() {
      return model().updater();
    }

    /**
     * Ends training as Keras' {@code model.stop_training = True} does: asked from {@link
     * Callback#onBatchEnd}, the epoch ends after that step (it is still validated and reported);
     * asked elsewhere, after the current epoch.
     */
    void stop();

    /** Prints {@code message} on a line of its own where {@code fit} prints, unless silent. */
    void log(String message);
  }
}
