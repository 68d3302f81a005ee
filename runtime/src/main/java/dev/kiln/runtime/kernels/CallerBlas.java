package dev.kiln.runtime.kernels;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A small matrix product by {@code cblas_sgemm}/{@code cblas_dgemm} of the OpenBLAS that ND4J
 * ships, on the calling thread, bound once to its arrays' memory. libnd4j's matmul (oneDNN) costs
 * about 10 microseconds a call whatever the size, waking its OpenMP threads: the MLP's output
 * layer, {@code (64, 128) . (128, 10)}, took 10.5 us there and 2.1 here, its two backward products
 * 10.3 and 5.4 against 2.0 and 1.2. OpenBLAS runs a product of at most {@link #ONE_THREAD_WORK}
 * multiply-adds on the calling thread (above, its own threads join, which spin while they wait),
 * so a product of up to {@link #MAXIMUM_WORK} runs as blocks of rows of that size each. Larger
 * products stay with libnd4j.
 */
final class CallerBlas {

  /**
   * OpenBLAS 0.3.19's limit for a one-thread GEMM, {@code SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_
   * THRESHOLD} multiply-adds; per-thread CPU time confirms it ({@code (64, 64) . (64, 64)} on the
   * caller alone, {@code (64, 216) . (216, 128)} on two threads).
   */
  static final long ONE_THREAD_WORK = 65_536L * 4;

  /**
   * Multiply-adds up to which a product runs on the calling thread, in blocks of rows. Below it,
   * waking libnd4j's second thread costs more than the thread saves under {@code
   * OMP_WAIT_POLICY=PASSIVE}: the MLP's {@code (64, 216) . (216, 128)} after its two larger
   * products took 79 us in libnd4j and 28-41 here in blocks of 8 or 9 rows (loaded machine, its
   * JVM given priority); with spinning OpenMP threads libnd4j took 24. Its next larger product,
   * {@code (64, 512) . (512, 216)}, is faster in libnd4j either way.
   */
  static final long MAXIMUM_WORK = 8 * ONE_THREAD_WORK;

  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANSPOSE = 111;
  private static final int TRANSPOSE = 112;

  private final boolean single;
  private final FloatPointer floatA;
  private final FloatPointer floatB;
  private final FloatPointer floatC;
  private final DoublePointer doubleA;
  private final DoublePointer doubleB;
  private final DoublePointer doubleC;
  private final int transposeA;
  private final int transposeB;
  private final int m;
  private final int n;
  private final int k;
  private final int leadingA;
  private final int leadingB;
  private final int leadingC;
  private final double beta;
  /** Rows of the result per call, and how far apart rows of {@code op(a)} lie in memory. */
  private final int blockRows;
  private final long rowStepA;
  private final long startA;
  private final long startC;

  private CallerBlas(INDArray a, INDArray b, INDArray c, Layout layoutA, Layout layoutB,
      boolean transposeA, boolean transposeB, boolean accumulate) {
    this.single = a.dataType() == DataType.FLOAT;
    this.floatA = single ? floats(a) : null;
    this.floatB = single ? floats(b) : null;
    this.floatC = single ? floats(c) : null;
    this.doubleA = single ? null : doubles(a);
    this.doubleB = single ? null : doubles(b);
    this.doubleC = single ? null : doubles(c);
    this.transposeA = transposeA != layoutA.columnMajor ? TRANSPOSE : NO_TRANSPOSE;
    this.transposeB = transposeB != layoutB.columnMajor ? TRANSPOSE : NO_TRANSPOSE;
    this.m = (int) c.size(0);
    this.n = (int) c.size(1);
    this.k = (int) a.size(transposeA ? 0 : 1);
    this.leadingA = layoutA.leading;
    this.leadingB = layoutB.leading;
    this.leadingC = Layout.of(c).leading;
    this.beta = accumulate ? 1 : 0;
    this.blockRows = (int) Math.max(1, Math.min(m, ONE_THREAD_WORK / ((long) n * k)));
    this.rowStepA = this.transposeA == NO_TRANSPOSE ? leadingA : 1;
    this.startA = offsetInBuffer(a);
    this.startC = offsetInBuffer(c);
  }

  /**
   * The product {@code c = op(a) . op(b)} (or {@code c += } with {@code accumulate}) of three
   * matrices, or null when it does not run here: another data type, more than {@link
   * #MAXIMUM_WORK} multiply-adds (or more than {@link #ONE_THREAD_WORK} in one row of the
   * result), or a layout BLAS cannot read in place.
   */
  static CallerBlas of(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
      boolean accumulate) {
    DataType type = c.dataType();
    if (type != DataType.FLOAT && type != DataType.DOUBLE || a.dataType() != type
        || b.dataType() != type || a.rank() != 2 || b.rank() != 2 || c.rank() != 2
        || c.isEmpty()) {
      return null;
    }
    long m = c.size(0);
    long n = c.size(1);
    long k = a.size(transposeA ? 0 : 1);
    boolean shapesAgree = a.size(transposeA ? 1 : 0) == m && b.size(transposeB ? 0 : 1) == n
        && b.size(transposeB ? 1 : 0) == k;
    if (!shapesAgree || k == 0 || m * n * k > MAXIMUM_WORK || n * k > ONE_THREAD_WORK) {
      return null; // libnd4j names a mismatch
    }
    Layout layoutA = Layout.of(a);
    Layout layoutB = Layout.of(b);
    Layout layoutC = Layout.of(c);
    if (layoutA == null || layoutB == null || layoutC == null || layoutC.columnMajor) {
      return null;
    }
    return new CallerBlas(a, b, c, layoutA, layoutB, transposeA, transposeB, accumulate);
  }

  void run() {
    for (int row = 0; row < m; row += blockRows) {
      int rows = Math.min(blockRows, m - row);
      if (single) {
        floatA.position(startA + row * rowStepA);
        floatC.position(startC + (long) row * leadingC);
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transposeA, transposeB, rows, n, k, 1f, floatA,
            leadingA, floatB, leadingB, (float) beta, floatC, leadingC);
      } else {
        doubleA.position(startA + row * rowStepA);
        doubleC.position(startC + (long) row * leadingC);
        openblas_nolapack.cblas_dgemm(ROW_MAJOR, transposeA, transposeB, rows, n, k, 1.0, doubleA,
            leadingA, doubleB, leadingB, beta, doubleC, leadingC);
      }
    }
  }

  /** The first element of {@code array} in native memory. */
  private static FloatPointer floats(INDArray array) {
    return new FloatPointer(array.data().addressPointer()).position(offsetInBuffer(array));
  }

  private static DoublePointer doubles(INDArray array) {
    return new DoublePointer(array.data().addressPointer()).position(offsetInBuffer(array));
  }

  /**
   * Where {@code array} starts in its buffer's memory: a view's buffer is itself a view whose
   * address already points at its own offset.
   */
  private static long offsetInBuffer(INDArray array) {
    return array.offset() - array.data().offset();
  }

  /**
   * How a matrix lies in memory for row-major BLAS: rows of adjacent elements {@code leading}
   * apart, or, {@code columnMajor}, columns of adjacent elements (the transpose of a row-major
   * matrix, which BLAS reads by flipping the operand's transpose).
   */
  private record Layout(boolean columnMajor, int leading) {

    /** The layout of {@code matrix}, or null if neither its rows nor its columns are adjacent. */
    static Layout of(INDArray matrix) {
      long rows = matrix.size(0);
      long columns = matrix.size(1);
      long rowStride = matrix.stride(0);
      long columnStride = matrix.stride(1);
      if (Math.max(Math.abs(rowStride), Math.abs(columnStride)) > Integer.MAX_VALUE) {
        return null;
      }
      if ((columns == 1 || columnStride == 1) && (rows == 1 || rowStride >= columns)) {
        return new Layout(false, (int) Math.max(rows == 1 ? columns : rowStride, 1));
      }
      if ((rows == 1 || rowStride == 1) && (columns == 1 || columnStride >= rows)) {
        return new Layout(true, (int) Math.max(columns == 1 ? rows : columnStride, 1));
      }
      return null;
    }
  }
}
