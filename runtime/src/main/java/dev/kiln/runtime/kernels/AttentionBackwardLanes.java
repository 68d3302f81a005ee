package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The gradient of attention's scores for float32 heads in Vector API lanes: per head, {@code dP =
 * dC . V^T} two query rows at a time (as {@link AttentionLanes} computes the scores, the head's
 * values transposed in a Java array) and at once the softmax's backward pass, {@code dS = P (dP -
 * sum(P dP))}, in place of a batched product that writes every {@code dP} and a softmax pass that
 * reads them back. Rows of whole vectors of keys only ({@link AttentionSoftmaxLanes#suits}); no
 * dropout (its mask applies between the two). Only {@link MultiHeadAttention} calls it, when
 * {@link VectorApi} allows.
 */
final class AttentionBackwardLanes {

  private AttentionBackwardLanes() {}

  /**
   * The arrays of a call, {@code (n * heads)} heads each, row-major, as lanes.
   *
   * @param dContext the context's gradient, head-major {@code (n, heads, Tq, valueDim)}
   * @param values {@code (n, heads, Tv, valueDim)}
   * @param probabilities {@code (n, heads, Tq, Tv)}
   * @param dScores written, {@code (n, heads, Tq, Tv)}
   */
  record Heads(FloatLanes dContext, FloatLanes values, FloatLanes probabilities,
      FloatLanes dScores, int queryCount, int keyCount, int valueDim) {}

  /** The floats of work a thread needs for heads of these sizes. */
  static int workLength(int keyCount, int valueDim) {
    return 2 * valueDim * keyCount + 2 * valueDim + 4 * keyCount;
  }

  /**
   * Writes the scores' gradient of heads {@code [from, to)}, two query rows at a time (and a last
   * one alone).
   *
   * @param work {@link #workLength} floats: a head's values transposed and as they are, two rows
   *     of the context's gradient, two of {@code dP}, two of probabilities
   */
  static void scoresGradient(Heads h, int from, int to, float[] work) {
    int count = h.keyCount();
    int size = h.valueDim();
    int values = size * count;
    int rows = 2 * values;
    int gradient = rows + 2 * size;
    int probabilities = gradient + 2 * count;
    int queries = h.queryCount();
    for (int head = from; head < to; head++) {
      h.values().read(head * values, work, values, values);
      AttentionLanes.transpose(work, values, count, size);
      int first = head * queries;
      int i = 0;
      for (; i + 2 <= queries; i += 2) {
        int row = first + i;
        h.dContext().read(row * size, work, rows, 2 * size);
        AttentionLanes.scoresRows(work, size, count, rows, gradient);
        h.probabilities().read(row * count, work, probabilities, 2 * count);
        softmaxGradientRow(work, probabilities, gradient, count);
        softmaxGradientRow(work, probabilities + count, gradient + count, count);
        h.dScores().write(work, gradient, row * count, 2 * count);
      }
      if (i < queries) {
        int row = first + i;
        h.dContext().read(row * size, work, rows, size);
        java.util.Arrays.fill(work, rows + size, rows + 2 * size, 0f); // a zero second row
        AttentionLanes.scoresRows(work, size, count, rows, gradient);
        h.probabilities().read(row * count, work, probabilities, count);
        softmaxGradientRow(work, probabilities, gradient, count);
        h.dScores().write(work, gradient, row * count, count);
      }
    }
  }

  /**
   * {@code work[d + j] = p_j (work[d + j] - sum(p work[d...]))}, {@code p} from {@code work[p...]}:
   * every call on a vector the Vector API's own (see LstmLanes).
   */
  static void softmaxGradientRow(float[] work, int p, int d, int count) {
    int width = SPECIES.length();
    FloatVector dot = FloatVector.zero(SPECIES);
    for (int at = 0; at < count; at += width) {
      dot = FloatVector.fromArray(SPECIES, work, p + at)
          .fma(FloatVector.fromArray(SPECIES, work, d + at), dot);
    }
    float total = dot.reduceLanes(VectorOperators.ADD);
    for (int at = 0; at < count; at += width) {
      FloatVector.fromArray(SPECIES, work, d + at).sub(total)
          .mul(FloatVector.fromArray(SPECIES, work, p + at)).intoArray(work, d + at);
    }
  }
}
