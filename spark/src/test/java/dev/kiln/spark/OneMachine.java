package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The single-process reference: the same global batches, in the same epoch orders, trained with
 * the generated {@code trainStep} on one model. Returns the mean training loss of the last
 * epoch.
 */
final class OneMachine {

  private OneMachine() {}

  interface Step {
    double train(INDArray input, INDArray target);
  }

  static double train(KilnModel model, Step step, List<Sample> samples, int epochs, int batch,
      long seed) {
    double lastEpochLoss = Double.NaN;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      int[] order = EpochOrder.of(seed, epoch, samples.size(), true);
      double lossSum = 0;
      for (int from = 0; from < order.length; from += batch) {
        int to = Math.min(order.length, from + batch);
        double[][] x = new double[to - from][];
        double[][] y = new double[to - from][];
        for (int i = from; i < to; i++) {
          x[i - from] = samples.get(order[i]).inputs()[0];
          y[i - from] = samples.get(order[i]).targets()[0];
        }
        INDArray inputs = Nd4j.createFromArray(x).castTo(model.dataType());
        INDArray targets = Nd4j.createFromArray(y).castTo(model.dataType());
        lossSum += step.train(inputs, targets) * (to - from);
      }
      lastEpochLoss = lossSum / samples.size();
    }
    return lastEpochLoss;
  }
}
