package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.ORDER;
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
   * One row per call, every call on a vector the Vector API's own: a FloatVector that crosses a
   * call C2 leaves out of line is boxed on the heap (see LstmLanes).
   */

  /** Replaces rows {@code [fromRow, toRow)} of {@code keys} scores by their probabilities. */
  static void forward(FloatLanes scores, int keys, int fromRow, int toRow) {
    for (int row = fromRow; row < toRow; row++) {
      forwardRow(scores, row * keys * Float.BYTES + scores.base, keys * Float.BYTES);
    }
  }

  /** Turns rows of {@code d} into the scores' gradient: {@code p * (d - sum(d * p))}. */
  static void backward(FloatLanes p, FloatLanes d, int keys, int fromRow, int toRow) {
    for (int row = fromRow; row < toRow; row++) {
      backwardRow(p, d, row * keys * Float.BYTES, keys * Float.BYTES);
    }
  }

  /** The softmax of the row whose first byte is {@code start}, {@code bytes} long. */
  private static void forwardRow(FloatLanes scores, int start, int bytes) {
    int step = SPECIES.vectorByteSize();
    int end = start + bytes;
    FloatVector max = FloatVector.fromByteBuffer(SPECIES, scores.buffer, start, ORDER);
    for (int at = start + step; at < end; at += step) {
      max = max.max(FloatVector.fromByteBuffer(SPECIES, scores.buffer, at, ORDER));
    }
    float largest = max.reduceLanes(VectorOperators.MAX);
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int at = start; at < end; at += step) {
      FloatVector e = FloatVector.fromByteBuffer(SPECIES, scores.buffer, at, ORDER)
          .sub(largest).lanewise(VectorOperators.EXP);
      e.intoByteBuffer(scores.buffer, at, ORDER);
      sum = sum.add(e);
    }
    float inverse = 1 / sum.reduceLanes(VectorOperators.ADD);
    for (int at = start; at < end; at += step) {
      FloatVector.fromByteBuffer(SPECIES, scores.buffer, at, ORDER).mul(inverse)
          .intoByteBuffer(scores.buffer, at, ORDER);
    }
  }

  private static void backwardRow(FloatLanes p, FloatLanes d, int start, int bytes) {
    int step = SPECIES.vectorByteSize();
    int pStart = p.base + start;
    int dStart = d.base + start;
    FloatVector dot = FloatVector.zero(SPECIES);
    for (int at = 0; at < bytes; at += step) {
      dot = FloatVector.fromByteBuffer(SPECIES, p.buffer, pStart + at, ORDER)
          .fma(FloatVector.fromByteBuffer(SPECIES, d.buffer, dStart + at, ORDER), dot);
    }
    float total = dot.reduceLanes(VectorOperators.ADD);
    for (int at = 0; at < bytes; at += step) {
      FloatVector probability = FloatVector.fromByteBuffer(SPECIES, p.buffer, pStart + at, ORDER);
      FloatVector.fromByteBuffer(SPECIES, d.buffer, dStart + at, ORDER).sub(total)
          .mul(probability).intoByteBuffer(d.buffer, dStart + at, ORDER);
    }
  }
}
