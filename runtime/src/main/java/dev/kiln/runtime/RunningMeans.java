package dev.kiln.runtime;

import dev.kiln.runtime.metrics.Ratio;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named values accumulated over the batches of an epoch or an evaluation: losses as means
 * weighted by samples, metrics as ratios of summed numerators and denominators.
 */
final class RunningMeans {

  private final Map<String, double[]> sums = new LinkedHashMap<>();

  /** A batch mean over {@code samples} samples. */
  void add(String name, double batchMean, long samples) {
    add(name, new Ratio(batchMean * samples, samples));
  }

  void add(String name, Ratio ratio) {
    double[] sum = sums.computeIfAbsent(name, key -> new double[2]);
    sum[0] += ratio.numerator();
    sum[1] += ratio.denominator();
  }

  /** The values so far, in the order the names were first added. */
  Map<String, Double> means() {
    Map<String, Double> means = new LinkedHashMap<>();
    sums.forEach((name, sum) -> means.put(name, sum[1] == 0 ? 0 : sum[0] / sum[1]));
    return means;
  }
}
