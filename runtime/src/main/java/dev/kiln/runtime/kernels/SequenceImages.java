package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Channels-last sequences {@code (n, steps, c)} seen as images of one row {@code (n, 1, steps,
 * c)}, and 1-D kernels {@code (size, c, f)} as 2-D ones {@code (1, size, c, f)}, so that the 1-D
 * layers run on the 2-D kernels.
 */
final class SequenceImages {

  private SequenceImages() {}

  /**
   * An array the kernel reads, with a leading axis of 1 inserted at {@code axis}: a view when
   * {@code array} is contiguous, else a copy.
   */
  static INDArray read(INDArray array, int axis) {
    return array.reshape('c', inserted(array.shape(), axis));
  }

  /** An array the kernel writes, seen the same way; always a view (fails if it cannot be one). */
  static INDArray write(INDArray array, int axis) {
    return Views.reshaped(array, inserted(array.shape(), axis));
  }

  /** Sequences {@code (n, steps, c)} as {@code (n, 1, steps, c)}, to read. */
  static INDArray read(INDArray sequences) {
    return read(sequences, 1);
  }

  /** Sequences {@code (n, steps, c)} as {@code (n, 1, steps, c)}, to write; null stays null. */
  static INDArray write(INDArray sequences) {
    return sequences == null ? null : write(sequences, 1);
  }

  private static long[] inserted(long[] shape, int axis) {
    long[] result = new long[shape.length + 1];
    for (int i = 0, j = 0; i < result.length; i++) {
      result[i] = i == axis ? 1 : shape[j++];
    }
    return result;
  }
}
