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

  /** Keras' {@code _large_negative_number} for float32 and float64, added to a masked score. */
  static final double LARGE_NEGATIVE = -1e9;

  /**
   * Keras' softmax under an attention mask: {@code -1e9} is added to every score whose query
   * step, value step or key step is masked, or (with a causal mask) whose key step comes after
   * its query step; then the softmax over every key. A row with an unmasked score gives a masked
   * one a probability of exactly 0; a row with every score masked keeps them all, shifted alike,
   * as Keras does (in float32 they round to one value and the row is uniform).
   *
   * @param scores {@code (n, heads, Tq, Tv)}, replaced by the probabilities
   * @param queryMask {@code (n, Tq)}, 0 for a masked step; or null
   * @param valueMask {@code (n, Tv)}; or null
   * @param keyMask {@code (n, Tv)}; or null
   */
  static void forward(INDArray scores, boolean causal, INDArray queryMask, INDArray valueMask,
      INDArray keyMask) {
    if (queryMask == null && valueMask == null && keyMask == null) {
      forward(scores, causal);
      return;
    }
    Elements values = Elements.of(scores);
    Elements queries = queryMask == null ? null : Elements.of(queryMask);
    Elements valuesSeen = valueMask == null ? null : Elements.of(valueMask);
    Elements keysSeen = keyMask == null ? null : Elements.of(keyMask);
    long heads = scores.size(1);
    long queryLength = scores.size(2);
    long keys = scores.size(3);
    for (long start = 0, row = 0, n = values.length(); start < n; start += keys, row++) {
      long i = row % queryLength;
      long sample = row / queryLength / heads;
      boolean queryCounts = queries == null || queries.get(sample * queryLength + i) != 0;
      double max = Double.NEGATIVE_INFINITY;
      for (long j = 0; j < keys; j++) {
        boolean seen = queryCounts && (!causal || j <= i)
            && (valuesSeen == null || valuesSeen.get(sample * keys + j) != 0)
            && (keysSeen == null || keysSeen.get(sample * keys + j) != 0);
        double score = values.get(start + j) + (seen ? 0 : LARGE_NEGATIVE);
        values.set(start + j, score);
        max = Math.max(max, score);
      }
      double sum = 0;
      for (long j = start; j < start + keys; j++) {
        double e = Math.exp(values.get(j) - max);
        values.set(j, e);
        sum += e;
      }
      for (long j = start; j < start + keys; j++) {
        values.set(j, values.get(j) / sum);
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
