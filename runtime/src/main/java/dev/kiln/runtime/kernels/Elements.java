package dev.kiln.runtime.kernels;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The elements of a row-major work array, read and written in Java as doubles whatever the
 * array's data type (float32 in training, float64 in the gradient checks): for element-wise loops
 * that would otherwise be a chain of native op calls, each costing more in overhead than the
 * arithmetic. Index 0 is the array's first element; nothing is copied.
 */
abstract sealed class Elements permits Elements.Floats, Elements.Doubles {

  /** The elements of {@code array}, which must be row-major and contiguous. */
  static Elements of(INDArray array) {
    if (array.ordering() != 'c' || array.elementWiseStride() != 1) {
      throw new IllegalArgumentException(
          "not a contiguous row-major array: " + array.shapeInfoToString());
    }
    int base = Math.toIntExact(array.offset());
    if (array.dataType() == DataType.FLOAT) {
      return new Floats(array.data().asNioFloat(), base);
    }
    if (array.dataType() == DataType.DOUBLE) {
      return new Doubles(array.data().asNioDouble(), base);
    }
    throw new IllegalArgumentException("not float32 or float64: " + array.dataType());
  }

  abstract double get(int index);

  abstract void set(int index, double value);

  static final class Floats extends Elements {
    private final FloatBuffer buffer;
    private final int base;

    Floats(FloatBuffer buffer, int base) {
      this.buffer = buffer;
      this.base = base;
    }

    @Override
    double get(int index) {
      return buffer.get(base + index);
    }

    @Override
    void set(int index, double value) {
      buffer.put(base + index, (float) value);
    }
  }

  static final class Doubles extends Elements {
    private final DoubleBuffer buffer;
    private final int base;

    Doubles(DoubleBuffer buffer, int base) {
      this.buffer = buffer;
      this.base = base;
    }

    @Override
    double get(int index) {
      return buffer.get(base + index);
    }

    @Override
    void set(int index, double value) {
      buffer.put(base + index, value);
    }
  }
}
