package dev.kiln.runtime.kernels;

import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The token ids of a contiguous row-major INT or LONG array, read in place by Java passes. */
final class TokenIds {

  private final IntBuffer ints;
  private final LongBuffer longs;
  private final int base;
  final int length;

  private TokenIds(INDArray ids) {
    this.length = Math.toIntExact(ids.length());
    this.base = Math.toIntExact(ids.offset());
    this.ints = ids.dataType() == DataType.INT ? ids.data().asNioInt() : null;
    this.longs = ints == null ? ids.data().asNioLong() : null;
  }

  /** Whether {@link #of} reads {@code ids}: INT or LONG, row-major and contiguous. */
  static boolean accepts(INDArray ids) {
    return (ids.dataType() == DataType.INT || ids.dataType() == DataType.LONG)
        && ids.ordering() == 'c' && ids.elementWiseStride() == 1;
  }

  /**
   * The ids of {@code ids}, which {@link #accepts} must accept, each checked to be a row of a
   * table of {@code vocabulary} rows: an IllegalArgumentException names the first that is not.
   */
  static TokenIds of(INDArray ids, long vocabulary) {
    TokenIds tokens = new TokenIds(ids);
    for (int p = 0; p < tokens.length; p++) {
      long id = tokens.get(p);
      if (id < 0) {
        throw new IllegalArgumentException("Embedding: negative index " + id);
      }
      if (id >= vocabulary) {
        throw new IllegalArgumentException("Embedding: index " + id + " is past the table's "
            + vocabulary + " rows; token ids must be less than the Embedding's inputDim");
      }
    }
    return tokens;
  }

  /** The id at position {@code p}, in row-major order. */
  long get(int p) {
    return ints != null ? ints.get(base + p) : longs.get(base + p);
  }
}
