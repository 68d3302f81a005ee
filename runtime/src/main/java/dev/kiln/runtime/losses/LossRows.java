package dev.kiln.runtime.losses;

import dev.kiln.runtime.Elements;
import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The output, targets and gradient of a loss written as a Java loop, seen as rows along the last
 * axis (Keras averages a loss over the last axis, or sums it there, then averages over the rest),
 * with each row's sample weight within {@link SampleWeights#during}.
 */
final class LossRows {

  final Elements p;
  final Elements y;
  final Elements dp;
  final long columns;
  final long rows;
  private final long rowsPerSample;
  private final INDArray weights;

  private LossRows(INDArray p, INDArray y, INDArray dp) {
    if (p.length() != y.length() || p.length() != dp.length()) {
      throw new IllegalArgumentException("the output has " + p.length() + " values but the targets "
          + y.length() + " and the gradient " + dp.length());
    }
    this.p = Elements.of(p);
    this.y = Elements.of(Elements.accepts(y) ? y : y.dup('c'));
    this.dp = Elements.of(dp);
    this.columns = p.rank() == 0 ? 1 : p.size(p.rank() - 1);
    this.rows = p.length() / Math.max(columns, 1);
    this.weights = SampleWeights.current();
    long samples = p.rank() == 0 ? 1 : p.size(0);
    if (weights != null && weights.length() != samples) {
      throw new IllegalStateException(
          weights.length() + " sample weights for a batch of " + samples + " samples");
    }
    this.rowsPerSample = Math.max(rows / Math.max(samples, 1), 1);
  }

  static LossRows of(INDArray p, INDArray y, INDArray dp) {
    return new LossRows(p, y, dp);
  }

  /**
   * A loss of each element's residual {@code r = p - y} alone (squared, absolute, Huber, log-cosh),
   * averaged over every element with each sample's terms weighted: returns {@code sum(w value(r))
   * / n} and writes {@code dp = w weight derivative(r) / n}.
   */
  double meanOfResiduals(double weight, DoubleUnaryOperator value, DoubleUnaryOperator derivative) {
    long n = rows * columns;
    double total = 0;
    for (long row = 0, i = 0; row < rows; row++) {
      double sampleWeight = weight(row);
      for (long c = 0; c < columns; c++, i++) {
        double r = p.get(i) - y.get(i);
        total += sampleWeight * value.applyAsDouble(r);
        dp.set(i, sampleWeight * weight * derivative.applyAsDouble(r) / n);
      }
    }
    return total / n;
  }

  /** The weight of the sample row {@code row} belongs to: 1 outside {@link SampleWeights#during}. */
  double weight(long row) {
    return weights == null ? 1 : weights.getDouble(row / rowsPerSample);
  }
}
