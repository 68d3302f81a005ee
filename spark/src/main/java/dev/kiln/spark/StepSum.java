package dev.kiln.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the workers' shares of one step add up to: each share's mean gradient times its sample
 * count, the samples, and the loss and metrics as sums of numerators and denominators. Divided
 * by the samples on the driver, the gradient is the mean over the whole global batch, the same
 * as one machine computes for it.
 */
final class StepSum implements Serializable {

  private FlatVector[] weighted;
  private long samples;
  private final LinkedHashMap<String, double[]> logs = new LinkedHashMap<>();

  /** The empty sum, the start of every aggregation. */
  static StepSum empty() {
    return new StepSum();
  }

  /**
   * A share's contribution: vectors already multiplied by its {@code samples} (its mean gradient;
   * with local SGD its parameters and optimizer state), and its logs.
   */
  static StepSum share(long samples, Map<String, double[]> logs, FlatVector... weighted) {
    StepSum sum = new StepSum();
    sum.weighted = weighted;
    sum.samples = samples;
    logs.forEach((name, ratio) -> sum.logs.put(name, ratio.clone()));
    return sum;
  }

  /** This sum plus {@code other}; either may be reused as the result. */
  StepSum merge(StepSum other) {
    if (other.samples == 0) {
      return this;
    }
    if (samples == 0) {
      return other;
    }
    for (int i = 0; i < weighted.length; i++) {
      weighted[i].add(other.weighted[i]);
    }
    samples += other.samples;
    other.logs.forEach((name, ratio) -> {
      double[] own = logs.computeIfAbsent(name, key -> new double[2]);
      own[0] += ratio[0];
      own[1] += ratio[1];
    });
    return this;
  }

  long samples() {
    return samples;
  }

  /** Vector {@code index} divided by the samples: the mean over them (scaled in place). */
  FlatVector mean(int index) {
    weighted[index].scale(1.0 / samples);
    return weighted[index];
  }

  /** Vector {@code index} of the sum, unscaled. */
  FlatVector vector(int index) {
    return weighted[index];
  }

  /** The number of vectors summed. */
  int vectors() {
    return weighted == null ? 0 : weighted.length;
  }

  /** The loss and metric sums: name to {numerator, denominator}, in Keras' order. */
  Map<String, double[]> logs() {
    return logs;
  }

  /** The step's loss over the whole global batch. */
  double loss() {
    double[] loss = logs.get("loss");
    return loss[0] / loss[1];
  }
}
