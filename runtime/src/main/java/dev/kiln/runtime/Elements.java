package dev.kiln.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
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
  private final long length;

  private Elements(INDArray array) {
    this.array = array;
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

  /**
   * Copies {@code length} consecutive elements from {@code from} on into {@code target} from
   * {@code at} on: one bulk copy when both hold the same type, as they do in a model.
   */
  public abstract void copyTo(long from, Elements target, long at, int length);

  /** Copies the first {@code length} elements into {@code target}, widened to doubles. */
  public final void read(double[] target, int length) {
    for (int i = 0; i < length; i++) {
      target[i] = get(i);
    }
  }

  /** Sets the first {@code length} elements from {@code source}, rounded to the array's type. */
  public final void write(double[] source, int length) {
    for (int i = 0; i < length; i++) {
      set(i, source[i]);
    }
  }

  /** {@link #copyTo} one element at a time, for a target of the other type. */
  final void copyEachTo(long from, Elements target, long at, int length) {
    for (int i = 0; i < length; i++) {
      target.set(at + i, get(from + i));
    }
  }

  /** Sets {@code length} consecutive elements from {@code from} on to {@code value}. */
  public final void fill(long from, long length, double value) {
    for (long i = from, end = from + length; i < end; i++) {
      set(i, value);
    }
  }

  /** The number of elements. */
  public final long length() {
    return length;
  }

  /** The array these are the elements of. */
  final INDArray array() {
    return array;
  }

  /** Whether these are the elements of {@code other} itself (not of an equal array). */
  public final boolean isOf(INDArray other) {
    return array == other;
  }

  // Direct NIO buffers rather than JavaCPP indexers: an indexer's class depends on how its buffer
  // was made, so in a JVM that has run several models the indexer calls below turned megamorphic
  // and Adam's pass took three times as long. A direct buffer's class is always the same.

  /**
   * Float elements, also read and written as floats: a loop that stays in float arithmetic needs
   * no conversion to double and back per element. (C2 on Java 17 emits those conversions with a
   * false dependency on their target register; in a loop with a square root and a division, such
   * as Adam's, that chains the elements one after the other and made the pass 3 to 8 times
   * slower, by how the registers happened to be allocated in that JVM.)
   */
  public static final class Floats extends Elements {
    private final FloatBuffer buffer;
    private final int base;
    private ByteBuffer bytes;

    Floats(INDArray array) {
      super(array);
      this.buffer = array.isEmpty() ? null : array.data().asNioFloat();
      // asNioFloat() starts where the array's buffer starts, before any view's offset.
      this.base = Math.toIntExact(array.isEmpty() ? 0 : array.offset());
    }

    @Override
    public double get(long i) {
      return buffer.get(base + (int) i);
    }

    @Override
    public void set(long i, double value) {
      buffer.put(base + (int) i, (float) value);
    }

    /** Element {@code i}, as a float. */
    public float at(int i) {
      return buffer.get(base + i);
    }

    /** Sets element {@code i}. */
    public void put(int i, float value) {
      buffer.put(base + i, value);
    }

    /**
     * The same native memory as bytes in the platform's order, for Vector API loads and stores:
     * element {@code i} starts at byte {@link #byteOffset}{@code (i)}. Made on first use.
     */
    public ByteBuffer bytes() {
      if (bytes == null) {
        bytes = array().data().asNio().order(ByteOrder.nativeOrder());
      }
      return bytes;
    }

    /** Where element {@code i} starts in {@link #bytes}. */
    public int byteOffset(int i) {
      return (base + i) * Float.BYTES;
    }

    /** Copies {@code length} elements from {@code from} on into {@code target}, in bulk. */
    public void read(int from, float[] target, int length) {
      buffer.get(base + from, target, 0, length);
    }

    /** Sets {@code length} elements from {@code at} on from {@code source}, in bulk. */
    public void write(int at, float[] source, int length) {
      buffer.put(base + at, source, 0, length);
    }

    /** Copies {@code length} elements from {@code from} on into {@code target} from {@code offset}. */
    public void read(int from, float[] target, int offset, int length) {
      buffer.get(base + from, target, offset, length);
    }

    /** Sets {@code length} elements from {@code at} on from {@code source} from {@code offset}. */
    public void write(int at, float[] source, int offset, int length) {
      buffer.put(base + at, source, offset, length);
    }

    @Override
    public void copyTo(long from, Elements target, long at, int length) {
      if (target instanceof Floats floats) {
        floats.buffer.put(floats.base + (int) at, buffer, base + (int) from, length);
      } else {
        copyEachTo(from, target, at, length);
      }
    }
  }

  /** Double elements. */
  static final class Doubles extends Elements {
    private final DoubleBuffer buffer;
    private final int base;

    Doubles(INDArray array) {
      super(array);
      this.buffer = array.isEmpty() ? null : array.data().asNioDouble();
      this.base = Math.toIntExact(array.isEmpty() ? 0 : array.offset());
    }

    @Override
    public double get(long i) {
      return buffer.get(base + (int) i);
    }

    @Override
    public void set(long i, double value) {
      buffer.put(base + (int) i, value);
    }

    @Override
    public void copyTo(long from, Elements target, long at, int length) {
      if (target instanceof Doubles doubles) {
        doubles.buffer.put(doubles.base + (int) at, buffer, base + (int) from, length);
      } else {
        copyEachTo(from, target, at, length);
      }
    }
  }
}
