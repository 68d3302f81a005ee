package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.FloatLanes.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The small products and row softmaxes of attention's cores in Vector API lanes, on one Java
 * work array: each product a tile of up to {@link #ROWS} rows by two vectors of columns, sixteen
 * sums in flight (a chain of dependent fma instructions waits four cycles a link and two run at
 * once), each column vector loaded once for all rows of the tile. The rows of the left factor are
 * read with any two strides, so that one kernel multiplies by a matrix or by its transpose. Only
 * code that checked {@link VectorApi} calls it.
 */
final class AttentionTiles {

  private AttentionTiles() {}

  /** The rows of a tile. */
  static final int ROWS = 8;

  /*
   * Every call on a vector in the methods below is the Vector API's own: a FloatVector that
   * crosses a call C2 leaves out of line is boxed on the heap (see LstmLanes).
   */

  /**
   * For {@code r < rows} ({@code 1..ROWS}) and {@code c < columns} (a whole number of vectors):
   *
   * <pre>
   *   w[out + r * outRow + c] = scale * sum_{k < inner} w[a + r * aRow + k * aStep] * w[b + k * bRow + c]
   * </pre>
   *
   * <p>Eight rows by two vectors at a time, sixteen sums in flight for two loads of the right
   * factor and eight of the left: four rows by two vectors (eight sums) kept the core at one fma
   * a cycle, the loop's loads and index checks as many instructions as its fmas. A missing row of
   * a tile repeats the last row, its sums not stored.
   */
  static void product(float[] w, int a, int aRow, int aStep, int rows, int inner, int b,
      int bRow, int columns, int out, int outRow, float scale) {
    int width = SPECIES.length();
    int a0 = a;
    int a1 = rows > 1 ? a0 + aRow : a0;
    int a2 = rows > 2 ? a1 + aRow : a1;
    int a3 = rows > 3 ? a2 + aRow : a2;
    int a4 = rows > 4 ? a3 + aRow : a3;
    int a5 = rows > 5 ? a4 + aRow : a4;
    int a6 = rows > 6 ? a5 + aRow : a5;
    int a7 = rows > 7 ? a6 + aRow : a6;
    int c = 0;
    for (; c + 2 * width <= columns; c += 2 * width) {
      FloatVector s00 = FloatVector.zero(SPECIES);
      FloatVector s01 = s00;
      FloatVector s10 = s00;
      FloatVector s11 = s00;
      FloatVector s20 = s00;
      FloatVector s21 = s00;
      FloatVector s30 = s00;
      FloatVector s31 = s00;
      FloatVector s40 = s00;
      FloatVector s41 = s00;
      FloatVector s50 = s00;
      FloatVector s51 = s00;
      FloatVector s60 = s00;
      FloatVector s61 = s00;
      FloatVector s70 = s00;
      FloatVector s71 = s00;
      for (int k = 0, ak = 0, bk = b + c; k < inner; k++, ak += aStep, bk += bRow) {
        FloatVector b0 = FloatVector.fromArray(SPECIES, w, bk);
        FloatVector b1 = FloatVector.fromArray(SPECIES, w, bk + width);
        FloatVector x = FloatVector.broadcast(SPECIES, w[a0 + ak]);
        s00 = b0.fma(x, s00);
        s01 = b1.fma(x, s01);
        x = FloatVector.broadcast(SPECIES, w[a1 + ak]);
        s10 = b0.fma(x, s10);
        s11 = b1.fma(x, s11);
        x = FloatVector.broadcast(SPECIES, w[a2 + ak]);
        s20 = b0.fma(x, s20);
        s21 = b1.fma(x, s21);
        x = FloatVector.broadcast(SPECIES, w[a3 + ak]);
        s30 = b0.fma(x, s30);
        s31 = b1.fma(x, s31);
        x = FloatVector.broadcast(SPECIES, w[a4 + ak]);
        s40 = b0.fma(x, s40);
        s41 = b1.fma(x, s41);
        x = FloatVector.broadcast(SPECIES, w[a5 + ak]);
        s50 = b0.fma(x, s50);
        s51 = b1.fma(x, s51);
        x = FloatVector.broadcast(SPECIES, w[a6 + ak]);
        s60 = b0.fma(x, s60);
        s61 = b1.fma(x, s61);
        x = FloatVector.broadcast(SPECIES, w[a7 + ak]);
        s70 = b0.fma(x, s70);
        s71 = b1.fma(x, s71);
      }
      int at = out + c;
      s00.mul(scale).intoArray(w, at);
      s01.mul(scale).intoArray(w, at + width);
      if (rows > 1) {
        s10.mul(scale).intoArray(w, at + outRow);
        s11.mul(scale).intoArray(w, at + outRow + width);
      }
      if (rows > 2) {
        s20.mul(scale).intoArray(w, at + 2 * outRow);
        s21.mul(scale).intoArray(w, at + 2 * outRow + width);
      }
      if (rows > 3) {
        s30.mul(scale).intoArray(w, at + 3 * outRow);
        s31.mul(scale).intoArray(w, at + 3 * outRow + width);
      }
      if (rows > 4) {
        s40.mul(scale).intoArray(w, at + 4 * outRow);
        s41.mul(scale).intoArray(w, at + 4 * outRow + width);
      }
      if (rows > 5) {
        s50.mul(scale).intoArray(w, at + 5 * outRow);
        s51.mul(scale).intoArray(w, at + 5 * outRow + width);
      }
      if (rows > 6) {
        s60.mul(scale).intoArray(w, at + 6 * outRow);
        s61.mul(scale).intoArray(w, at + 6 * outRow + width);
      }
      if (rows > 7) {
        s70.mul(scale).intoArray(w, at + 7 * outRow);
        s71.mul(scale).intoArray(w, at + 7 * outRow + width);
      }
    }
    if (c < columns) { // one vector left: eight sums, one a row
      FloatVector s0 = FloatVector.zero(SPECIES);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      FloatVector s4 = s0;
      FloatVector s5 = s0;
      FloatVector s6 = s0;
      FloatVector s7 = s0;
      for (int k = 0, ak = 0, bk = b + c; k < inner; k++, ak += aStep, bk += bRow) {
        FloatVector b0 = FloatVector.fromArray(SPECIES, w, bk);
        s0 = b0.fma(FloatVector.broadcast(SPECIES, w[a0 + ak]), s0);
        s1 = b0.fma(FloatVector.broadcast(SPECIES, w[a1 + ak]), s1);
        s2 = b0.fma(FloatVector.broadcast(SPECIES, w[a2 + ak]), s2);
        s3 = b0.fma(FloatVector.broadcast(SPECIES, w[a3 + ak]), s3);
        s4 = b0.fma(FloatVector.broadcast(SPECIES, w[a4 + ak]), s4);
        s5 = b0.fma(FloatVector.broadcast(SPECIES, w[a5 + ak]), s5);
        s6 = b0.fma(FloatVector.broadcast(SPECIES, w[a6 + ak]), s6);
        s7 = b0.fma(FloatVector.broadcast(SPECIES, w[a7 + ak]), s7);
      }
      int at = out + c;
      s0.mul(scale).intoArray(w, at);
      if (rows > 1) {
        s1.mul(scale).intoArray(w, at + outRow);
      }
      if (rows > 2) {
        s2.mul(scale).intoArray(w, at + 2 * outRow);
      }
      if (rows > 3) {
        s3.mul(scale).intoArray(w, at + 3 * outRow);
      }
      if (rows > 4) {
        s4.mul(scale).intoArray(w, at + 4 * outRow);
      }
      if (rows > 5) {
        s5.mul(scale).intoArray(w, at + 5 * outRow);
      }
      if (rows > 6) {
        s6.mul(scale).intoArray(w, at + 6 * outRow);
      }
      if (rows > 7) {
        s7.mul(scale).intoArray(w, at + 7 * outRow);
      }
    }
  }

  /**
   * A row's sum of exponentials below it, taken from the largest value of its tile, is taken
   * again from the row's own largest value: its values then lie more than 8 below the tile's
   * largest, and {@code x - largest} rounded to a float would be off by more than a few units in
   * the last place of the row's own differences (a probability's relative error grows with it).
   */
  private static final float SMALLEST_SUM = 0x1p-12f;

  /**
   * Writes the softmax of {@code rows} rows of {@code count} values (a whole number of vectors)
   * from {@code w[from]} on, one after the other, from {@code w[to]} on (not in place), with
   * {@code rows} floats from {@code w[scalars]} on to work in.
   *
   * <p>The exponentials are taken from the largest value of all rows ({@link #SMALLEST_SUM} says
   * when a row takes its own), one maximum across lanes for the tile: one a row took 14 of a
   * row's 50 ns. And in passes over the rows, so that the core overlaps the rows' chains of
   * dependent steps (the sum across lanes, a division).
   */
  static void softmax(float[] w, int from, int rows, int count, int to, int scalars) {
    int width = SPECIES.length();
    int end = from + rows * count;
    FloatVector max = FloatVector.fromArray(SPECIES, w, from);
    FloatVector max1 = max; // four chains of dependent maxima, not one
    FloatVector max2 = max;
    FloatVector max3 = max;
    int next = from + width;
    for (; next + 4 * width <= end; next += 4 * width) {
      max = max.max(FloatVector.fromArray(SPECIES, w, next));
      max1 = max1.max(FloatVector.fromArray(SPECIES, w, next + width));
      max2 = max2.max(FloatVector.fromArray(SPECIES, w, next + 2 * width));
      max3 = max3.max(FloatVector.fromArray(SPECIES, w, next + 3 * width));
    }
    for (; next < end; next += width) {
      max = max.max(FloatVector.fromArray(SPECIES, w, next));
    }
    float largest = max.max(max1).max(max2.max(max3)).reduceLanes(VectorOperators.MAX);
    for (int r = 0; r < rows; r++) {
      w[scalars + r] = exponentials(w, from + r * count, count, largest, to + r * count);
    }
    for (int r = 0; r < rows; r++) {
      float sum = w[scalars + r];
      if (sum < SMALLEST_SUM) { // far below the tile's largest value (or not a number)
        int start = from + r * count;
        sum = exponentials(w, start, count, rowMaximum(w, start, count), to + r * count);
      }
      float inverse = 1 / sum;
      for (int at = to + r * count, last = at + count; at < last; at += width) {
        FloatVector.fromArray(SPECIES, w, at).mul(inverse).intoArray(w, at);
      }
    }
  }

  /** The largest of {@code w[start, start + count)}. */
  private static float rowMaximum(float[] w, int start, int count) {
    int width = SPECIES.length();
    FloatVector max = FloatVector.fromArray(SPECIES, w, start);
    for (int at = start + width, end = start + count; at < end; at += width) {
      max = max.max(FloatVector.fromArray(SPECIES, w, at));
    }
    return max.reduceLanes(VectorOperators.MAX);
  }

  /**
   * Writes {@code exp(w - largest)} of {@code w[start, start + count)} from {@code w[to]} on and
   * returns their sum.
   */
  private static float exponentials(float[] w, int start, int count, float largest, int to) {
    int width = SPECIES.length();
    FloatVector sum = FloatVector.zero(SPECIES);
    for (int j = 0; j < count; j += width) {
      FloatVector e = FloatVector.fromArray(SPECIES, w, start + j).sub(largest)
          .lanewise(VectorOperators.EXP);
      e.intoArray(w, to + j);
      sum = sum.add(e);
    }
    return sum.reduceLanes(VectorOperators.ADD);
  }

  /**
   * {@code to[into + d * count + j] = from[at + j * row + d] + bias[biasAt + d]} for {@code j <
   * count}, {@code d < size}: {@code count} rows of {@code size} transposed, with a bias per
   * column ({@code bias} null for none). A plain loop: no vector crosses it.
   */
  static void transpose(float[] from, int at, int row, int count, int size, float[] to,
      int into) {
    for (int d = 0; d < size; d++) {
      for (int j = 0, in = at + d, out = into + d * count; j < count; j++, in += row) {
        to[out + j] = from[in];
      }
    }
  }

  /**
   * {@code to[into + r * size + d] = (from[at + r * row + d] + bias[biasAt + d]) * scale} for
   * {@code r < rows}, {@code d < size}: rows gathered with a bias per column and a scale, in the
   * order of {@link HeadMoves#split}'s float loop, so that both give the same floats. In lanes: C2
   * left a plain loop over a head's 32 columns to its scalar pre- and post-loops (a quarter of a
   * prediction's core).
   */
  static void biasedRows(float[] from, int at, int row, int rows, int size, float[] bias,
      int biasAt, float scale, float[] to, int into) {
    int width = SPECIES.length();
    for (int r = 0; r < rows; r++) {
      int in = at + r * row;
      int out = into + r * size;
      int d = 0;
      for (; d + width <= size; d += width) {
        FloatVector.fromArray(SPECIES, from, in + d)
            .add(FloatVector.fromArray(SPECIES, bias, biasAt + d)).mul(scale)
            .intoArray(to, out + d);
      }
      for (; d < size; d++) {
        to[out + d] = (from[in + d] + bias[biasAt + d]) * scale;
      }
    }
  }

  /**
   * Adds the column sums of {@code rows} rows of {@code size} from {@code w[from]} on, summed in
   * float32, to {@code sums[at...]}: the rows are added up into the first one, which they
   * overwrite, a vector of columns at a time.
   */
  static void addColumnSums(float[] w, int from, int rows, int size, double[] sums, int at) {
    int width = SPECIES.length();
    int c = 0;
    for (; c + width <= size; c += width) {
      FloatVector sum = FloatVector.fromArray(SPECIES, w, from + c);
      for (int r = 1, row = from + size + c; r < rows; r++, row += size) {
        sum = sum.add(FloatVector.fromArray(SPECIES, w, row));
      }
      sum.intoArray(w, from + c);
    }
    for (; c < size; c++) {
      float sum = w[from + c];
      for (int r = 1, row = from + size + c; r < rows; r++, row += size) {
        sum += w[row];
      }
      w[from + c] = sum;
    }
    for (int j = 0; j < size; j++) {
      sums[at + j] += w[from + j];
    }
  }
}
