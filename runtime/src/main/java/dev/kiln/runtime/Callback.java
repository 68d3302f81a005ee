package dev.kiln.runtime;

import java.util.Map;

/**
 * Hooks into {@code fit}, Keras' callbacks. Every method does nothing unless overridden. Epochs
 * and steps count from 1, as the progress bar shows them.
 */
public interface Callback {

  /** Before the first epoch; {@code training} gives the model and a way to stop early. */
  default void onTrainBegin(Training training) {}

  default void onEpochBegin(int epoch) {}

  /** After each training step, with the running means of the epoch so far. */
  default void onBatchEnd(int epoch, int step, Map<String, Double> logs) {}

  /** After each epoch, with its means and the validation scores ({@code val_loss}, ...). */
  default void onEpochEnd(int epoch, Map<String, Double> logs) {}

  default void onTrainEnd(History history) {}

  /** The training run a callback belongs to. */
  interface Training {

    KilnModel model();

    /** Ends training after the current epoch (Keras' {@code model.stop_training = True}). */
    void stop();
  }
}
