package dev.kiln.runtime.metrics;

import java.util.function.ToDoubleBiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A metric: its name in logs and history, as Keras names it ({@code accuracy}, {@code mae}),
 * and its mean over a batch of predictions and targets.
 */
public record MetricFunction(String name, ToDoubleBiFunction<INDArray, INDArray> batchMean) {

  /** The mean value on a batch of predictions {@code p} and targets {@code y}. */
  public double of(INDArray p, INDArray y) {
    return batchMean.applyAsDouble(p, y);
  }
}
