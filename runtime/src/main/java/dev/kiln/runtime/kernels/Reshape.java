package dev.kiln.runtime.kernels;

import dev.kiln.runtime.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' Reshape: each sample of {@code (n, ...)} takes another shape with the same number of
 * entries, in row-major order. A copy, because the caller owns both arrays.
 */
public final class Reshape {

  private Reshape() {}

  /**
   * @param x input, {@code (n, ...)}, row-major
   * @param out written, {@code (n, ...)} with as many entries per sample as {@code x}; contiguous
   *     and row-major
   */
  public static void forward(INDArray x, INDArray out) {
    requireSameSamples(x, out);
    Views.reshaped(out, x.shape()).assign(x);
  }

  /**
   * @param dOut shaped like the output
   * @param dx written with {@code dOut} in the input's shape, or {@code null} when no layer needs
   *     it; contiguous and row-major
   */
  public static void backward(INDArray dOut, INDArray dx) {
    if (dx == null) {
      return;
    }
    requireSameSamples(dOut, dx);
    Views.reshaped(dx, dOut.shape()).assign(dOut);
  }

  private static void requireSameSamples(INDArray from, INDArray to) {
    if (from.size(0) != to.size(0) || from.length() != to.length()) {
      throw new IllegalArgumentException(
          "Reshape from " + Shapes.of(from.shape()) + " to " + Shapes.of(to.shape())
              + ": the batch and the entries per sample must match");
    }
  }
}
