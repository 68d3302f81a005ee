package dev.kiln.runtime.optim;

/**
 * What Adam (and AdamW), Adamax and Nadam share: two moving averages per parameter, the first
 * moment decaying by {@code beta1} and the second (Adamax: the infinity norm) by {@code beta2},
 * and {@code epsilon} under the division, with Keras' defaults.
 */
abstract class MomentUpdater extends Updater {

  /** Keras' default {@code beta_1}. */
  static final double DEFAULT_BETA1 = 0.9;
  /** Keras' default {@code beta_2}. */
  static final double DEFAULT_BETA2 = 0.999;
  /** Keras' default {@code epsilon}. */
  static final double DEFAULT_EPSILON = 1e-7;

  protected final double beta1;
  protected final double beta2;
  protected final double epsilon;

  MomentUpdater(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  /** The first moment after gradient {@code g}: {@code beta1 m + (1 - beta1) g}. */
  protected final double nextFirstMoment(double m, double g) {
    return beta1 * m + (1 - beta1) * g;
  }

  /** The second moment after gradient {@code g}: {@code beta2 v + (1 - beta2) g^2}. */
  protected final double nextSecondMoment(double v, double g) {
    return beta2 * v + (1 - beta2) * g * g;
  }

  /** The two moving averages. */
  @Override
  protected final int stateCount() {
    return 2;
  }
}
