package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code exponential}: {@code exp(x)}. The backward pass reads the pre-activation {@code z}.
 */
public final class Exponential {

  private Exponential() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, Exponential::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, Exponential::derivative);
  }

  static double value(double x) {
    return Math.exp(x);
  }

  static double derivative(double x) {
    return Math.exp(x);
  }
}
