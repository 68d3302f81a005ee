package dev.kiln.runtime;

import dev.kiln.runtime.metrics.EpochMetric;
import dev.kiln.runtime.metrics.MetricFunction;
import dev.kiln.runtime.metrics.Ratio;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Named values accumulated over the batches of an epoch or an evaluation: losses as means
 * weighted by samples, metrics as ratios of summed numerators and denominators.
 */
final class RunningMeans {

  private final Map<String, double[]> sums = new LinkedHashMap<>();
  private final Map<String, EpochMetric> epochMetrics = new HashMap<>();

  /** A batch mean over {@code samples} samples. */
  void add(String name, double batchMean, long samples) {
    add(name, new Ratio(batchMean * samples, samples));
  }

  void add(String name, Ratio ratio) {
    double[] sum = sums.computeIfAbsent(name, key -> new double[2]);
    sum[0] += ratio.numerator();
    sum[1] += ratio.denominator();
  }

  /** A batch of predictions and targets for {@code metric}, a ratio or an epoch metric. */
  void add(String name, MetricFunction metric, INDArray p, INDArray y) {
    if (!metric.overEpoch()) {
      add(name, metric.of(p, y));
      return;
    }
    sums.putIfAbsent(name, new double[2]);
    epochMetrics.computeIfAbsent(name, key -> metric.epoch().get()).update(p, y);
  }

  /** The values so far, in the order the names were first added. */
  Map<String, Double> means() {
    Map<String, Double> means = new LinkedHashMap<>();
    sums.forEach((name, sum) -> {
      EpochMetric epochMetric = epochMetrics.get(name);
      means.put(name, epochMetric != null
          ? epochMetric.result()
          : sum[1] == 0 ? 0 : sum[0] / sum[1]);
    });
    return means;
  }
}
