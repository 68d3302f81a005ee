package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code elu} with {@code alpha = 1}: {@code x} where positive, else {@code exp(x) - 1}. The
 * backward pass reads the pre-activation {@code z}.
 */
public final class Elu {

  private Elu() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, Elu::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, Elu::derivative);
  }

  static double value(double x) {
    return x > 0 ? x : Math.expm1(x);
  }

  static double derivative(double x) {
    return x > 0 ? 1 : Math.exp(x);
  }
}
