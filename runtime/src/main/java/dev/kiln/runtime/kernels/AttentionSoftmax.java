package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax of attention scores over the keys, with Keras' causal mask: query step {@code i}
 * sees key steps {@code j <= i}. Keras adds -1e9 to a masked score, whose exponential is exactly
 * 0 beside any unmasked one; here a masked probability is 0 outright.
 *
 * <p>Each row is read once into a Java array, worked on there and written once (reading and
 * writing the array's memory value by value, three times a row, took 21 ns a value); arrays of
 * {@link #TWO_THREADS} values or more are done in two halves of rows at once ({@link
 * SecondThread}). Float32 scores without a mask, in rows of whole vectors, take Vector API lanes
 * ({@link AttentionSoftmaxLanes}) when {@link VectorApi} allows: the million exponentials of
 * 64x4 heads of 64x64 scores took 8.7 ms of CPU one {@code Math.exp} at a time, about 1 in lanes.
 */
final class AttentionSoftmax {

  /** The smallest array done on two threads. */
  static final long TWO_THREADS = 1 << 16;

  private AttentionSoftmax() {}

  /** Replaces the scores {@code (n, heads, Tq, Tv)} by their probabilities over the last axis. */
  static void forward(INDArray scores, boolean causal) {
    int queries = (int) scores.size(2);
    int keys = (int) scores.size(3);
    if (!causal && VectorApi.appliesTo(scores.dataType()) && AttentionSoftmaxLanes.suits(keys)) {
      FloatLanes lanes = new FloatLanes(scores);
      int rows = Math.toIntExact(scores.length() / keys);
      inHalves(scores.length(), rows,
          (from, to) -> AttentionSoftmaxLanes.forward(lanes, keys, from, to));
      Reference.reachabilityFence(scores); // lanes do not hold their arrays
      return;
    }
    Elements values = Elements.of(scores);
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
   * Keras' softmax under an attention mask: a score whose query step, value step or key step is
   * masked, or (with a causal mask) whose key step comes after its query step, gets probability
   * 0, as the -1e9 Keras adds to it gives beside any unmasked score. A row with every score
   * masked (a padded query) is uniform: Keras adds -1e9 to all of them, which in float32 rounds
   * them to one value. (In float64 Keras' row keeps about 1e-7 of the scores' differences, a
   * softmax of rounding noise; Kiln keeps float32's answer, which has no gradient.)
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
    AttentionMask mask = new AttentionMask(scores, causal, queryMask, valueMask, keyMask);
    Elements values = Elements.of(scores);
    long keys = scores.size(3);
    for (long start = 0, row = 0, n = values.length(); start < n; start += keys, row++) {
      double max = Double.NEGATIVE_INFINITY;
      for (long j = 0; j < keys; j++) {
        if (mask.sees(row, j)) {
          max = Math.max(max, values.get(start + j));
        }
      }
      if (max == Double.NEGATIVE_INFINITY) {
        values.fill(start, keys, 1.0 / keys);
        continue;
      }
      double sum = 0;
      for (long j = 0; j < keys; j++) {
        double e = mask.sees(row, j) ? Math.exp(values.get(start + j) - max) : 0;
        values.set(start + j, e);
        sum += e;
      }
      for (long j = start; j < start + keys; j++) {
        values.set(j, values.get(j) / sum);
      }
    }
  }

  /**
   * {@link #backward(INDArray, INDArray)} after a masked forward pass: a row with every score
   * masked, uniform whatever its scores, passes them no gradient.
   */
  static void backward(INDArray probabilities, INDArray dProbabilities, boolean causal,
      INDArray queryMask, INDArray valueMask, INDArray keyMask) {
    backward(probabilities, dProbabilities);
    if (queryMask == null && valueMask == null && keyMask == null) {
      return;
    }
    AttentionMask mask = new AttentionMask(probabilities, causal, queryMask, valueMask, keyMask);
    Elements d = Elements.of(dProbabilities);
    long keys = probabilities.size(3);
    for (long start = 0, row = 0, n = d.length(); start < n; start += keys, row++) {
      if (!mask.seesAny(row)) {
        d.fill(start, keys, 0);
      }
    }
  }

  /** Which scores of {@code (n, heads, Tq, Tv)} a query step sees, by row and key step. */
  private static final class AttentionMask {
    private final boolean causal;
    private final Elements queries;
    private final Elements values;
    private final Elements keys;
    private final long heads;
    private final long queryLength;
    private final long keyLength;

    AttentionMask(INDArray scores, boolean causal, INDArray queryMask, INDArray valueMask,
        INDArray keyMask) {
      this.causal = causal;
      this.queries = queryMask == null ? null : Elements.of(queryMask);
      this.values = valueMask == null ? null : Elements.of(valueMask);
      this.keys = keyMask == null ? null : Elements.of(keyMask);
      this.heads = scores.size(1);
      this.queryLength = scores.size(2);
      this.keyLength = scores.size(3);
    }

    /** Whether row {@code row} (sample, head, query step) sees key step {@code j}. */
    boolean sees(long row, long j) {
      long i = row % queryLength;
      long sample = row / queryLength / heads;
      return (queries == null || queries.get(sample * queryLength + i) != 0)
          && (!causal || j <= i)
          && (values == null || values.get(sample * keyLength + j) != 0)
          && (keys == null || keys.get(sample * keyLength + j) != 0);
    }

    boolean seesAny(long row) {
      for (long j = 0; j < keyLength; j++) {
        if (sees(row, j)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Turns {@code dProbabilities} into the gradient of the scores, in place: {@code p * (dp -
   * sum(dp * p))} per row. Masked entries, whose probability is 0, get 0.
   *
   * @param probabilities the forward result, {@code (n, heads, Tq, Tv)}
   */
  static void backward(INDArray probabilities, INDArray dProbabilities) {
    int keys = (int) probabilities.size(3);
    if (VectorApi.appliesTo(probabilities.dataType())
        && VectorApi.appliesTo(dProbabilities.dataType()) && AttentionSoftmaxLanes.suits(keys)) {
      FloatLanes p = new FloatLanes(probabilities);
      FloatLanes d = new FloatLanes(dProbabilities);
      int rows = Math.toIntExact(probabilities.length() / keys);
      inHalves(probabilities.length(), rows,
          (from, to) -> AttentionSoftmaxLanes.backward(p, d, keys, from, to));
      Reference.reachabilityFence(probabilities); // lanes do not hold their arrays
      Reference.reachabilityFence(dProbabilities);
      return;
    }
    Elements p = Elements.of(probabilities);
    Elements d = Elements.of(dProbabilities);
    long rows = p.length() / keys;
    if (p.length() < TWO_THREADS) {
      backward(p, d, keys, 0, rows);
      return;
    }
    long half = rows / 2;
    SecondThread.run(() -> backward(p, d, keys, half, rows), () -> backward(p, d, keys, 0, half));
  }

  /** A pass over the rows {@code [from, to)}. */
  private interface Rows {
    void run(int from, int to);
  }

  /** {@code part} over {@code rows} rows of {@code length} values in all, in two halves from
   * {@link #TWO_THREADS} values on. */
  private static void inHalves(long length, int rows, Rows part) {
    if (length < TWO_THREADS) {
      part.run(0, rows);
      return;
    }
    int half = rows / 2;
    SecondThread.run(() -> part.run(half, rows), () -> part.run(0, half));
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
