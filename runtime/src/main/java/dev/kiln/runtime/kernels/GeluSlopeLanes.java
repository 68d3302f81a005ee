package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * The backward pass of a training step's GELU ({@link BiasGelu#backwardFromSlope}) for float32
 * rows of whole vectors, straight on the arrays' native memory: {@code dy *= slope}, and the bias
 * gradient's column sums in the same pass, float32 over blocks of {@link #SUM_BLOCK} rows counted
 * from the first row and float64 over the blocks. Copied into Java arrays in chunks first ({@link
 * GeluLanes#backwardFromSlope}), the pass over the transformer block's 64 x 64 x 512 values took
 * twice as long. Only code that checked {@link VectorApi#ENABLED} may load this class.
 */
final class GeluSlopeLanes {

  /** Rows whose column sums are added in float32 before they go into the float64 sums. */
  static final int SUM_BLOCK = 64;

  private GeluSlopeLanes() {}

  /** Whether rows of {@code units} values are whole vectors. */
  static boolean suits(int units) {
    return units % SPECIES.length() == 0;
  }

  /**
   * Turns rows {@code [fromRow, toRow)} of {@code dy} into {@code dy * slope} and, with {@code
   * sums} not null, adds their column sums to {@code sums}.
   *
   * @param block work, {@code units} floats
   */
  static void backward(FloatLanes slope, FloatLanes dy, int units, int fromRow, int toRow,
      float[] block, double[] sums) {
    for (int first = fromRow; first < toRow; ) {
      int end = Math.min(toRow, (first / SUM_BLOCK + 1) * SUM_BLOCK);
      if (sums == null) {
        for (int row = first; row < end; row++) {
          multiplyRow(slope, dy, row * units, units);
        }
      } else {
        java.util.Arrays.fill(block, 0, units, 0f);
        for (int row = first; row < end; row++) {
          multiplyAndSumRow(slope, dy, row * units, units, block);
        }
        for (int j = 0; j < units; j++) {
          sums[j] += block[j];
        }
      }
      first = end;
    }
  }

  /*
   * Every call on a vector below is the Vector API's own: a FloatVector that crosses a call C2
   * leaves out of line is boxed on the heap (see LstmLanes).
   */

  private static void multiplyRow(FloatLanes slope, FloatLanes dy, int start, int units) {
    for (int k = 0; k < units; k += SPECIES.length()) {
      dy.store(dy.load(start + k).mul(slope.load(start + k)), start + k);
    }
  }

  private static void multiplyAndSumRow(FloatLanes slope, FloatLanes dy, int start, int units,
      float[] block) {
    for (int k = 0; k < units; k += SPECIES.length()) {
      FloatVector gradient = dy.load(start + k).mul(slope.load(start + k));
      dy.store(gradient, start + k);
      gradient.add(FloatVector.fromArray(SPECIES, block, k)).intoArray(block, k);
    }
  }
}
