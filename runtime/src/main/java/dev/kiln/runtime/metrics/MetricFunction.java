package dev.kiln.runtime.metrics;

import java.util.function.BiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A metric: its name in logs and history, as Keras names it ({@code accuracy}, {@code
 * precision}), and what one batch of predictions and targets adds to it.
 */
public record MetricFunction(String name, BiFunction<INDArray, INDArray, Ratio> batch) {

  /** What the batch of predictions {@code p} and targets {@code y} adds. */
  public Ratio of(INDArray p, INDArray y) {
    return batch.apply(p, y);
  }
}
