package dev.kiln.runtime.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code cosine_similarity} loss: {@code -sum(y^ p^)} over the last axis, where {@code x^
 * = x / sqrt(max(sum(x^2), 1e-12))}, averaged over the other axes; -1 when prediction and target
 * point the same way. Its derivative is {@code -(y^ - (y^ . p^) p^) / |p|}. Within {@link
 * SampleWeights#during} each sample's terms are weighted.
 */
public final class CosineSimilarity {

  private static final double EPSILON = 1e-12;

  private CosineSimilarity() {}

  /**
   * @param p the output, {@code (..., features)}
   * @param y the targets, same shape
   * @param weight the loss weight; scales the gradient, not the returned value
   * @param dp written with {@code weight * d(loss)/dp}
   * @return the loss, averaged over rows, unweighted by the loss weight
   */
  public static double compute(INDArray p, INDArray y, double weight, INDArray dp) {
    LossRows rows = LossRows.of(p, y, dp);
    double total = 0;
    for (long row = 0; row < rows.rows; row++) {
      long start = row * rows.columns;
      long end = start + rows.columns;
      double pp = 0;
      double yy = 0;
      double py = 0;
      for (long i = start; i < end; i++) {
        double a = rows.p.get(i);
        double b = rows.y.get(i);
        pp += a * a;
        yy += b * b;
        py += a * b;
      }
      double pSquares = Math.max(pp, EPSILON);
      double pNorm = Math.sqrt(pSquares);
      double yNorm = Math.sqrt(Math.max(yy, EPSILON));
      double cosine = py / (pNorm * yNorm);
      double sampleWeight = rows.weight(row);
      total -= sampleWeight * cosine;
      // Below the floor the norm is a constant and the derivative is -y^ / sqrt(eps).
      boolean floored = pp < EPSILON;
      double scale = -sampleWeight * weight / rows.rows;
      for (long i = start; i < end; i++) {
        double yHat = rows.y.get(i) / yNorm;
        double pHat = rows.p.get(i) / pNorm;
        double derivative = floored ? yHat / pNorm : (yHat - cosine * pHat) / pNorm;
        rows.dp.set(i, scale * derivative);
      }
    }
    return total / rows.rows;
  }
}
