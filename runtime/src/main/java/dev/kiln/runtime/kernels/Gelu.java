package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' exact {@code gelu}: {@code x * Phi(x)}, with {@code Phi} the standard normal distribution
 * function. The backward pass reads the pre-activation {@code z}.
 */
public final class Gelu {

  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
  private static final double SQRT_2 = Math.sqrt(2);

  private Gelu() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, Gelu::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, Gelu::derivative);
  }

  static double value(double x) {
    return x * cdf(x);
  }

  static double derivative(double x) {
    return cdf(x) + x * Math.exp(-0.5 * x * x) / SQRT_2PI;
  }

  /**
   * The standard normal distribution function, through erfc so that the left tail keeps its digits.
   */
  private static double cdf(double x) {
    return 0.5 * Erfc.of(-x / SQRT_2);
  }
}
