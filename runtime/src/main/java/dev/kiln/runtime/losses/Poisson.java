package dev.kiln.runtime.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code poisson}: {@code p - y log(p + 1e-7)}, averaged over every element, for counts
 * predicted as positive rates (an exponential or softplus output). Its derivative is {@code 1 - y
 * / (p + 1e-7)}. Within {@link SampleWeights#during} each sample's terms are weighted.
 */
public final class Poisson {

  private static final double EPSILON = 1e-7;

  private Poisson() {}

  /**
   * @param p the predicted rates, positive
   * @param y the observed counts, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dp written with {@code weight * (1 - y / (p + eps)) / n}
   * @return the mean loss, unweighted by the loss weight
   */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp) {
    LossRows rows = LossRows.of(p, y, dp);
    long n = p.length();
    double total = 0;
    for (long row = 0, i = 0; row < rows.rows; row++) {
      double sampleWeight = rows.weight(row);
      for (long c = 0; c < rows.columns; c++, i++) {
        double rate = rows.p.get(i);
        double count = rows.y.get(i);
        total += sampleWeight * (rate - count * Math.log(rate + EPSILON));
        rows.dp.set(i, sampleWeight * weight * (1 - count / (rate + EPSILON)) / n);
      }
    }
    return total / n;
  }
}
