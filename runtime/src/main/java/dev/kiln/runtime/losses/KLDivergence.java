package dev.kiln.runtime.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code kl_divergence}: {@code sum(y log(y / p))} over the last axis, with {@code y} and
 * {@code p} clipped to {@code [1e-7, 1]}, averaged over the other axes. Its derivative is {@code
 * -y / p} where {@code p} is inside the clipping range and 0 outside, as for Keras' clip. Within
 * {@link SampleWeights#during} each sample's terms are weighted.
 */
public final class KLDivergence {

  private static final double EPSILON = 1e-7;

  private KLDivergence() {}

  /**
   * @param p the predicted distribution, {@code (..., classes)}
   * @param y the target distribution, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dp written with {@code weight * d(loss)/dp}
   * @return the loss, averaged over rows, unweighted by the loss weight
   */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp) {
    LossRows rows = LossRows.of(p, y, dp);
    double total = 0;
    for (long row = 0, i = 0; row < rows.rows; row++) {
      double sampleWeight = rows.weight(row);
      for (long c = 0; c < rows.columns; c++, i++) {
        double raw = rows.p.get(i);
        double q = clip(raw);
        double t = clip(rows.y.get(i));
        total += sampleWeight * t * Math.log(t / q);
        double inside = raw >= EPSILON && raw <= 1 ? 1 : 0;
        rows.dp.set(i, -sampleWeight * weight * inside * t / q / rows.rows);
      }
    }
    return total / rows.rows;
  }

  private static double clip(double value) {
    return Math.min(Math.max(value, EPSILON), 1);
  }
}
