package dev.kiln.runtime.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code log_cosh}: {@code log(cosh(p - y))}, averaged over every element; about {@code
 * r^2 / 2} for small residuals and {@code |r| - log 2} for large ones. Computed as {@code r +
 * softplus(-2r) - log 2}, which does not overflow; its derivative is {@code tanh(r)}. Within
 * {@link SampleWeights#during} each sample's terms are weighted.
 */
public final class LogCosh {

  private LogCosh() {}

  /**
   * @param p the output
   * @param y the targets, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dp written with {@code weight * tanh(p - y) / n}
   * @return the mean loss, unweighted by the loss weight
   */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp) {
    return LossRows.of(p, y, dp).meanOfResiduals(weight,
        r -> r + Math.max(-2 * r, 0) + Math.log1p(Math.exp(-Math.abs(2 * r))) - Math.log(2),
        Math::tanh);
  }
}
