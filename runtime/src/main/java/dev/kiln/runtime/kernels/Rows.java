package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Views of row-major arrays as matrices, without copying. */
final class Rows {

  private Rows() {}

  /**
   * {@code array} seen as a matrix whose rows are its last axis: {@code (n, 4, 4, 64)} becomes
   * {@code (n * 16, 64)}. A view for row-major arrays; rank-2 arrays come back as they are.
   */
  static INDArray ofLastAxis(INDArray array) {
    if (array.rank() == 2) {
      return array;
    }
    long features = array.size(array.rank() - 1);
    return array.reshape('c', array.length() / features, features);
  }
}
