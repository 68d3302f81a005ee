package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code gelu(x, approximate=True)}: {@code 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715
 * * x^3)))}. The backward pass reads the pre-activation {@code z}.
 */
public final class GeluTanh {

  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double CUBIC = 0.044715;

  private GeluTanh() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, GeluTanh::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, GeluTanh::derivative);
  }

  static double value(double x) {
    return 0.5 * x * (1 + Math.tanh(inner(x)));
  }

  static double derivative(double x) {
    double t = Math.tanh(inner(x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * CUBIC * x * x);
  }

  private static double inner(double x) {
    return SQRT_2_OVER_PI * (x + CUBIC * x * x * x);
  }
}
