package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.ORDER;
import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * {@link EmbeddingGradient}'s rows in Vector API lanes, for float32 arrays: a vector of a row's
 * columns is summed over the row's tokens in registers and stored once. Only code that checked
 * {@link VectorApi#ENABLED} may load this class.
 */
final class EmbeddingLanes {

  private static final LanesGate GATE = new LanesGate("the Embedding gradient's");

  private EmbeddingLanes() {}

  /**
   * Writes rows {@code [from, to)} of {@code table}: each the sum of its tokens' rows of {@code
   * rows}, added in position order from zero as the scalar pass adds them, or zero.
   */
  static void writeRows(TokensById tokens, FloatLanes rows, FloatLanes table, int width,
      int from, int to) {
    int wholeWidth = width - width % SPECIES.length();
    // Cold: the rows after a chunk's worth sum in the scalar loop, in the same order (LanesGate).
    int lanesEnd = GATE.lanesEnd(from, to, width);
    long mark = GATE.start();
    for (int id = from; id < to; id++) {
      int target = id * width;
      int first = tokens.first(id);
      int end = tokens.end(id);
      int whole = id < lanesEnd ? wholeWidth : 0;
      for (int j = 0; j < whole; j += SPECIES.length()) {
        if (first == end) {
          zeroColumns(table, target + j);
        } else {
          sumColumns(tokens, rows, table, width, first, end, target + j, j);
        }
      }
      for (int j = whole; j < width; j++) {
        float sum = 0;
        for (int k = first; k < end; k++) {
          sum += rows.get(tokens.position(k) * width + j);
        }
        table.set(target + j, sum);
      }
    }
    GATE.finish(mark, wholeWidth > 0 && lanesEnd > from);
  }

  /*
   * Each vector lives inside one small method that calls only the Vector API's own methods, as in
   * LstmLanes: a vector passed to a call that C2 leaves out of line is boxed on the heap.
   */

  /** One vector of zeros at element {@code at} of the table. */
  private static void zeroColumns(FloatLanes table, int at) {
    FloatVector.zero(SPECIES).intoByteBuffer(table.buffer, table.base + at * Float.BYTES, ORDER);
  }

  /** One vector of columns from {@code column} on, summed over tokens {@code [first, end)}. */
  private static void sumColumns(TokensById tokens, FloatLanes rows, FloatLanes table, int width,
      int first, int end, int at, int column) {
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int k = first; k < end; k++) {
      int source = rows.base + (tokens.position(k) * width + column) * Float.BYTES;
      sum = sum.add(FloatVector.fromByteBuffer(SPECIES, rows.buffer, source, ORDER));
    }
    sum.intoByteBuffer(table.buffer, table.base + at * Float.BYTES, ORDER);
  }
}
