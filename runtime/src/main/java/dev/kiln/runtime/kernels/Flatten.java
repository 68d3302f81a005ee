package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' Flatten: each sample of {@code (n, ...)} becomes one row of {@code (n, prod(...))}, in
 * row-major order, which for channels-last images is Keras' order. A copy, because the caller
 * owns both arrays.
 */
public final class Flatten {

  private Flatten() {}

  /**
   * @param x input, {@code (n, ...)}, row-major
   * @param out written, {@code (n, length / n)}, contiguous and row-major
   */
  public static void forward(INDArray x, INDArray out) {
    Require.shape(out, flattened(x), "Flatten output");
    Views.reshaped(out, x.shape()).assign(x);
  }

  /**
   * @param dOut {@code (n, length / n)}
   * @param dx written with {@code dOut} in the input's shape, or {@code null} when no layer needs
   *     it; contiguous and row-major
   */
  public static void backward(INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    Require.shape(dOut, flattened(dx), "Flatten output gradient");
    Views.reshaped(dx, dOut.shape()).assign(dOut);
  }

  private static long[] flattened(INDArray x) {
    long n = x.size(0);
    return new long[] {n, n == 0 ? 0 : x.length() / n};
  }
}
