package dev.kiln;

/**
 * Losses, with Keras' names. All of them average over the batch (and over time steps), as
 * Keras' default reduction {@code sum_over_batch_size} does.
 */
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
  /**
   * Huber loss, squared for residuals up to {@code delta} and absolute beyond; {@code delta} is
   * {@code @Output(huberDelta)}, Keras' default 1.
   */
  HUBER,
  /**
   * Kullback-Leibler divergence {@code sum(y log(y / p))} over the last axis, between target and
   * predicted distributions.
   */
  KL_DIVERGENCE,
  /** {@code -cos(p, y)} over the last axis: -1 when they point the same way. */
  COSINE_SIMILARITY,
  /** {@code p - y log(p)}, for counts predicted as positive rates. */
  POISSON,
  /** {@code log(cosh(p - y))}: squared for small residuals, absolute for large ones. */
  LOG_COSH
}
