package dev.kiln.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/** Sample-weighted means of named values over the batches of an epoch or an evaluation. */
final class RunningMeans {

  private final Map<String, double[]> sums = new LinkedHashMap<>();

  void add(String name, double batchMean, long samples) {
    double[] sum = sums.computeIfAbsent(name, key -> new double[2]);
    sum[0] += batchMean * samples;
    sum[1] += samples;
  }

  /** The means so far, in the order the names were first added. */
  Map<String, Double> means() {
    Map<String, Double> means = new LinkedHashMap<>();
    sums.forEach((name, sum) -> means.put(name, sum[0] / sum[1]));
    return means;
  }
}
