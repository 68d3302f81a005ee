package dev.kiln.runtime.callbacks;

/** Which way a monitored value improves, Keras' {@code mode}. */
public enum Mode {
  /** Lower is better (losses, errors). */
  MIN,
  /** Higher is better (accuracy, precision, recall). */
  MAX,
  /**
   * From the name, as Keras infers it from the metric: losses and errors ({@code val_loss},
   * {@code mean_absolute_error}) go down, accuracies, precision and recall go up; any other name
   * needs {@link #MIN} or {@link #MAX}.
   */
  AUTO
}
