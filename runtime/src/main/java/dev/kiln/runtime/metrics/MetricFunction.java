package dev.kiln.runtime.metrics;

import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A metric: its name in logs and history, as Keras names it ({@code accuracy}, {@code
 * precision}), and either what one batch of predictions and targets adds to it (a {@link Ratio}
 * of sums) or, for a metric over the whole epoch, a fresh {@link EpochMetric} per epoch.
 */
public record MetricFunction(
    String name, BiFunction<INDArray, INDArray, Ratio> batch, Supplier<EpochMetric> epoch) {

  /** A metric that is a ratio of per-batch sums. */
  public MetricFunction(String name, BiFunction<INDArray, INDArray, Ratio> batch) {
    this(name, batch, null);
  }

  /** A metric computed over the whole epoch. */
  public static MetricFunction overEpoch(String name, Supplier<EpochMetric> epoch) {
    return new MetricFunction(name, null, epoch);
  }

  /** Whether its value needs all of the epoch's batches at once. */
  public boolean overEpoch() {
    return epoch != null;
  }

  /** What the batch of predictions {@code p} and targets {@code y} adds. */
  public Ratio of(INDArray p, INDArray y) {
    if (batch == null) {
      throw new IllegalStateException(name + " is computed over the epoch; use a fresh epoch()");
    }
    return batch.apply(p, y);
  }
}
