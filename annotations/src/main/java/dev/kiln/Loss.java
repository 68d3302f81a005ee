package dev.kiln;

/** Losses, with Keras' names. All of them average over the batch (and over time steps). */
public enum Loss {
  /** Cross-entropy against one-hot targets; the output is a probability distribution. */
  CATEGORICAL_CROSSENTROPY,
  /** Cross-entropy against integer class indices, one per sample. */
  SPARSE_CATEGORICAL_CROSSENTROPY,
  /** Cross-entropy of independent yes/no outputs in (0, 1). */
  BINARY_CROSSENTROPY,
  /** Mean squared error. */
  MSE,
  /** Mean absolute error. */
  MAE,
  /** Huber loss with Keras' {@code delta = 1}: squared below 1, absolute above. */
  HUBER
}
