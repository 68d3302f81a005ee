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
    LossRows rows = LossRows.of(p, y, dp);
    long n = p.length();
    double total = 0;
    for (long row = 0, i = 0; row < rows.rows; row++) {
      double sampleWeight = rows.weight(row);
      for (long c = 0; c < rows.columns; c++, i++) {
        double r = rows.p.get(i) - rows.y.get(i);
        double softplus = Math.max(-2 * r, 0) + Math.log1p(Math.exp(-Math.abs(2 * r)));
        total += sampleWeight * (r + softplus - Math.log(2));
        rows.dp.set(i, sampleWeight * weight * Math.tanh(r) / n);
      }
    }
    return total / n;
  }
}
