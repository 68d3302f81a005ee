package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Work arrays of kernels and losses, and arrays a native op must write but nobody reads (the
 * input gradient a native backward op always produces for a layer that reads a model input).
 * One per thread, shape, data type and slot, allocated once; a caller must not hold one across
 * calls of other kernels that may use the same shape and slot.
 */
public final class Scratch {

  private record Key(DataType dataType, List<Long> shape, int slot) {}

  private static final ThreadLocal<Map<Key, INDArray>> arrays = ThreadLocal.withInitial(HashMap::new);

  private Scratch() {}

  /** A reusable array shaped like {@code like}; its contents are undefined. */
  public static INDArray like(INDArray like) {
    return like(like, 0);
  }

  /**
   * A reusable array shaped like {@code like}, distinct from those of the other slots: for a
   * kernel that needs several temporaries of one shape at once. Its contents are undefined.
   */
  public static INDArray like(INDArray like, int slot) {
    List<Long> shape = new java.util.ArrayList<>();
    for (long size : like.shape()) {
      shape.add(size);
    }
    return arrays
        .get()
        .computeIfAbsent(
            new Key(like.dataType(), shape, slot), key -> NdArrays.zeros(like.dataType(), like.shape()));
  }

  /** A reusable array of {@code shape}, distinct from those of the other slots; contents undefined. */
  public static INDArray of(DataType dataType, int slot, long... shape) {
    List<Long> sizes = new java.util.ArrayList<>();
    for (long size : shape) {
      sizes.add(size);
    }
    return arrays
        .get()
        .computeIfAbsent(new Key(dataType, sizes, slot), key -> NdArrays.zeros(dataType, shape));
  }

  /** {@code target} itself, or a scratch array shaped like {@code like} when it is null. */
  public static INDArray orScratch(INDArray target, INDArray like) {
    return target != null ? target : like(like);
  }
}
