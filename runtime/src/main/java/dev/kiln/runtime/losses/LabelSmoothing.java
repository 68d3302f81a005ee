package dev.kiln.runtime.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code label_smoothing}: the cross-entropies train against {@code y (1 - s) + s / K}
 * instead of {@code y}, where {@code K} is the number of classes (2 for binary cross-entropy, per
 * value). The smoothed target is never built: a sum {@code sum(y' x)} is {@code (1 - s) sum(y x)
 * + (s / K) sum(x)}, and the gradient {@code p - y'} is {@code (p - y) + s (y - 1 / K)}.
 */
final class LabelSmoothing {

  private LabelSmoothing() {}

  /** Checks {@code smoothing}, which Keras takes in [0, 1]. */
  static void check(double smoothing) {
    if (!(smoothing >= 0 && smoothing <= 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + smoothing);
    }
  }

  /** {@code sum(y' x)} from {@code sum(y x)} and {@code sum(x)}. */
  static double smoothedSum(double targetSum, double plainSum, double smoothing, double classes) {
    return (1 - smoothing) * targetSum + smoothing / classes * plainSum;
  }

  /**
   * Turns {@code p - y} in {@code difference} into {@code p - y'}; allocates a temporary, as
   * smoothing is the uncommon path.
   */
  static void shiftGradient(INDArray difference, INDArray y, double smoothing, double classes) {
    difference.addi(y.mul(smoothing)).subi(smoothing / classes);
  }
}
