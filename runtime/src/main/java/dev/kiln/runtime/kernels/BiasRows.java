package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Elements;
import dev.kiln.runtime.SecondThread;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A bias added to every row of a large array, and the sums of its rows (the bias gradient), in two
 * halves of the rows at once ({@link SecondThread}) from {@link #TWO_THREADS} values on: float32
 * rows of whole vectors in Vector API lanes ({@link BiasRowsLanes}), the others in plain loops
 * that give the same bits. The arrays {@link JavaLoops} leaves to libnd4j come here.
 *
 * <p>Why: libnd4j's BiasAdd took 1.31 ms on a transformer block's (64, 64, 128) output inside a
 * training step and the bias gradient as a product with ones 0.71 ms, where one pass over its 2
 * MB costs about 0.1-0.2 ms. Floats are added in float arithmetic, as the BiasAdd did; the sums
 * are float32 over blocks of {@link #SUM_BLOCK} rows (counted from the array's first row, so that
 * the blocks do not depend on who sums them) and float64 over the blocks, so that their rounding
 * does not grow with the batch.
 */
final class BiasRows {

  /** The smallest array done in two halves at once: below, the hand-over costs more. */
  static final long TWO_THREADS = 1 << 16;

  /** Rows summed in float32 before their sums go into the float64 sums. */
  static final int SUM_BLOCK = 64;

  private BiasRows() {}

  /** Whether these loops take the arrays: contiguous, row-major, of one type, whole rows. */
  static boolean take(INDArray rows, INDArray bias) {
    return Elements.accepts(rows) && Elements.accepts(bias) && rows.dataType() == bias.dataType()
        && bias.length() > 0 && rows.length() % bias.length() == 0;
  }

  /** Adds {@code bias}, {@code (units)}, to every row of {@code rows}, {@code (..., units)}. */
  static void add(INDArray rows, INDArray bias) {
    int units = Math.toIntExact(bias.length());
    Elements values = Elements.of(rows);
    if (lanes(rows, units)) {
      FloatLanes x = new FloatLanes(rows);
      Elements.Floats plain = (Elements.Floats) values;
      float[] b = floats(bias, units);
      inHalves(rows.length(), units,
          (from, to) -> BiasRowsLanes.add(x, plain, b, units, from, to));
      Reference.reachabilityFence(rows); // lanes view the native memory, they do not hold it
    } else if (values instanceof Elements.Floats floats) {
      float[] b = floats(bias, units);
      inHalves(rows.length(), units, (from, to) -> addRows(floats, b, units, from, to));
    } else {
      Elements added = Elements.of(bias);
      inHalves(rows.length(), units, (from, to) -> {
        for (long i = (long) from * units, end = (long) to * units; i < end; i++) {
          values.set(i, values.get(i) + added.get(i % units));
        }
      });
    }
  }

  /** Writes the sums of the rows of {@code rows}, {@code (..., units)}, into {@code sums}. */
  static void sum(INDArray rows, INDArray sums) {
    int units = Math.toIntExact(sums.length());
    Elements values = Elements.of(rows);
    double[] total = zeroed(JavaWork.doubles(0, units), units);
    double[] helperTotal = zeroed(JavaWork.doubles(1, units), units);
    if (lanes(rows, units)) {
      FloatLanes x = new FloatLanes(rows);
      Elements.Floats plain = (Elements.Floats) values;
      inHalves(rows.length(), units, (from, to) ->
          BiasRowsLanes.sum(x, plain, units, from, to, from == 0 ? total : helperTotal));
      Reference.reachabilityFence(rows);
    } else if (values instanceof Elements.Floats floats) {
      inHalves(rows.length(), units, (from, to) ->
          sumRows(floats, units, from, to, from == 0 ? total : helperTotal));
    } else {
      inHalves(rows.length(), units, (from, to) -> {
        double[] mine = from == 0 ? total : helperTotal;
        for (long i = (long) from * units, end = (long) to * units; i < end; i++) {
          mine[(int) (i % units)] += values.get(i);
        }
      });
    }
    for (int j = 0; j < units; j++) {
      total[j] += helperTotal[j];
    }
    JavaWork.write(total, sums);
  }

  /** Rows {@code [from, to)} of {@code rows} plus {@code bias}, a row at a time in a float array. */
  static void addRows(Elements.Floats rows, float[] bias, int units, int from, int to) {
    float[] row = JavaWork.floats(6, units);
    for (int r = from; r < to; r++) {
      rows.read(r * units, row, units);
      for (int j = 0; j < units; j++) {
        row[j] += bias[j];
      }
      rows.write(r * units, row, units);
    }
  }

  /**
   * Adds the sums of rows {@code [from, to)} to {@code sums}: each column added row after row in
   * float32 within a block of {@link #SUM_BLOCK} rows, as the lanes add it, then into float64.
   */
  static void sumRows(Elements.Floats rows, int units, int from, int to, double[] sums) {
    float[] row = JavaWork.floats(6, units);
    float[] block = JavaWork.floats(7, units);
    for (int first = from; first < to; ) {
      int end = blockEnd(first, to);
      java.util.Arrays.fill(block, 0, units, 0f);
      for (int r = first; r < end; r++) {
        rows.read(r * units, row, units);
        for (int j = 0; j < units; j++) {
          block[j] += row[j];
        }
      }
      for (int j = 0; j < units; j++) {
        sums[j] += block[j];
      }
      first = end;
    }
  }

  /** Where the block of row {@code first} ends, at {@code to} at the latest. */
  static int blockEnd(int first, int to) {
    return Math.min(to, (first / SUM_BLOCK + 1) * SUM_BLOCK);
  }

  /** A pass over the rows {@code [from, to)}. */
  private interface Part {
    void run(int from, int to);
  }

  /** {@code part} over every row: in two halves of rows at once from {@link #TWO_THREADS} on. */
  private static void inHalves(long length, int units, Part part) {
    int count = Math.toIntExact(length / units);
    if (length < TWO_THREADS) {
      part.run(0, count);
      return;
    }
    int half = count / 2;
    SecondThread.run(() -> part.run(half, count), () -> part.run(0, half));
  }

  private static boolean lanes(INDArray rows, int units) {
    return VectorApi.appliesTo(rows.dataType()) && BiasRowsLanes.suits(units);
  }

  /** The bias's values in a float work array of this thread. */
  private static float[] floats(INDArray bias, int units) {
    float[] values = JavaWork.floats(5, units);
    ((Elements.Floats) Elements.of(bias)).read(0, values, units);
    return values;
  }

  private static double[] zeroed(double[] values, int length) {
    java.util.Arrays.fill(values, 0, length, 0);
    return values;
  }
}
