package dev.kiln.runtime;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The elements of a contiguous row-major float or double array, read and written in place as
 * doubles, in row-major order. For kernels written as Java loops: each ND4J op costs tens of
 * microseconds and a few kilobytes of Java heap before any arithmetic, while these accesses go
 * straight to the array's native memory and allocate nothing.
 */
public abstract sealed class Elements permits Elements.Floats, Elements.Doubles {

  private final INDArray array;
  private final long start;
  private final long length;

  private Elements(INDArray array) {
    this.array = array;
    // A view's buffer may count its offset already; the indexer starts where the buffer does.
    this.start = array.isEmpty() ? 0 : array.offset() - array.data().offset();
    this.length = array.length();
  }

  /** Whether {@link #of} accepts {@code array}: float or double, row-major and contiguous. */
  public static boolean accepts(INDArray array) {
    DataType type = array.dataType();
    return (type == DataType.FLOAT || type == DataType.DOUBLE)
        && (array.length() <= 1
            || array.ordering() == 'c' && array.elementWiseStride() == 1);
  }

  /** The elements of {@code array}, which {@link #accepts} must accept. */
  public static Elements of(INDArray array) {
    if (!accepts(array)) {
      throw new IllegalArgumentException(
          "element access needs a contiguous row-major float or double array, got "
              + array.dataType() + " ordered '" + array.ordering() + "' with element stride "
              + array.elementWiseStride());
    }
    return array.dataType() == DataType.FLOAT ? new Floats(array) : new Doubles(array);
  }

  /** Element {@code i}, in row-major order. */
  public abstract double get(long i);

  /** Sets element {@code i}, rounding to the array's type. */
  public abstract void set(long i, double value);

  /** The number of elements. */
  public final long length() {
    return length;
  }

  /** Whether these are the elements of {@code other} itself (not of an equal array). */
  public final boolean isOf(INDArray other) {
    return array == other;
  }

  /** The index of the first element in the indexer of the array's buffer. */
  final long start() {
    return start;
  }

  /** Float elements. */
  static final class Floats extends Elements {
    private final FloatIndexer indexer;

    Floats(INDArray array) {
      super(array);
      this.indexer = array.isEmpty() ? null : (FloatIndexer) array.data().indexer();
    }

    @Override
    public double get(long i) {
      return indexer.get(start() + i);
    }

    @Override
    public void set(long i, double value) {
      indexer.put(start() + i, (float) value);
    }
  }

  /** Double elements. */
  static final class Doubles extends Elements {
    private final DoubleIndexer indexer;

    Doubles(INDArray array) {
      super(array);
      this.indexer = array.isEmpty() ? null : (DoubleIndexer) array.data().indexer();
    }

    @Override
    public double get(long i) {
      return indexer.get(start() + i);
    }

    @Override
    public void set(long i, double value) {
      indexer.put(start() + i, value);
    }
  }
}
