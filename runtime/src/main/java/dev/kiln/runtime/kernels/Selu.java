package dev.kiln.runtime.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code selu}: {@code SCALE * (x > 0 ? x : ALPHA * (exp(x) - 1))}. The backward pass reads
 * the pre-activation {@code z}.
 */
public final class Selu {

  /** Keras' (and PyTorch's) constants, to double precision. */
  static final double ALPHA = 1.6732632423543772848170429916717;

  static final double SCALE = 1.0507009873554804934193349852946;

  private Selu() {}

  /** Writes the activation of {@code z} into {@code y}; {@code y} may be {@code z}. */
  public static void forward(INDArray z, INDArray y) {
    Pointwise.forward(z, y, Selu::value);
  }

  /** Turns {@code dy} into the gradient with respect to {@code z}, in place. */
  public static void backward(INDArray z, INDArray dy) {
    Pointwise.backward(z, dy, Selu::derivative);
  }

  static double value(double x) {
    return SCALE * (x > 0 ? x : ALPHA * Math.expm1(x));
  }

  static double derivative(double x) {
    return SCALE * (x > 0 ? 1 : ALPHA * Math.exp(x));
  }
}
