package dev.kiln.runtime.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' mean intersection over union for segmentation and classification ({@code OneHotMeanIoU}
 * for one-hot targets, {@code MeanIoU} on class indices): the predicted class of each position is
 * its highest score; a confusion matrix over the epoch gives each class's {@code TP / (TP + FP +
 * FN)}, averaged over the classes that occur in targets or predictions (scikit-learn's {@code
 * jaccard_score(average="macro")}).
 */
public final class MeanIoU implements EpochMetric {

  private final int classes;
  private final boolean sparseTargets;
  private final long[][] confusion;

  /**
   * @param classes the number of classes, the output's last axis
   * @param sparseTargets whether targets are class indices rather than one-hot
   */
  public MeanIoU(int classes, boolean sparseTargets) {
    this.classes = classes;
    this.sparseTargets = sparseTargets;
    this.confusion = new long[classes][classes];
  }

  @Override
  public void update(INDArray p, INDArray y) {
    int axis = p.rank() - 1;
    long[] predicted = p.argMax(axis).castTo(DataType.LONG).dup().data().asLong();
    long[] actual = sparseTargets
        ? y.castTo(DataType.LONG).dup().data().asLong()
        : y.argMax(axis).castTo(DataType.LONG).dup().data().asLong();
    if (predicted.length != actual.length) {
      throw new IllegalArgumentException("MeanIoU: " + predicted.length + " predicted positions, "
          + actual.length + " target positions");
    }
    for (int i = 0; i < predicted.length; i++) {
      long truth = actual[i];
      if (truth < 0 || truth >= classes) {
        throw new IllegalArgumentException(
            "MeanIoU: target class " + truth + " outside 0 to " + (classes - 1));
      }
      confusion[(int) truth][(int) predicted[i]]++;
    }
  }

  @Override
  public double result() {
    double sum = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      long truePositives = confusion[c][c];
      long actual = 0;
      long predicted = 0;
      for (int k = 0; k < classes; k++) {
        actual += confusion[c][k];
        predicted += confusion[k][c];
      }
      long union = actual + predicted - truePositives;
      if (union > 0) {
        sum += (double) truePositives / union;
        present++;
      }
    }
    return present == 0 ? 0 : sum / present;
  }
}
