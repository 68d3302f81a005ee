package dev.kiln.runtime;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one place where Kiln's runtime allocates arrays, so that allocation can be counted: a
 * generated training step in its steady state must not create any.
 */
public final class NdArrays {

  private static final AtomicLong created = new AtomicLong();
  private static final AtomicLong createdBytes = new AtomicLong();

  private NdArrays() {}

  /** A new zero-filled, row-major array. */
  public static INDArray zeros(DataType dataType, long... shape) {
    INDArray array = Nd4j.zeros(dataType, shape);
    counted(array.length() * dataType.width());
    return array;
  }

  /**
   * {@code shared} itself when it is a flat array of {@code dataType} with at least {@code length}
   * values, else a new zero-filled one of {@code length}: memory that two sets of buffers used at
   * different times (a training step's gradients, a prediction's outputs) can share. Its contents
   * are whatever the other user left.
   */
  public static INDArray sharedOrZeros(DataType dataType, long length, INDArray shared) {
    if (shared != null && shared.dataType() == dataType && shared.rank() == 1
        && shared.length() >= length) {
      return shared;
    }
    return zeros(dataType, length);
  }

  /** A new row-major array holding a copy of {@code source}. */
  public static INDArray copy(INDArray source) {
    return copy(source, source.dataType());
  }

  /**
   * A new row-major array holding a copy of {@code source}, converted to {@code dataType}. A
   * contiguous row-major source of the same type is copied byte for byte into an array never
   * zero-filled: a prediction's result, where ND4J's fill and assign ops cost tens of microseconds.
   */
  public static INDArray copy(INDArray source, DataType dataType) {
    if (bytewise(source, dataType)) {
      INDArray copy = Nd4j.createUninitialized(dataType, source.shape(), 'c');
      counted(source.length() * dataType.width());
      copyBytes(source, copy);
      return copy;
    }
    INDArray copy = zeros(dataType, source.shape());
    copy.assign(source);
    return copy;
  }

  private static boolean bytewise(INDArray source, DataType dataType) {
    return source.dataType() == dataType && dataType != DataType.UTF8
        && isContiguousRowMajor(source);
  }

  private static void copyBytes(INDArray source, INDArray target) {
    long width = source.dataType().width();
    Pointer.memcpy(start(target, width), start(source, width), source.length() * width);
  }

  /** {@code array}'s first element in native memory (a view's buffer starts at its own offset). */
  static BytePointer start(INDArray array, long width) {
    return new BytePointer(array.data().addressPointer())
        .position((array.offset() - array.data().offset()) * width);
  }

  /** Whether {@code array}'s elements lie in row-major order, one after the other. */
  static boolean isContiguousRowMajor(INDArray array) {
    return !array.isEmpty() && array.ordering() == 'c'
        && (array.length() == 1 || array.elementWiseStride() == 1);
  }

  /**
   * A view of {@code length(shape)} consecutive elements of a row-major {@code flat} array,
   * starting at {@code offset}. Writing to the view writes to {@code flat}; nothing is copied.
   */
  public static INDArray view(INDArray flat, long offset, long... shape) {
    long[] strides = new long[shape.length];
    long stride = 1;
    for (int axis = shape.length - 1; axis >= 0; axis--) {
      strides[axis] = stride;
      stride *= shape[axis];
    }
    return Nd4j.create(flat.data(), shape, strides, flat.offset() + offset, 'c');
  }

  /**
   * {@code array}'s memory in another shape of the same length, nothing copied: a generated
   * model's buffer for a layer that passes its input on unchanged in row-major order (Flatten,
   * Reshape). {@code array} must be contiguous and row-major, as every batch buffer is.
   */
  public static INDArray reshaped(INDArray array, long... shape) {
    long length = 1;
    for (long size : shape) {
      length *= size;
    }
    if (array.ordering() != 'c' || array.length() != length
        || array.length() > 1 && array.elementWiseStride() != 1) {
      throw new IllegalArgumentException("cannot see an array of shape "
          + java.util.Arrays.toString(array.shape()) + " as " + java.util.Arrays.toString(shape)
          + " without a copy: it must be contiguous, row-major and of the same length");
    }
    return view(array, 0, shape);
  }

  /** Counts a new array of {@code bytes}, here and for {@link NativeGarbage}. */
  static void counted(long bytes) {
    created.incrementAndGet();
    createdBytes.addAndGet(bytes);
    NativeGarbage.created(bytes);
  }

  /** How many arrays this class has created since the JVM started. */
  public static long created() {
    return created.get();
  }

  /**
   * The bytes of native memory the arrays this class created since the JVM started hold, or held
   * before they were freed.
   */
  public static long createdBytes() {
    return createdBytes.get();
  }
}
