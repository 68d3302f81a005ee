package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code softsign}: {@code x / (1 + |x|)}. The backward pass reads the pre-activation {@code
 * z}.
 */
public final class Softsign {

  private Softsign() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, Softsign::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, Softsign::derivative);
  }

  static double value(double x) {
    return x / (1 + Math.abs(x));
  }

  static double derivative(double x) {
    double d = 1 + Math.abs(x);
    return 1 / (d * d);
  }
}
