package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import dev.kiln.runtime.Elements;
import jdk.incubator.vector.FloatVector;

/**
 * {@link BiasRows} for float32 rows of whole vectors, straight on the array's native memory: a
 * row's vectors loaded, added to and stored (copied into a Java array first, as the plain loops
 * are, the passes took three times as long). Cold, a call runs a chunk in lanes and the rest in
 * the plain loops, which give the same bits ({@link LanesGate}). Only code that checked {@link
 * VectorApi#ENABLED} may load this class.
 */
final class BiasRowsLanes {

  private static final LanesGate ADD = new LanesGate("the bias add's");

  private static final LanesGate SUM = new LanesGate("the bias gradient's");

  private BiasRowsLanes() {}

  /** Whether rows of {@code units} values are whole vectors. */
  static boolean suits(int units) {
    return units % SPECIES.length() == 0;
  }

  /** Adds {@code bias} to rows {@code [from, to)} of {@code x}; {@code plain} is {@code x}. */
  static void add(FloatLanes x, Elements.Floats plain, float[] bias, int units, int from,
      int to) {
    int end = ADD.lanesEnd(from, to, units);
    long mark = ADD.start();
    for (int row = from; row < end; row++) {
      addRow(x, bias, row * units, units);
    }
    ADD.finish(mark, end > from);
    if (end < to) {
      BiasRows.addRows(plain, bias, units, end, to);
    }
  }

  /**
   * Adds the sums of rows {@code [from, to)} of {@code x} to {@code sums}, as BiasRows' plain loop
   * does; {@code plain} is {@code x}.
   */
  static void sum(FloatLanes x, Elements.Floats plain, int units, int from, int to,
      double[] sums) {
    float[] block = JavaWork.floats(7, units);
    // cold: whole blocks in lanes, so that the blocks' float sums are those of the plain loop
    int end = SUM.lanesEnd(from, to, units);
    end = end == to ? to : BiasRows.blockEnd(Math.max(from, end - 1), to);
    long mark = SUM.start();
    for (int first = from; first < end; ) {
      int blockEnd = BiasRows.blockEnd(first, end);
      java.util.Arrays.fill(block, 0, units, 0f);
      for (int row = first; row < blockEnd; row++) {
        sumRow(x, row * units, units, block);
      }
      for (int j = 0; j < units; j++) {
        sums[j] += block[j];
      }
      first = blockEnd;
    }
    SUM.finish(mark, end > from);
    if (end < to) {
      BiasRows.sumRows(plain, units, end, to, sums);
    }
  }

  /*
   * Every call on a vector below is the Vector API's own: a FloatVector that crosses a call C2
   * leaves out of line is boxed on the heap (see LstmLanes).
   */

  private static void addRow(FloatLanes x, float[] bias, int start, int units) {
    for (int k = 0; k < units; k += SPECIES.length()) {
      x.store(x.load(start + k).add(FloatVector.fromArray(SPECIES, bias, k)), start + k);
    }
  }

  private static void sumRow(FloatLanes x, int start, int units, float[] block) {
    for (int k = 0; k < units; k += SPECIES.length()) {
      FloatVector.fromArray(SPECIES, block, k).add(x.load(start + k)).intoArray(block, k);
    }
  }
}
