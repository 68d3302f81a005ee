package dev.kiln.runtime.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The area under the ROC curve or the precision-recall curve, over every prediction of the epoch,
 * each output value a separate yes/no prediction (Keras' {@code AUC} with {@code
 * multi_label=False}); targets above 0.5 are positives.
 *
 * <p>Exact, not Keras' approximation: Keras buckets scores into 200 thresholds and interpolates,
 * which depends on how the scores spread and differs from the exact area by up to about a
 * percent; Kiln keeps the epoch's scores and ranks them, so its ROC area is scikit-learn's {@code
 * roc_auc_score} (ties count one half, the trapezoid through tied scores) and its PR area is
 * scikit-learn's {@code average_precision_score} ({@code sum (R_k - R_(k-1)) P_k} over distinct
 * thresholds). The price is memory: 16 bytes per output value of the epoch.
 */
public final class Auc implements EpochMetric {

  /** Which curve. */
  public enum Curve {
    ROC,
    PR
  }

  private final Curve curve;
  private double[] scores = new double[1024];
  private boolean[] positives = new boolean[1024];
  private int count;

  public Auc(Curve curve) {
    this.curve = curve;
  }

  @Override
  public void update(INDArray p, INDArray y) {
    double[] batchScores = p.castTo(DataType.DOUBLE).dup().data().asDouble();
    double[] batchTargets = y.castTo(DataType.DOUBLE).dup().data().asDouble();
    if (batchScores.length != batchTargets.length) {
      throw new IllegalArgumentException("AUC needs targets shaped like the output: "
          + batchScores.length + " predictions, " + batchTargets.length + " targets");
    }
    while (count + batchScores.length > scores.length) {
      scores = Arrays.copyOf(scores, scores.length * 2);
      positives = Arrays.copyOf(positives, positives.length * 2);
    }
    for (int i = 0; i < batchScores.length; i++) {
      scores[count] = batchScores[i];
      positives[count] = batchTargets[i] > 0.5;
      count++;
    }
  }

  @Override
  public double result() {
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    long totalPositives = 0;
    for (int i = 0; i < count; i++) {
      totalPositives += positives[i] ? 1 : 0;
    }
    long totalNegatives = count - totalPositives;
    double area = 0;
    long truePositives = 0;
    long falsePositives = 0;
    for (int start = 0; start < count; ) {
      int end = start;
      long groupPositives = 0;
      while (end < count && scores[order[end]] == scores[order[start]]) {
        groupPositives += positives[order[end]] ? 1 : 0;
        end++;
      }
      long groupNegatives = (end - start) - groupPositives;
      if (curve == Curve.ROC) {
        // the trapezoid from the last threshold to this one: tied scores count one half
        area += groupNegatives * (truePositives + groupPositives / 2.0);
      } else if (groupPositives > 0) {
        double precision =
            (double) (truePositives + groupPositives) / (truePositives + groupPositives
                + falsePositives + groupNegatives);
        area += groupPositives * precision;
      }
      truePositives += groupPositives;
      falsePositives += groupNegatives;
      start = end;
    }
    if (curve == Curve.ROC) {
      return totalPositives == 0 || totalNegatives == 0 ? 0 : area / (totalPositives * totalNegatives);
    }
    return totalPositives == 0 ? 0 : area / totalPositives;
  }
}
