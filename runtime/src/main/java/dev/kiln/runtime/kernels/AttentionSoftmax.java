package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax of attention scores over the keys, with Keras' causal mask: query step {@code i}
 * sees key steps {@code j <= i}. Keras adds -1e9 to a masked score, whose exponential is exactly
 * 0 beside any unmasked one; here a masked probability is 0 outright.
 */
final class AttentionSoftmax {

  private AttentionSoftmax() {}

  /** Replaces the scores {@code (n, heads, Tq, Tv)} by their probabilities over the last axis. */
  static void forward(INDArray scores, boolean causal) {
    Elements values = Elements.of(scores);
    long queries = scores.size(2);
    long keys = scores.size(3);
    for (long start = 0, row = 0, n = values.length(); start < n; start += keys, row++) {
      long seen = causal ? Math.min(keys, row % queries + 1) : keys;
      double max = Double.NEGATIVE_INFINITY;
      for (long j = 0; j < seen; j++) {
        max = Math.max(max, values.get(start + j));
      }
      double sum = 0;
      for (long j = 0; j < seen; j++) {
        double e = Math.exp(values.get(start + j) - max);
        values.set(start + j, e);
        sum += e;
      }
      for (long j = 0; j < seen; j++) {
        values.set(start + j, values.get(start + j) / sum);
      }
      for (long j = seen; j < keys; j++) {
        values.set(start + j, 0);
      }
    }
  }

  /**
   * Turns {@code dProbabilities} into the gradient of the scores, in place: {@code p * (dp -
   * sum(dp * p))} per row. Masked entries, whose probability is 0, get 0.
   *
   * @param probabilities the forward result, {@code (n, heads, Tq, Tv)}
   */
  static void backward(INDArray probabilities, INDArray dProbabilities) {
    Elements p = Elements.of(probabilities);
    Elements d = Elements.of(dProbabilities);
    long keys = probabilities.size(3);
    for (long start = 0, n = p.length(); start < n; start += keys) {
      double dot = 0;
      for (long j = start; j < start + keys; j++) {
        dot += p.get(j) * d.get(j);
      }
      for (long j = start; j < start + keys; j++) {
        d.set(j, p.get(j) * (d.get(j) - dot));
      }
    }
  }
}
