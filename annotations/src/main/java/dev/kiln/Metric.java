package dev.kiln;

/** Metrics reported during training and evaluation, with Keras' names. */
public enum Metric {
  /**
   * Keras' {@code accuracy}: categorical, sparse categorical or binary accuracy, whichever fits
   * the output's loss.
   */
  ACCURACY,
  /** The share of samples whose highest-scoring class is the one-hot target's class. */
  CATEGORICAL_ACCURACY,
  /** The share of samples whose highest-scoring class equals the integer target. */
  SPARSE_CATEGORICAL_ACCURACY,
  /** The share of outputs on the right side of 0.5. */
  BINARY_ACCURACY,
  /** Mean absolute error (Keras' {@code mean_absolute_error}; not {@code MAE}, which is a Loss). */
  MEAN_ABSOLUTE_ERROR,
  /** Mean squared error (Keras' {@code mean_squared_error}; not {@code MSE}, which is a Loss). */
  MEAN_SQUARED_ERROR
}
