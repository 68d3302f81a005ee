package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Views of caller-owned arrays that kernels write through; never copies. */
final class Views {

  private Views() {}

  /**
   * {@code array} seen with another shape of the same length, in row-major order. Unlike a plain
   * {@code reshape}, which silently returns a copy when {@code array} is not contiguous (and
   * writes to that copy would be lost), this fails.
   */
  static INDArray reshaped(INDArray array, long... shape) {
    return array.reshape('c', true, shape);
  }

  /** The entries {@code from} (inclusive) to {@code to} (exclusive) of {@code axis}, all of the other axes. */
  static INDArray range(INDArray array, int axis, long from, long to) {
    INDArrayIndex[] indices = new INDArrayIndex[array.rank()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i == axis ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
    }
    return array.get(indices);
  }

  /**
   * The rows {@code top} to {@code height - bottom} and columns {@code left} to {@code width -
   * right} of channels-last images {@code (n, height, width, c)}.
   */
  static INDArray interior(INDArray images, int top, int bottom, int left, int right) {
    return images.get(
        NDArrayIndex.all(),
        NDArrayIndex.interval(top, images.size(1) - bottom),
        NDArrayIndex.interval(left, images.size(2) - right),
        NDArrayIndex.all());
  }
}
