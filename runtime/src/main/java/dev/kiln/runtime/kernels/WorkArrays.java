package dev.kiln.runtime.kernels;

import dev.kiln.runtime.NdArrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Named arrays that a kernel writes and reads within one call, such as the gates of every step of
 * a recurrent layer's backward pass. Unlike {@link Scratch}, a kernel may need several of one
 * shape, so each has a name. One per thread, kernel, name, data type and shape, allocated once
 * through {@link NdArrays}; their contents do not outlive the call, so layers of one kind share
 * them.
 */
final class WorkArrays {

  private record Key(Class<?> kernel, String name, DataType dataType, List<Long> shape) {}

  private static final ThreadLocal<Map<Key, INDArray>> arrays = ThreadLocal.withInitial(HashMap::new);

  private WorkArrays() {}

  /** The work array {@code name} of {@code kernel}, row-major; its contents are undefined. */
  static INDArray get(Class<?> kernel, String name, DataType dataType, long... shape) {
    Long[] sizes = new Long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      sizes[i] = shape[i];
    }
    return arrays
        .get()
        .computeIfAbsent(
            new Key(kernel, name, dataType, List.of(sizes)), key -> NdArrays.zeros(dataType, shape));
  }
}
