package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code softplus}: {@code log(1 + exp(x))}, written {@code max(x, 0) + log1p(exp(-|x|))} so
 * that no exponential overflows. The backward pass reads the pre-activation {@code z}.
 */
public final class Softplus {

  private Softplus() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, Softplus::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, Softplus::derivative);
  }

  static double value(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  static double derivative(double x) {
    return Silu.sigmoid(x);
  }
}
