package dev.kiln.spark;

import dev.kiln.examples.MlpModel;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One epoch of the MLP on one machine, in the batches the distributed fit uses (seed 3). */
final class OneMachineEpoch {

  private OneMachineEpoch() {}

  /** Returns the epoch's mean loss. */
  static double train(MlpModel model, List<Sample> samples, int epoch, int batch) {
    int[] order = EpochOrder.of(3, epoch, samples.size(), true);
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
      lossSum += model.trainStep(inputs, targets) * (to - from);
    }
    return lossSum / samples.size();
  }
}
