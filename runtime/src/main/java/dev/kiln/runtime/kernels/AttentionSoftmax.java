package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax of attention scores over the keys, with Keras' causal mask: query step {@code i}
 * sees key steps {@code j <= i}. Keras adds -1e9 to a masked score, whose exponential is exactly
 * 0 beside any unmasked one; here a masked probability is 0 outright.
 *
 * <p>Each row is read once into a Java array, worked on there and written once (reading and
 * writing the array's memory value by value, three times a row, took 21 ns a value); arrays of
 * {@link #TWO_THREADS} values or more are done in two halves of rows at once ({@link
 * SecondThread}).
 */
final class AttentionSoftmax {

  /** The smallest array done on two threads. */
  static final long TWO_THREADS = 1 << 16;

  private AttentionSoftmax() {}

  /** Replaces the scores {@code (n, heads, Tq, Tv)} by their probabilities over the last axis. */
  static void forward(INDArray scores, boolean causal) {
    Elements values = Elements.of(scores);
    int queries = (int) scores.size(2);
    int keys = (int) scores.size(3);
    long rows = values.length() / keys;
    if (values.length() < TWO_THREADS) {
      forward(values, queries, keys, causal, 0, rows);
      return;
    }
    long half = rows / 2;
    SecondThread.run(() -> forward(values, queries, keys, causal, half, rows),
        () -> forward(values, queries, keys, causal, 0, half));
  }

  private static void forward(Elements values, int queries, int keys, boolean causal,
      long fromRow, long toRow) {
    double[] row = JavaWork.doubles(0, keys);
    for (long r = fromRow; r < toRow; r++) {
      long start = r * keys;
      int seen = causal ? Math.min(keys, (int) (r % queries) + 1) : keys;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < seen; j++) {
        double value = values.get(start + j);
        row[j] = value;
        max = Math.max(max, value);
      }
      double sum = 0;
      for (int j = 0; j < seen; j++) {
        double e = Math.exp(row[j] - max);
        row[j] = e;
        sum += e;
      }
      for (int j = 0; j < seen; j++) {
        values.set(start + j, row[j] / sum);
      }
      for (int j = seen; j < keys; j++) {
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
    int keys = (int) probabilities.size(3);
    long rows = p.length() / keys;
    if (p.length() < TWO_THREADS) {
      backward(p, d, keys, 0, rows);
      return;
    }
    long half = rows / 2;
    SecondThread.run(() -> backward(p, d, keys, half, rows), () -> backward(p, d, keys, 0, half));
  }

  private static void backward(Elements p, Elements d, int keys, long fromRow, long toRow) {
    double[] probability = JavaWork.doubles(0, keys);
    double[] gradient = JavaWork.doubles(1, keys);
    for (long r = fromRow; r < toRow; r++) {
      long start = r * keys;
      double dot = 0;
      for (int j = 0; j < keys; j++) {
        double pj = p.get(start + j);
        double dj = d.get(start + j);
        probability[j] = pj;
        gradient[j] = dj;
        dot += pj * dj;
      }
      for (int j = 0; j < keys; j++) {
        d.set(start + j, probability[j] * (gradient[j] - dot));
      }
    }
  }
}
