package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Views for {@code TimeDistributed}: the steps of a sequence seen as samples of a batch. */
public final class TimeSteps {

  private TimeSteps() {}

  /** {@code (n, steps, ...)} as {@code (n * steps, ...)}: a view of a row-major array. */
  public static INDArray folded(INDArray sequence) {
    long[] shape = sequence.shape();
    long[] folded = new long[shape.length - 1];
    folded[0] = shape[0] * shape[1];
    System.arraycopy(shape, 2, folded, 1, shape.length - 2);
    return sequence.reshape('c', folded);
  }
}
