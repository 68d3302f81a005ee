package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link AttentionSoftmax} without masks for float32 rows whose length is a whole number of
 * vectors (64 keys: four vectors of 16 with AVX-512), in Vector API lanes, computing in float32:
 * each exp one vector instruction sequence rather than a {@code Math.exp} per value. Only {@link
 * AttentionSoftmax} calls it, when {@link VectorApi} allows.
 */
final class AttentionSoftmaxLanes {

  private AttentionSoftmaxLanes() {}

  /** Whether rows of {@code keys} values take the lanes. */
  static boolean suits(int keys) {
    return keys % SPECIES.length() == 0;
  }

  /*
   * One row per call, every call on a vector the Vector API's own (see LstmLanes), on a copy of
   * the row in a Java array: loads from the buffer inline many more nodes, and in a JVM that had
   * run other lanes kernels (the full test suite) the row's method passed C2's inlining cutoff and
   * boxed its vectors.
   */

  /*
   * One row per call, every call on a vector the Vector API's own (see LstmLanes), on a copy of
   * the row in a Java array: loads from the buffer inline many more nodes, and in a JVM that had
   * run other lanes kernels (the full test suite) the row's method passed C2's inlining cutoff and
   * boxed its vectors.
   */

  /** Replaces rows {@code [fromRow, toRow)} of {@code keys} scores by their probabilities. */
  static void forward(FloatLanes scores, int keys, int fromRow, int toRow) {
    float[] row = JavaWork.floats(7, keys);
    for (int r = fromRow; r < toRow; r++) {
      scores.read(r * keys, row, 0, keys);
      forwardRow(row, keys);
      scores.write(row, 0, r * keys, keys);
    }
  }

  /** Turns rows of {@code d} into the scores' gradient: {@code p * (d - sum(d * p))}. */
  static void backward(FloatLanes p, FloatLanes d, int keys, int fromRow, int toRow) {
    float[] rows = JavaWork.floats(7, 2 * keys);
    for (int r = fromRow; r < toRow; r++) {
      p.read(r * keys, rows, 0, keys);
      d.read(r * keys, rows, keys, keys);
      backwardRow(rows, keys);
      d.write(rows, keys, r * keys, keys);
    }
  }

  /** The softmax of {@code row[0, keys)}, in place. */
  private static void forwardRow(float[] row, int keys) {
    int width = SPECIES.length();
    FloatVector max = FloatVector.fromArray(SPECIES, row, 0);
    for (int at = width; at < keys; at += width) {
      max = max.max(FloatVector.fromArray(SPECIES, row, at));
    }
    float largest = max.reduceLanes(VectorOperators.MAX);
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int at = 0; at < keys; at += width) {
      FloatVector e = FloatVector.fromArray(SPECIES, row, at).sub(largest)
          .lanewise(VectorOperators.EXP);
      e.intoArray(row, at);
      sum = sum.add(e);
    }
    float inverse = 1 / sum.reduceLanes(VectorOperators.ADD);
    for (int at = 0; at < keys; at += width) {
      FloatVector.fromArray(SPECIES, row, at).mul(inverse).intoArray(row, at);
    }
  }

  /** {@code rows[keys + j] = p_j (d_j - sum(p d))}, with {@code p} in {@code rows[0, keys)}. */
  private static void backwardRow(float[] rows, int keys) {
    int width = SPECIES.length();
    FloatVector dot = FloatVector.zero(SPECIES);
    for (int at = 0; at < keys; at += width) {
      dot = FloatVector.fromArray(SPECIES, rows, at)
          .fma(FloatVector.fromArray(SPECIES, rows, keys + at), dot);
    }
    float total = dot.reduceLanes(VectorOperators.ADD);
    for (int at = 0; at < keys; at += width) {
      FloatVector.fromArray(SPECIES, rows, keys + at).sub(total)
          .mul(FloatVector.fromArray(SPECIES, rows, at)).intoArray(rows, keys + at);
    }
  }
}
