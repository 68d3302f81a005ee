package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import dev.kiln.runtime.SecondThread;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A recurrent layer's time loop over the two halves of its batch at once, one on the calling
 * thread and one on {@link SecondThread}. The samples of a batch do not meet inside the loop: a
 * row's step product and cells read only that row's state, so each half runs all its steps
 * alone, with one hand-over a call rather than one a step. Each half multiplies in Java lanes on
 * its own core ({@link FloatProducts}) where one libnd4j product on two threads took the place:
 * its threads met twice a step. Float32 in Vector API lanes only: float64 keeps one loop.
 */
final class BatchHalves {

  /** Multiply-adds of a call's step products from which the halves are worth the hand-over. */
  static final long MINIMUM_WORK = 1L << 20;

  /** Whether calls may run in halves at all; tests compare both ways. */
  static volatile boolean allowed = true;

  private BatchHalves() {}

  /** The rows {@code [from, to)} of a batch, on one thread. */
  interface Rows {
    void run(long from, long to);
  }

  /**
   * Whether a loop of {@code steps} over {@code n} samples of {@code units}, each step a product
   * with a {@code (units, gates * units)} kernel, runs in halves.
   */
  static boolean split(DataType dataType, long n, long steps, long units, int gates) {
    return allowed && SecondThread.ENABLED && VectorApi.appliesTo(dataType) && n >= 2
        && n * steps * units * gates * units >= MINIMUM_WORK;
  }

  /** Runs {@code rows} over {@code [0, n)}, or over its two halves at once with {@code split}. */
  static void run(boolean split, long n, Rows rows) {
    if (!split) {
      rows.run(0, n);
      return;
    }
    long half = n / 2;
    SecondThread.run(() -> rows.run(half, n), () -> rows.run(0, half));
  }

  /**
   * Rows {@code [from, to)} of the leading axis of a contiguous row-major array, as a view; the
   * array itself for all its rows, null for null.
   */
  static INDArray rows(INDArray array, long from, long to) {
    if (array == null || from == 0 && to == array.size(0)) {
      return array;
    }
    long[] shape = array.shape().clone(); // shape() is the array's own
    long rowLength = array.length() / shape[0];
    shape[0] = to - from;
    return NdArrays.view(array, from * rowLength, shape);
  }
}
