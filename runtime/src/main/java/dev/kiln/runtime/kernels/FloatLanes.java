package dev.kiln.runtime.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The elements of a contiguous row-major float32 array as Vector API lanes, loaded from and
 * stored to the array's native memory. Only code that checked {@link VectorApi#ENABLED} may load
 * this class.
 */
final class FloatLanes {

  /** The widest vector of floats the processor has: 16 lanes with AVX-512, 8 with AVX2. */
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  static final ByteOrder ORDER = ByteOrder.nativeOrder();

  final ByteBuffer buffer;
  final int base;

  /** The lanes of {@code array}, which must be float32, row-major and contiguous. */
  FloatLanes(INDArray array) {
    if (array.dataType() != DataType.FLOAT
        || array.length() > 1 && (array.ordering() != 'c' || array.elementWiseStride() != 1)) {
      throw new IllegalArgumentException("vector lanes need a contiguous row-major float array,"
          + " got " + array.dataType() + " ordered '" + array.ordering() + "' with element stride "
          + array.elementWiseStride());
    }
    // asNio() starts where the array's buffer starts, before a view's offset.
    this.buffer = array.data().asNio().order(ORDER);
    this.base = Math.toIntExact(array.offset() * Float.BYTES);
  }

  /** The lanes of {@code array}, or null for a null array. */
  static FloatLanes ofNullable(INDArray array) {
    return array == null ? null : new FloatLanes(array);
  }

  /**
   * The byte offset of element {@code i} in {@link #buffer}, for a kernel's own {@code
   * FloatVector.fromByteBuffer} and {@code intoByteBuffer}. Kernels that run in lanes load and
   * store through this rather than {@link #load(int)} and {@link #store(FloatVector, int)}: a
   * vector passed to or returned from a method that C2 leaves out of line is boxed, and C2 left
   * {@code store} out of line in some JVMs (the multiple-inputs network's training step took
   * 120-132 ms instead of 25-29, with {@code -XX:CompileCommand=dontinline} on {@code store} 122),
   * where an int offset costs a call at worst.
   */
  int at(int i) {
    return base + i * Float.BYTES;
  }

  /**
   * The lanes from element {@code i} on, all of them: no mask to test, so that C2 compiles it to
   * a few nodes where a step inlines dozens of loads and stores (see {@link LstmLanes}).
   */
  FloatVector load(int i) {
    return FloatVector.fromByteBuffer(SPECIES, buffer, base + i * Float.BYTES, ORDER);
  }

  /** Stores all lanes of {@code value} from element {@code i} on; as {@link #load(int)}. */
  void store(FloatVector value, int i) {
    value.intoByteBuffer(buffer, base + i * Float.BYTES, ORDER);
  }

  /**
   * The lanes from element {@code i} on; where {@code mask} is unset, zero. A null mask sets every
   * lane: JDK 17 runs a masked load and store in Java code, a blend and a check per lane.
   */
  FloatVector load(int i, VectorMask<Float> mask) {
    return mask == null
        ? FloatVector.fromByteBuffer(SPECIES, buffer, base + i * Float.BYTES, ORDER)
        : FloatVector.fromByteBuffer(SPECIES, buffer, base + i * Float.BYTES, ORDER, mask);
  }

  /** Adds {@code length} elements of {@code source} from {@code from} on to these from at on. */
  void add(FloatLanes source, int from, int at, int length) {
    int width = SPECIES.length();
    int j = 0;
    for (; j + width <= length; j += width) {
      FloatVector.fromByteBuffer(SPECIES, buffer, base + (at + j) * Float.BYTES, ORDER)
          .add(FloatVector.fromByteBuffer(SPECIES, source.buffer,
              source.base + (from + j) * Float.BYTES, ORDER))
          .intoByteBuffer(buffer, base + (at + j) * Float.BYTES, ORDER);
    }
    for (; j < length; j++) {
      set(at + j, get(at + j) + source.get(from + j));
    }
  }

  /** Sets {@code length} elements from {@code at} on to zero. */
  void zero(int at, int length) {
    FloatVector zero = FloatVector.zero(SPECIES);
    int width = SPECIES.length();
    int j = 0;
    for (; j + width <= length; j += width) {
      zero.intoByteBuffer(buffer, base + (at + j) * Float.BYTES, ORDER);
    }
    for (; j < length; j++) {
      set(at + j, 0);
    }
  }

  /** Copies {@code length} elements from {@code from} on into {@code target} from {@code offset}. */
  void read(int from, float[] target, int offset, int length) {
    int width = SPECIES.length();
    int j = 0;
    for (; j + width <= length; j += width) {
      FloatVector.fromByteBuffer(SPECIES, buffer, base + (from + j) * Float.BYTES, ORDER)
          .intoArray(target, offset + j);
    }
    for (; j < length; j++) {
      target[offset + j] = get(from + j);
    }
  }

  /** Sets {@code length} elements from {@code at} on from {@code source} from {@code offset}. */
  void write(float[] source, int offset, int at, int length) {
    int width = SPECIES.length();
    int j = 0;
    for (; j + width <= length; j += width) {
      FloatVector.fromArray(SPECIES, source, offset + j)
          .intoByteBuffer(buffer, base + (at + j) * Float.BYTES, ORDER);
    }
    for (; j < length; j++) {
      set(at + j, source[offset + j]);
    }
  }

  /** Element {@code i}. */
  float get(int i) {
    return buffer.getFloat(base + i * Float.BYTES);
  }

  /** Sets element {@code i}. */
  void set(int i, float value) {
    buffer.putFloat(base + i * Float.BYTES, value);
  }

  /** Stores the lanes of {@code value} that {@code mask} sets (all if null) from element i on. */
  void store(FloatVector value, int i, VectorMask<Float> mask) {
    if (mask == null) {
      value.intoByteBuffer(buffer, base + i * Float.BYTES, ORDER);
    } else {
      value.intoByteBuffer(buffer, base + i * Float.BYTES, ORDER, mask);
    }
  }
}
