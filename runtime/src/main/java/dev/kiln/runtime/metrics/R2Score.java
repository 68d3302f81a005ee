package dev.kiln.runtime.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code R2Score} (coefficient of determination) with its default uniform average over
 * outputs: for each column of the last axis {@code 1 - SS_res / SS_tot} over the epoch, {@code
 * SS_tot} about the column's mean target, then the mean over columns; scikit-learn's {@code
 * r2_score(multioutput="uniform_average")}. A constant target column scores 0, as in Keras.
 */
public final class R2Score implements EpochMetric {

  private double[] sums;
  private double[] squares;
  private double[] residuals;
  private long rows;

  @Override
  public void update(INDArray p, INDArray y) {
    int columns = (int) p.size(p.rank() - 1);
    double[] predicted = p.castTo(DataType.DOUBLE).dup().data().asDouble();
    double[] actual = y.castTo(DataType.DOUBLE).dup().data().asDouble();
    if (predicted.length != actual.length) {
      throw new IllegalArgumentException("R2Score needs targets shaped like the output: "
          + predicted.length + " predictions, " + actual.length + " targets");
    }
    if (sums == null) {
      sums = new double[columns];
      squares = new double[columns];
      residuals = new double[columns];
    }
    for (int i = 0; i < predicted.length; i++) {
      int column = i % columns;
      double target = actual[i];
      double error = target - predicted[i];
      sums[column] += target;
      squares[column] += target * target;
      residuals[column] += error * error;
    }
    rows += predicted.length / columns;
  }

  @Override
  public double result() {
    if (sums == null || rows == 0) {
      return 0;
    }
    double total = 0;
    for (int c = 0; c < sums.length; c++) {
      double spread = squares[c] - sums[c] * sums[c] / rows;
      total += spread == 0 ? 0 : 1 - residuals[c] / spread;
    }
    return total / sums.length;
  }
}
