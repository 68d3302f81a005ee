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

  /** Writes rows {@code [fromRow, toRow)} of {@code out}. */
  static void forward(Rows rows, FloatLanes out, int fromRow, int toRow) {
    int bytes = rows.features() * Float.BYTES;
    for (int row = fromRow; row < toRow; row++) {
      forwardRow(rows, out, row * bytes, bytes);
    }
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
    float[] parameters = JavaWork.floats(7, 2 * features);
    if (rows.gamma() != null) {
      rows.gamma().read(0, parameters, 0, features);
    }
    if (rows.beta() != null) {
      rows.beta().read(0, parameters, features, features);
    }
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
   * returns the row's sum, added as {@link #mean} adds.
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

  /** {@link #inverseDeviation} of a row in a Java array. */
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
   * {@link #forwardRow} of a row in a Java array: gamma in {@code scale[0, features)} and beta in
   * {@code offset[features, 2 features)}, either null for none.
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

  /** The mean of the row of x at byte {@code start}. */
  private static float mean(Rows rows, int start, int bytes) {
    FloatLanes x = rows.x();
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int at = 0; at < bytes; at += SPECIES.vectorByteSize()) {
      sum = sum.add(FloatVector.fromByteBuffer(SPECIES, x.buffer, x.base + start + at, ORDER));
    }
    return sum.reduceLanes(VectorOperators.ADD) / rows.features();
  }

  /** {@code 1 / sqrt(variance + epsilon)} of the row of x at byte {@code start}. */
  private static float inverseDeviation(Rows rows, int start, int bytes, float mean) {
    FloatLanes x = rows.x();
    FloatVector squares = FloatVector.zero(SPECIES);
    for (int at = 0; at < bytes; at += SPECIES.vectorByteSize()) {
      FloatVector centred = FloatVector.fromByteBuffer(SPECIES, x.buffer, x.base + start + at,
          ORDER).sub(mean);
      squares = centred.fma(centred, squares);
    }
    float variance = squares.reduceLanes(VectorOperators.ADD) / rows.features();
    return (float) (1 / Math.sqrt(variance + rows.epsilon()));
  }

  private static void forwardRow(Rows rows, FloatLanes out, int start, int bytes) {
    FloatLanes x = rows.x();
    FloatLanes gamma = rows.gamma();
    FloatLanes beta = rows.beta();
    int step = SPECIES.vectorByteSize();
    float mean = mean(rows, start, bytes);
    float inverse = inverseDeviation(rows, start, bytes, mean);
    for (int at = 0; at < bytes; at += step) {
      FloatVector y = FloatVector.fromByteBuffer(SPECIES, x.buffer, x.base + start + at, ORDER)
          .sub(mean).mul(inverse);
      if (gamma != null) {
        y = y.mul(FloatVector.fromByteBuffer(SPECIES, gamma.buffer, gamma.base + at, ORDER));
      }
      if (beta != null) {
        y = y.add(FloatVector.fromByteBuffer(SPECIES, beta.buffer, beta.base + at, ORDER));
      }
      y.intoByteBuffer(out.buffer, out.base + start + at, ORDER);
    }
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
    FloatVector total = FloatVector.zero(SPECIES);
    for (int j = 0; j < features; j += width) {
      total = total.add(FloatVector.fromArray(SPECIES, work, j));
    }
    float mean = total.reduceLanes(VectorOperators.ADD) / features;
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
