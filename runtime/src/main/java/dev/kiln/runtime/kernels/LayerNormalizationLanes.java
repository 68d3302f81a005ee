package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.ORDER;
import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link LayerNormalization} for float32 rows whose length is a whole number of vectors (128
 * features: eight vectors of 16 with AVX-512), in Vector API lanes, computing in float32: the
 * same equations, the row's statistics from vector sums. The parameter gradients are summed in
 * float32 over blocks of {@link #BLOCK} rows and the blocks' sums in float64, so that their
 * rounding does not grow with the batch. Only {@link LayerNormalization} calls it, when {@link
 * VectorApi} allows.
 */
final class LayerNormalizationLanes {

  /** Rows whose parameter gradients are summed in float32 before they go into float64 sums. */
  static final int BLOCK = 64;

  private LayerNormalizationLanes() {}

  /** Whether rows of {@code features} values take the lanes. */
  static boolean suits(long features) {
    return features % SPECIES.length() == 0;
  }

  /** The arrays of one call, as lanes; {@code gamma} and {@code beta} may be null. */
  record Rows(FloatLanes x, FloatLanes gamma, FloatLanes beta, int features, float epsilon) {}

  /**
   * Writes rows {@code [fromRow, toRow)} of {@code out} (which may be {@code rows.x()}), each row
   * copied in bulk into a Java array first: its mean, deviation and normalisation read it there.
   */
  static void forward(Rows rows, FloatLanes out, int fromRow, int toRow) {
    int features = rows.features();
    float[] row = JavaWork.floats(6, features);
    float[] parameters = parameters(rows);
    FloatBuffer x = floats(rows.x());
    int bytes = features * Float.BYTES;
    for (int r = fromRow; r < toRow; r++) {
      x.get(first(rows.x(), r * features), row, 0, features);
      float mean = total(row, features) / features;
      float inverse = inverseDeviation(row, features, mean, rows.epsilon());
      normaliseRow(row, features, mean, inverse, rows.gamma() != null ? parameters : null,
          rows.beta() != null ? parameters : null, out, r * bytes);
    }
  }

  /** Gamma and beta, where not null, in a Java array: gamma from 0, beta from {@code features}. */
  private static float[] parameters(Rows rows) {
    int features = rows.features();
    float[] parameters = JavaWork.floats(7, 2 * features);
    if (rows.gamma() != null) {
      rows.gamma().read(0, parameters, 0, features);
    }
    if (rows.beta() != null) {
      rows.beta().read(0, parameters, features, features);
    }
    return parameters;
  }

  /**
   * Writes rows {@code [fromRow, toRow)} of {@code rows.x()} with {@code a + b} (unless {@code
   * rows.x()} is null: a prediction, whose sum nobody reads) and then of {@code out}: {@link Add}
   * and {@link #forward}'s values to the bit. Each row's sum also goes into a Java array, which
   * its statistics and its normalisation read, rather than loading back the row just stored in
   * the buffer (the encoder's 4,096 rows of 128 on two threads, loaded machine: 0.73 -> 0.64 ms),
   * and gamma and beta are read once a call.
   */
  static void forwardOfSum(Rows rows, FloatLanes a, FloatLanes b, FloatLanes out, int fromRow,
      int toRow) {
    int features = rows.features();
    float[] row = JavaWork.floats(6, features);
    float[] parameters = parameters(rows);
    int bytes = features * Float.BYTES;
    for (int r = fromRow; r < toRow; r++) {
      float mean = sumRow(a, b, rows.x(), r * bytes, bytes, row) / features;
      float inverse = inverseDeviation(row, features, mean, rows.epsilon());
      normaliseRow(row, features, mean, inverse, rows.gamma() != null ? parameters : null,
          rows.beta() != null ? parameters : null, out, r * bytes);
    }
  }

  /**
   * Writes rows {@code [fromRow, toRow)} of {@code dx} (unless null; it may be {@code dOut}) and
   * adds those rows' parameter gradients to {@code dGamma} and {@code dBeta}, float64 sums of
   * {@code features} values each.
   *
   * @param blockGamma work, {@code features} floats
   * @param blockBeta work, {@code features} floats
   */
  static void backward(Rows rows, FloatLanes dOut, FloatLanes dx, int fromRow, int toRow,
      float[] blockGamma, float[] blockBeta, double[] dGamma, double[] dBeta) {
    backward(rows, dOut, dx, null, fromRow, toRow, blockGamma, blockBeta, dGamma, dBeta);
  }

  /**
   * {@link #backward}, each row of {@code dx} also copied into {@code copy} unless null (the
   * gradient of both inputs of an {@link Add} before the normalisation); {@code dx} is not null
   * where {@code copy} is not.
   */
  static void backward(Rows rows, FloatLanes dOut, FloatLanes dx, FloatLanes copy, int fromRow,
      int toRow, float[] blockGamma, float[] blockBeta, double[] dGamma, double[] dBeta) {
    int features = rows.features();
    // a row of x, of dOut and of dx, copied in and out in bulk; and gamma
    float[] work = JavaWork.floats(6, 3 * features);
    float[] scale = null;
    if (rows.gamma() != null) {
      scale = JavaWork.floats(7, features);
      rows.gamma().read(0, scale, 0, features);
    }
    FloatBuffer x = floats(rows.x());
    FloatBuffer gradient = floats(dOut);
    FloatBuffer inputGradient = dx == null ? null : floats(dx);
    FloatBuffer copied = copy == null ? null : floats(copy);
    for (int block = fromRow; block < toRow; block += BLOCK) {
      java.util.Arrays.fill(blockGamma, 0, features, 0f);
      java.util.Arrays.fill(blockBeta, 0, features, 0f);
      for (int row = block, end = Math.min(toRow, block + BLOCK); row < end; row++) {
        x.get(first(rows.x(), row * features), work, 0, features);
        gradient.get(first(dOut, row * features), work, features, features);
        backwardRow(work, features, scale, rows.epsilon(), dx != null, blockGamma, blockBeta);
        if (dx != null) {
          inputGradient.put(first(dx, row * features), work, 2 * features, features);
        }
        if (copy != null) {
          copied.put(first(copy, row * features), work, 2 * features, features);
        }
      }
      for (int j = 0; j < features; j++) {
        dGamma[j] += blockGamma[j];
        dBeta[j] += blockBeta[j];
      }
    }
  }

  /*
   * One row per call, every call on a vector the Vector API's own: a FloatVector that crosses a
   * call C2 leaves out of line is boxed on the heap (see LstmLanes). Offsets are in bytes.
   */

  /**
   * {@code row = a + b} over the row at byte {@code start}, also into {@code sum} unless null;
   * returns the row's sum, added as {@link #total} adds.
   */
  private static float sumRow(FloatLanes a, FloatLanes b, FloatLanes sum, int start, int bytes,
      float[] row) {
    FloatVector total = FloatVector.zero(SPECIES);
    int step = SPECIES.vectorByteSize();
    for (int at = 0, j = 0; at < bytes; at += step, j += SPECIES.length()) {
      FloatVector value = FloatVector.fromByteBuffer(SPECIES, a.buffer, a.base + start + at, ORDER)
          .add(FloatVector.fromByteBuffer(SPECIES, b.buffer, b.base + start + at, ORDER));
      if (sum != null) {
        value.intoByteBuffer(sum.buffer, sum.base + start + at, ORDER);
      }
      value.intoArray(row, j);
      total = total.add(value);
    }
    return total.reduceLanes(VectorOperators.ADD);
  }

  /** {@code 1 / sqrt(variance + epsilon)} of a row in a Java array, whose mean is given. */
  private static float inverseDeviation(float[] row, int features, float mean, float epsilon) {
    FloatVector squares = FloatVector.zero(SPECIES);
    for (int j = 0; j < features; j += SPECIES.length()) {
      FloatVector centred = FloatVector.fromArray(SPECIES, row, j).sub(mean);
      squares = centred.fma(centred, squares);
    }
    float variance = squares.reduceLanes(VectorOperators.ADD) / features;
    return (float) (1 / Math.sqrt(variance + epsilon));
  }

  /**
   * Writes {@code (row - mean) * inverse * gamma + beta} into the row of {@code out} at byte
   * {@code start}: gamma in {@code scale[0, features)} and beta in {@code offset[features, 2
   * features)}, either null for none.
   */
  private static void normaliseRow(float[] row, int features, float mean, float inverse,
      float[] scale, float[] offset, FloatLanes out, int start) {
    for (int j = 0; j < features; j += SPECIES.length()) {
      FloatVector y = FloatVector.fromArray(SPECIES, row, j).sub(mean).mul(inverse);
      if (scale != null) {
        y = y.mul(FloatVector.fromArray(SPECIES, scale, j));
      }
      if (offset != null) {
        y = y.add(FloatVector.fromArray(SPECIES, offset, features + j));
      }
      y.intoByteBuffer(out.buffer, out.base + start + j * Float.BYTES, ORDER);
    }
  }

  /** The sum of a row in a Java array, its vectors added in order, then their lanes. */
  private static float total(float[] row, int features) {
    FloatVector total = FloatVector.zero(SPECIES);
    for (int j = 0; j < features; j += SPECIES.length()) {
      total = total.add(FloatVector.fromArray(SPECIES, row, j));
    }
    return total.reduceLanes(VectorOperators.ADD);
  }

  /**
   * The floats of {@code lanes}' buffer, for bulk copies of rows: a bulk copy is a memory copy,
   * about twice as fast as a loop of vectors.
   */
  private static FloatBuffer floats(FloatLanes lanes) {
    return lanes.buffer.asFloatBuffer();
  }

  /** The index in {@link #floats}{@code (lanes)} of element {@code i}. */
  private static int first(FloatLanes lanes, int i) {
    return lanes.base / Float.BYTES + i;
  }

  /**
   * With {@code g = dOut * gamma}: {@code dx = (g - mean(g) - xhat * mean(g * xhat)) * inverse}
   * into {@code work[2 features, 3 features)} (with {@code written}), from the row of x in {@code
   * work[0, features)} and of dOut in {@code work[features, 2 features)}; adds {@code dOut * xhat}
   * and {@code dOut} to the block's parameter sums. Gamma is {@code scale}, or null for none.
   */
  private static void backwardRow(float[] work, int features, float[] scale, float epsilon,
      boolean written, float[] blockGamma, float[] blockBeta) {
    int width = SPECIES.length();
    float mean = total(work, features) / features;
    float inverse = inverseDeviation(work, features, mean, epsilon);
    FloatVector sumG = FloatVector.zero(SPECIES);
    FloatVector sumGXhat = FloatVector.zero(SPECIES);
    for (int j = 0; j < features; j += width) {
      FloatVector xhat = FloatVector.fromArray(SPECIES, work, j).sub(mean).mul(inverse);
      FloatVector d = FloatVector.fromArray(SPECIES, work, features + j);
      FloatVector g = scale == null ? d : d.mul(FloatVector.fromArray(SPECIES, scale, j));
      sumG = sumG.add(g);
      sumGXhat = g.fma(xhat, sumGXhat);
      d.fma(xhat, FloatVector.fromArray(SPECIES, blockGamma, j)).intoArray(blockGamma, j);
      d.add(FloatVector.fromArray(SPECIES, blockBeta, j)).intoArray(blockBeta, j);
    }
    if (!written) {
      return;
    }
    float meanG = sumG.reduceLanes(VectorOperators.ADD) / features;
    float meanGXhat = sumGXhat.reduceLanes(VectorOperators.ADD) / features;
    for (int j = 0; j < features; j += width) {
      FloatVector xhat = FloatVector.fromArray(SPECIES, work, j).sub(mean).mul(inverse);
      FloatVector d = FloatVector.fromArray(SPECIES, work, features + j);
      FloatVector g = scale == null ? d : d.mul(FloatVector.fromArray(SPECIES, scale, j));
      g.sub(meanG).sub(xhat.mul(meanGXhat)).mul(inverse).intoArray(work, 2 * features + j);
    }
  }
}
